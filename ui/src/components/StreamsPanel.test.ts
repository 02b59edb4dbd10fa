// @vitest-environment jsdom
// Why: the streams section must list the room's recent streams (asked for with a limit of 20) with
// start, duration or "Live now", peak, messages, likes and gift value; sum up the current (or last)
// stream from the room's `session` state; take the counters of `session` events without asking the
// room again, ask again when a stream starts or ends, and show a failed request with a retry.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { StreamSession } from '../lib/bindings';
import { connectedRoom } from '../lib/test-support';
import { formatStamp } from '../lib/time';
import StreamsPanel from './StreamsPanel.svelte';

let app: Record<string, unknown> | null = null;

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0); // connectedRoom's clock
const HOUR = 3_600_000;
const q = <T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = document) =>
  root.querySelector<T>(`[data-testid="${id}"]`);
const rows = () => [...document.querySelectorAll<HTMLElement>('[data-testid="stream-row"]')];
/** Until the list's request is answered. */
async function answered() {
  await vi.waitFor(() => expect(q('streams-list')!.getAttribute('aria-busy')).toBe('false'));
  flushSync();
}
const cells = (row: HTMLElement) => [...row.querySelectorAll('td')].map((td) => td.textContent!.trim());

const PAST: StreamSession[] = [
  { id: 1, startedAt: T0 - 48 * HOUR, endedAt: T0 - 46 * HOUR, peakOnline: 120, messages: 3400, likes: 25_000, giftValue: 1314 },
  { id: 2, startedAt: T0 - 24 * HOUR, endedAt: T0 - 22.5 * HOUR, peakOnline: 90, messages: 2100, likes: 9000, giftValue: 520 },
];
const LIVE: StreamSession = { id: 3, startedAt: T0 - 42 * 60_000, endedAt: null, peakOnline: 40, messages: 77, likes: 300, giftValue: 5 };

async function setup(options: { sessions?: StreamSession[]; session?: StreamSession | null; status?: 'live' | 'upcoming' | 'ended' } = {}) {
  const ctx = await connectedRoom({
    sessions: options.sessions ?? PAST,
    room: { status: options.status ?? 'live', online: 40, ...(options.session !== undefined ? { session: options.session } : {}) },
  });
  app = mount(StreamsPanel, { target: document.body, props: { room: ctx.room } });
  flushSync();
  const asked = () => ctx.backend.calls.filter((c) => c.method === 'sessions').map((c) => c.args);
  const frame = () => {
    ctx.frames.frame();
    flushSync();
  };
  await vi.waitFor(() => expect(q('streams-list') ?? q('streams-empty') ?? q('streams-error')).not.toBeNull());
  flushSync();
  return { ...ctx, asked, frame };
}

describe('StreamsPanel', () => {
  it('lists the recent streams, newest first, asked for with a limit of 20', async () => {
    const { asked } = await setup({ sessions: [...PAST, LIVE] });
    expect(asked()).toEqual([[20]]);
    expect(rows().map((r) => r.dataset.sessionId)).toEqual(['3', '2', '1']);
    expect(cells(rows()[0])).toEqual([formatStamp(LIVE.startedAt, T0), 'Live now', '40', '77', '300', '5']);
    expect(cells(rows()[1])).toEqual([formatStamp(PAST[1].startedAt, T0), '1 h 30 min', '90', '2,100', '9,000', '520']);
    expect(cells(rows()[2])[1]).toBe('2 h');
  });

  it('sums up the stream going on, or the last one', async () => {
    await setup({ sessions: [...PAST, LIVE] });
    const current = q('session-current')!;
    expect(current.dataset.live).toBe('true');
    expect(current.textContent).toContain('This stream');
    expect(q('session-live')!.textContent).toBe('Live now');
    expect(q('session-duration')!.textContent).toBe('42 min');
    expect([q('session-peak'), q('session-messages'), q('session-likes'), q('session-gifts')].map((e) => e!.textContent)).toEqual([
      '40',
      '77',
      '300',
      '5',
    ]);
    unmount(app!);
    app = null;
    document.body.innerHTML = '';

    await setup();
    expect(q('session-current')!.dataset.live).toBe('false');
    expect(q('session-current')!.textContent).toContain('Last stream');
    expect(q('session-duration')!.textContent).toBe('1 h 30 min');
  });

  it('says when there has been no stream', async () => {
    await setup({ sessions: [], session: null });
    expect(q('session-current')!.textContent).toContain('No stream yet');
    expect(q('streams-empty')!.textContent).toBe('No streams yet');
  });

  it('takes new counters from session events, and asks again when a stream starts or ends', async () => {
    const { room, backend, asked, frame, clock } = await setup({ status: 'upcoming' });
    expect(asked()).toHaveLength(1);

    await room.setStatus('live'); // the room starts stream 3
    frame();
    await vi.waitFor(() => expect(asked()).toHaveLength(2));
    await answered();
    expect(rows().map((r) => r.dataset.sessionId)).toEqual(['3', '2', '1']);

    backend.push({ type: 'chat', id: 'm', userId: 'ava', text: 'hi', at: T0, hidden: false }, { type: 'online', count: 55 });
    backend.reportSession();
    frame();
    expect(q('session-messages')!.textContent).toBe('1');
    expect(cells(rows()[0]).slice(2, 4)).toEqual(['55', '1']);
    expect(asked()).toHaveLength(2); // counters only: no need to ask

    clock.advance(2 * HOUR);
    await room.setStatus('ended');
    frame();
    await vi.waitFor(() => expect(asked()).toHaveLength(3));
    await answered();
    expect(cells(rows()[0])[1]).toBe('2 h');
    expect(q('session-current')!.dataset.live).toBe('false');
  });

  it('shows a failed request with a retry that works', async () => {
    const ctx = await connectedRoom({ sessions: PAST });
    ctx.backend.failNext('sessions', { code: 'offline', message: 'the room store is unreachable' });
    app = mount(StreamsPanel, { target: document.body, props: { room: ctx.room } });
    await vi.waitFor(() => expect(q('streams-error')).not.toBeNull());
    flushSync();
    expect(q('streams-error')!.textContent).toBe('Could not load the streams: the room store is unreachable');
    q('streams-retry')!.click();
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    flushSync();
    expect(q('streams-error')).toBeNull();
  });
});
