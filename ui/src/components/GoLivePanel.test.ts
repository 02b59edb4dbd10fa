// @vitest-environment jsdom
// Why: the Go live tab is where the anchor starts a stream, so it must show the push address safely
// (the key masked until asked, everything copyable through the clipboard), count down to the expiry
// each second and warn before OBS could no longer reconnect, renew and rotate (rotation only after
// saying OBS needs the new key), run the go-live loop showing each step as the desk reports it, say
// prominently where and why it failed and what to do, stop and end (ending only after asking), and
// show the app's message when going live is not set up.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { copyText } from '../lib/clipboard';
import type { FakeOptions } from '../lib/fake-backend';
import { NOT_SET_UP } from '../lib/fake-stream';
import { settingsNav } from '../lib/settings-nav.svelte';
import { connectedRoom } from '../lib/test-support';
import { formatStamp } from '../lib/time';
import GoLivePanel from './GoLivePanel.svelte';

vi.mock('../lib/clipboard', () => ({ copyText: vi.fn(async () => {}) }));

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0); // connectedRoom's clock
const EXPIRES = T0 / 1000 + 86_400;

beforeEach(() => vi.mocked(copyText).mockClear());
afterEach(() => cleanup());

const id = (testId: string) => screen.getByTestId(testId);
const text = (testId: string) => id(testId).textContent!.replace(/\s+/g, ' ').trim();

type Ctx = Awaited<ReturnType<typeof connectedRoom>>;

/** The panel on a connected room (upcoming unless told); `before` runs before it is rendered. */
async function setup(options: FakeOptions = {}, before?: (ctx: Ctx) => void) {
  const ctx = await connectedRoom({ room: { status: 'upcoming' }, ...options });
  before?.(ctx);
  render(GoLivePanel, { props: { room: ctx.room } });
  /** Lets the calls settle, runs a frame (the events) and renders. */
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    ctx.frames.frame();
    flushSync();
  };
  const calls = (method: string) => ctx.backend.calls.filter((c) => c.method === method).map((c) => c.args);
  if (options.stream !== null && !before) await screen.findByTestId('push-server');
  return { ...ctx, settle, calls };
}

describe('GoLivePanel: the push address', () => {
  it('shows the server, the key masked until Show, the full and SRT URLs behind "more", the QR code and play URLs', async () => {
    const { backend, room } = await setup();
    const a = await room.streamAddress();
    expect(id('push-server')).toHaveProperty('value', 'rtmp://push.example.com/live/');
    expect(id('push-key').dataset.masked).toBe('true');
    expect((id('push-key') as HTMLInputElement).value).toMatch(/^•+$/);
    expect(document.body.innerHTML).not.toContain('txSecret'); // the credential is nowhere on the page
    expect(text('push-key-which')).toBe('(primary key)');

    await fireEvent.click(id('toggle-key'));
    expect((id('push-key') as HTMLInputElement).value).toBe(a.streamKey);
    expect(text('toggle-key')).toBe('Hide');
    expect(text('push-url')).toBe(a.url);
    expect(text('push-srt')).toBe(a.srtUrl);
    expect(id('push-more').tagName).toBe('DETAILS');
    await fireEvent.click(id('toggle-key'));
    expect(id('push-key').dataset.masked).toBe('true');

    const qr = id('push-qr') as HTMLImageElement;
    expect(qr.getAttribute('src')).toBe(`data:image/png;base64,${a.qrPngBase64}`);
    expect(qr.alt).toBe('QR code of the push URL');
    expect(qr.parentElement!.textContent).toContain('For mobile push apps');

    expect(screen.getAllByTestId('play-url').map((li) => li.dataset.format)).toEqual(['flv', 'hls', 'rtmp', 'webrtc']);
    expect(screen.getAllByTestId('play-url')[0].textContent).toContain(a.play[0].url);
    expect(backend.calls.filter((c) => c.method === 'streamAddress').length).toBeGreaterThanOrEqual(1);
  });

  it('copies the server, key, URLs and play URLs through the clipboard, saying Copied', async () => {
    const { room } = await setup();
    const a = await room.streamAddress();
    await fireEvent.click(id('copy-key'));
    expect(copyText).toHaveBeenLastCalledWith(a.streamKey);
    expect(text('copy-key')).toBe('Copied');
    expect(text('copy-server')).toBe('Copy');
    await fireEvent.click(id('copy-server'));
    expect(copyText).toHaveBeenLastCalledWith(a.server);
    expect(text('copy-key')).toBe('Copy');
    await fireEvent.click(id('copy-url'));
    expect(copyText).toHaveBeenLastCalledWith(a.url);
    await fireEvent.click(id('copy-srt'));
    expect(copyText).toHaveBeenLastCalledWith(a.srtUrl);
    await fireEvent.click(id('copy-play-hls'));
    expect(copyText).toHaveBeenLastCalledWith(a.play[1].url);

    vi.mocked(copyText).mockRejectedValueOnce(new Error('the clipboard is not available here'));
    await fireEvent.click(id('copy-key'));
    await waitFor(() => expect(text('copy-error')).toBe('Could not copy: the clipboard is not available here'));
    expect(text('copy-key')).toBe('Copy');
  });

  it('counts down each second, warns within the hour that OBS cannot reconnect after it, then says expired', async () => {
    const { room } = await setup();
    expect(text('push-expiry')).toBe('expires in 1 d');
    expect(id('push-expiry').dataset.level).toBe('ok');
    room.tick(T0 + 61_000);
    flushSync();
    expect(text('push-expiry')).toBe('expires in 23 h 58 min');
    room.tick((EXPIRES - 3599) * 1000);
    flushSync();
    expect(text('push-expiry')).toBe('expires in 59 min 59 s OBS cannot reconnect after this — renew');
    expect(id('push-expiry').dataset.level).toBe('warn');
    room.tick((EXPIRES - 3598) * 1000);
    flushSync();
    expect(text('push-expiry')).toMatch(/^expires in 59 min 58 s/);
    room.tick((EXPIRES + 90) * 1000);
    flushSync();
    expect(text('push-expiry')).toBe('expired 1 min 30 s ago OBS cannot reconnect with this address — renew');
    expect(id('push-expiry').dataset.level).toBe('expired');
  });

  it('renews the address, and rotates the key only after saying OBS must get the new one', async () => {
    const { room, clock, calls, settle } = await setup();
    clock.advance(3_600_000);
    room.tick();
    await fireEvent.click(id('renew-address'));
    await settle();
    expect(calls('renewStreamAddress')).toEqual([[false]]);
    expect(text('address-result')).toMatch(/^Renewed: the new address is valid until /);
    expect(text('push-expiry')).toBe('expires in 1 d');

    await fireEvent.click(id('rotate-key'));
    expect(text('rotate-confirm')).toContain('OBS must get the new key');
    await fireEvent.click(id('rotate-cancel'));
    expect(screen.queryByTestId('rotate-confirm')).toBeNull();
    expect(calls('renewStreamAddress')).toHaveLength(1);

    await fireEvent.click(id('rotate-key'));
    await fireEvent.click(id('rotate-yes'));
    await settle();
    expect(calls('renewStreamAddress')).toEqual([[false], [true]]);
    expect(text('push-key-which')).toBe('(backup key)');
    expect(text('address-result')).toBe('Now on the backup key: apply it to OBS');
    expect(screen.queryByTestId('rotate-confirm')).toBeNull();
  });

  it('shows a refused renewal where it happened', async () => {
    const { backend, settle } = await setup();
    backend.failNext('renewStreamAddress', { code: 'invalid', message: 'cannot make the push address: the key is empty' });
    await fireEvent.click(id('renew-address'));
    await settle();
    expect(text('address-error')).toBe('cannot make the push address: the key is empty');
  });

  it('says when no play domain is configured', async () => {
    await setup({ stream: { playDomain: null } });
    expect(text('no-play')).toBe('No play domain configured');
    expect(screen.queryByTestId('play-urls')).toBeNull();
  });

  it('asks for the address again when the desk reports another expiry (renewed elsewhere)', async () => {
    const { backend, room, clock, calls, settle } = await setup();
    const before = (await room.streamAddress()).streamKey;
    const asked = calls('streamAddress').length;
    clock.advance(60_000);
    await backend.renewStreamAddress(true); // another console
    backend.streamDesk!.poll();
    await settle();
    await waitFor(() => expect(calls('streamAddress').length).toBe(asked + 1));
    await settle();
    await fireEvent.click(id('toggle-key'));
    expect((id('push-key') as HTMLInputElement).value).not.toBe(before);
    expect(text('push-key-which')).toBe('(backup key)');
  });
});

describe('GoLivePanel: going live', () => {
  it('shows the five steps pending before any run', async () => {
    await setup();
    const steps = ['address', 'obs', 'start', 'ingest', 'live'].map((s) => id(`go-live-step-${s}`));
    expect(steps.map((li) => li.dataset.state)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
    expect(steps.map((li) => li.textContent!.trim())).toEqual(['○ Push address', '○ Address in OBS', '○ OBS streaming', '○ CSS receives it', '○ Room live']);
    expect(id('go-live-steps').dataset.outcome).toBe('idle');
  });

  it('shows a step running, with a spinner, as the desk reports it', async () => {
    const { backend, frames } = await setup();
    backend.push({ type: 'goLive', step: 'address', state: 'running', message: 'making the push address', actor: 'mod_mei', at: T0 });
    frames.frame();
    flushSync();
    const step = id('go-live-step-address');
    expect(step.dataset.state).toBe('running');
    expect(step.querySelector('.spinner')).not.toBeNull();
    expect(step.querySelector('[role="img"]')!.getAttribute('aria-label')).toBe('Running');
    expect(step.textContent).toContain('making the push address');
    expect(text('go-live-by')).toBe(`Started by mod_mei at ${formatStamp(T0, T0)}`);
  });

  it('runs the loop: busy while it runs, every step done, "You are live", the room live', async () => {
    const { room, calls, settle } = await setup();
    await fireEvent.click(id('go-live'));
    expect(id('go-live')).toHaveProperty('disabled', true);
    expect(text('go-live')).toBe('Going live…');
    await settle();
    await waitFor(() => expect(id('go-live')).toHaveProperty('disabled', false));
    await settle();
    expect(calls('goLive')).toEqual([[]]);
    const states = ['address', 'obs', 'start', 'ingest', 'live'].map((s) => id(`go-live-step-${s}`).dataset.state);
    expect(states).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(id('go-live-step-ingest').textContent).toContain('CSS receives the stream');
    expect(id('go-live-step-live').textContent).toContain('✓');
    expect(text('go-live-done')).toBe('You are live');
    expect(screen.queryByTestId('go-live-failure')).toBeNull();
    expect(screen.queryByTestId('go-live-error')).toBeNull();
    expect(room.status).toBe('live');
  });

  it('says prominently where it failed, why, and what to do next; a new run clears it', async () => {
    const { backend, settle } = await setup();
    backend.failGoLiveAt('obs', 'OBS is not connected (connection refused); AnchorDesk keeps retrying');
    await fireEvent.click(id('go-live'));
    await settle();
    await waitFor(() => expect(screen.getByTestId('go-live-failure')).toBeTruthy());
    expect(id('go-live-step-obs').dataset.state).toBe('failed');
    expect(id('go-live-step-obs').textContent).toContain('✗');
    expect(['start', 'ingest', 'live'].map((s) => id(`go-live-step-${s}`).dataset.state)).toEqual(['pending', 'pending', 'pending']);
    const failure = id('go-live-failure');
    expect(failure.getAttribute('role')).toBe('alert');
    expect(failure.dataset.step).toBe('obs');
    expect(failure.textContent).toContain('Address in OBS failed: OBS is not connected (connection refused); AnchorDesk keeps retrying');
    expect(failure.textContent).toContain('What to do: Check that OBS is running with its WebSocket server on');
    // The call's own words only repeat the failed step: not shown twice.
    expect(screen.queryByTestId('go-live-error')).toBeNull();

    await fireEvent.click(id('go-live'));
    await settle();
    await waitFor(() => expect(screen.queryByTestId('go-live-failure')).toBeNull());
    await settle();
    expect(text('go-live-done')).toBe('You are live');
  });

  it('a failed OBS or address step offers the matching Settings section', async () => {
    const { backend, settle } = await setup();
    backend.failGoLiveAt('obs', 'OBS refused the password');
    await fireEvent.click(id('go-live'));
    await settle();
    await fireEvent.click(await screen.findByTestId('go-live-failure-settings'));
    expect([settingsNav.open, settingsNav.section]).toEqual([true, 'obs']);
    settingsNav.hide();
    backend.failGoLiveAt('address', 'the push key is refused');
    await fireEvent.click(id('go-live'));
    await settle();
    await waitFor(() => expect(id('go-live-failure').dataset.step).toBe('address'));
    expect(text('go-live-failure-settings')).toBe('Open Settings → Streaming');
    expect(id('go-live-failure').textContent).toContain('Check the push domain and push key in Settings → Streaming');
    settingsNav.section = 'im';
  });

  it('shows a refusal that comes before any step (the room has ended)', async () => {
    const { settle } = await setup({ room: { status: 'ended' } });
    await fireEvent.click(id('go-live'));
    await settle();
    await waitFor(() =>
      expect(text('go-live-error')).toBe(
        'Could not go live: the room is ended; start a new session (upcoming) before going live again',
      ),
    );
    expect(screen.queryByTestId('go-live-failure')).toBeNull();
  });

  it('applies to OBS, stops, and ends only after asking', async () => {
    const { room, calls, settle } = await setup();
    await fireEvent.click(id('apply-obs'));
    await settle();
    expect(text('go-live-result')).toBe('Applied to OBS and read back');

    await fireEvent.click(id('go-live'));
    await settle();
    await waitFor(() => expect(room.status).toBe('live'));
    await fireEvent.click(id('stop-stream'));
    await settle();
    expect(calls('stopStream')).toEqual([[false]]);
    expect(text('go-live-result')).toBe('OBS stopped streaming');
    expect(room.streamHealth?.obs?.live).toBe(false);
    expect(room.status).toBe('live');

    await fireEvent.click(id('end-stream'));
    expect(text('end-confirm')).toContain('end the room’s stream');
    await fireEvent.click(id('end-cancel'));
    expect(calls('stopStream')).toHaveLength(1);
    await fireEvent.click(id('end-stream'));
    await fireEvent.click(id('end-yes'));
    await settle();
    expect(calls('stopStream')).toEqual([[false], [true]]);
    expect(text('go-live-result')).toBe('The stream has ended');
    expect(room.status).toBe('ended');
    expect(screen.queryByTestId('end-confirm')).toBeNull();
  });

  it('shows a refused Apply or Stop with the desk’s words', async () => {
    const { backend, settle } = await setup();
    backend.streamDesk!.disconnectObs('connection refused');
    await fireEvent.click(id('apply-obs'));
    await settle();
    expect(text('go-live-action-error')).toBe('Obs: OBS is not connected (connection refused); AnchorDesk keeps retrying');
  });

  it('notes auto-pause when it is on', async () => {
    await setup();
    expect(text('auto-pause-note')).toBe(
      'The room pauses automatically if CSS loses the stream, and goes live again when it returns.',
    );
    cleanup();
    await setup({ stream: { autoPause: false } });
    expect(screen.queryByTestId('auto-pause-note')).toBeNull();
  });
});

describe('GoLivePanel: not set up', () => {
  it('shows the app’s message, for the address and for Go live', async () => {
    const { settle } = await setup({ stream: null });
    await waitFor(() => expect(text('stream-error')).toBe(NOT_SET_UP));
    expect(screen.queryByTestId('push-server')).toBeNull();
    await fireEvent.click(id('go-live'));
    await settle();
    await waitFor(() => expect(text('go-live-error')).toBe(`Could not go live: ${NOT_SET_UP}`));
  });

  it('points to Settings → Streaming, from the address and from Go live', async () => {
    const { settle } = await setup({ stream: null });
    await waitFor(() => expect(text('stream-error')).toBe(NOT_SET_UP));
    await fireEvent.click(id('stream-open-settings'));
    expect([settingsNav.open, settingsNav.section]).toEqual([true, 'streaming']);
    settingsNav.hide();
    settingsNav.section = 'im';
    await fireEvent.click(id('go-live'));
    await settle();
    await fireEvent.click(await screen.findByTestId('go-live-open-settings'));
    expect([settingsNav.open, settingsNav.section]).toEqual([true, 'streaming']);
    settingsNav.hide();
  });

  it('offers no settings link for an error that settings cannot fix', async () => {
    await setup({}, ({ backend }) => backend.failNext('streamAddress', { code: 'offline', message: 'the stream desk is unreachable' }));
    await waitFor(() => expect(text('stream-error')).toBe('the stream desk is unreachable'));
    expect(screen.queryByTestId('stream-open-settings')).toBeNull();
  });

  it('retries the address', async () => {
    const { backend, settle } = await setup({}, ({ backend }) =>
      backend.failNext('streamAddress', { code: 'offline', message: 'the stream desk is unreachable' }),
    );
    await waitFor(() => expect(text('stream-error')).toBe('the stream desk is unreachable'));
    await fireEvent.click(id('stream-retry'));
    await settle();
    await screen.findByTestId('push-server');
    expect(screen.queryByTestId('stream-error')).toBeNull();
    expect(backend.calls.filter((c) => c.method === 'streamAddress')).toHaveLength(2);
  });
});
