// @vitest-environment jsdom
// Why: the header's health must always be there (saying so quietly before the desk reports), show OBS
// and the ingest in a few words with a tone each, warn about dropped frames and congestion past their
// thresholds, keep the figures in its tooltip, and follow the desk's events and the language.
import { cleanup, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamHealth as Health } from '../lib/bindings';
import { locale } from '../lib/locale.svelte';
import { connectedRoom } from '../lib/test-support';
import StreamHealth from './StreamHealth.svelte';

afterEach(() => {
  cleanup();
  locale.set('en');
});

async function setup(options: Parameters<typeof connectedRoom>[0] = {}) {
  const ctx = await connectedRoom({ room: { status: 'live' }, ...options });
  render(StreamHealth, { props: { room: ctx.room } });
  const frame = () => {
    ctx.frames.frame();
    flushSync();
  };
  return { ...ctx, frame };
}

const part = (id: string) => screen.getByTestId(id);

describe('StreamHealth', () => {
  it('says quietly that there is nothing yet before the desk reports', async () => {
    await setup({ stream: null });
    const health = screen.getByTestId('stream-health');
    expect(health.dataset.state).toBe('none');
    expect(health.textContent!.trim()).toBe('No stream info');
    expect(health.title).toMatch(/has not reported yet/);
  });

  it('shows OBS ready and CSS without a stream (an error while the room is live) before going live', async () => {
    await setup();
    expect(part('health-obs').textContent).toBe('OBS ready');
    expect(part('health-obs').dataset.tone).toBe('idle');
    expect(part('health-css').textContent).toBe('CSS: no stream');
    expect(part('health-css').dataset.tone).toBe('error');
  });

  it('follows the desk: live with the bitrate, CSS receiving, the figures in the tooltip', async () => {
    const { room, backend, frame } = await setup({ room: { status: 'upcoming' } });
    await room.goLive();
    frame();
    expect(part('health-obs').textContent).toBe('OBS live 2,480 kbps');
    expect(part('health-obs').dataset.tone).toBe('ok');
    expect(part('health-css').textContent).toBe('CSS receiving');
    const tooltip = screen.getByTestId('stream-health').title.split('\n');
    expect(tooltip).toContain('Bitrate: 2,480 kbps');
    expect(tooltip).toContain('OBS 31.0.2, obs-websocket 5.5.4');
    expect(tooltip).toContain('Auto-pause is on');
    expect(screen.queryAllByTestId('health-warning')).toEqual([]);

    backend.streamDesk!.disconnectObs('connection refused');
    frame();
    expect(part('health-obs').textContent).toBe('OBS disconnected — retrying');
    expect(part('health-obs').dataset.tone).toBe('error');
    expect(screen.getByTestId('stream-health').title).toContain('Lost OBS: connection refused; retrying in 1 s (attempt 1)');
  });

  it('warns about dropped frames over 5 % and congestion over 0.5', async () => {
    const { backend, frame } = await setup();
    const live = (dropRatio: number, congestion: number): Health => ({
      obs: {
        connection: { type: 'connected', version: { obs: '31.0.2', websocket: '5.5.4' } },
        output: 'started',
        live: true,
        reconnecting: false,
        bitrateKbps: 2100,
        bytes: 10_000,
        durationMs: 60_000,
        totalFrames: 1800,
        skippedFrames: Math.round(1800 * dropRatio),
        dropRatio,
        congestion,
        server: null,
      },
      ingest: { state: 'active', error: null, checkedAt: 0, activeSince: 0 },
      pushExpiresAt: null,
      autoPause: false,
    });
    backend.push({ type: 'streamHealth', ...live(0.05, 0.5) });
    frame();
    expect(screen.queryAllByTestId('health-warning')).toEqual([]);
    backend.push({ type: 'streamHealth', ...live(0.08, 0.75) });
    frame();
    expect(screen.getAllByTestId('health-warning').map((w) => [w.dataset.kind, w.textContent])).toEqual([
      ['drops', '⚠ Drops 8%'],
      ['congestion', '⚠ Congestion 75%'],
    ]);
  });

  it('speaks the chosen language', async () => {
    await setup();
    locale.set('ja');
    flushSync();
    expect(part('health-obs').textContent).toBe('OBS 準備完了');
    expect(part('health-css').textContent).toBe('CSS：ストリームなし');
  });
});
