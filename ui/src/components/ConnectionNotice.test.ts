// @vitest-environment jsdom
// Why: a remote console must say plainly where its link to the hub stands — reconnecting (which
// attempt, for how long, why, and that commands are refused and nothing is queued) while the room
// stays on screen, or stopped for good (revoked, token refused, hub unusable) with what to do — and
// say nothing when all is well; the room's own "connecting"/"failed" notice shows when the link is up.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import type { HubConnection } from '../lib/bindings';
import { Hub } from '../lib/hub.svelte';
import { locale } from '../lib/locale.svelte';
import { byTestId as q, connectedRoom, mountPerTest } from '../lib/test-support';
import ConnectionNotice from './ConnectionNotice.svelte';

const show = mountPerTest();
afterEach(() => locale.set('en'));

async function setup(overlay: boolean, connection?: HubConnection) {
  const ctx = await connectedRoom({ team: { me: { name: 'mod_alice', role: 'moderator' }, connection } });
  const hub = new Hub({ room: ctx.room });
  hub.start();
  await vi.waitFor(() => expect(hub.connection).not.toBeNull());
  const onSettings = vi.fn();
  show(ConnectionNotice, { room: ctx.room, hub, overlay, onSettings });
  flushSync();
  return { ...ctx, hub, onSettings };
}

describe('ConnectionNotice and the link to the hub', () => {
  it('shows nothing while the link and the room are up', async () => {
    await setup(true);
    expect(q('hub-connection')).toBeNull();
    expect(q('connection-overlay')).toBeNull();
  });

  it('says it is reconnecting — attempt, for how long (ticking), why — without blocking the room', async () => {
    const { backend, room, clock } = await setup(true);
    backend.hubTeam.setConnection({ type: 'reconnecting', attempt: 3, since: clock() - 12_000, reason: 'connection refused' });
    room.tick();
    flushSync();
    const banner = q('hub-connection')!;
    expect(banner.dataset.state).toBe('reconnecting');
    expect(banner.dataset.attempt).toBe('3');
    expect(banner.textContent).toContain('Reconnecting to the hub (attempt 3)');
    expect(q('hub-connection-for')!.textContent).toBe('The link has been down for 12 s:');
    expect(q('hub-connection-reason')!.textContent).toBe('connection refused');
    expect(banner.textContent).toContain('Commands are refused until it is back, and nothing is queued.');
    expect(q('connection-overlay')!.classList.contains('passive')).toBe(true); // the room stays usable to read
    clock.advance(60_000);
    room.tick();
    flushSync();
    expect(q('hub-connection-for')!.textContent).toBe('The link has been down for 1 min 12 s:');

    backend.hubTeam.setConnection({ type: 'connected', role: 'moderator', name: 'mod_alice' });
    flushSync();
    expect(q('hub-connection')).toBeNull();
  });

  it('says a revocation is final and what to do, with Settings', async () => {
    const { backend, onSettings } = await setup(true);
    backend.hubTeam.setConnection({ type: 'revoked', reason: 'the hub closed this console’s stream: access revoked' });
    flushSync();
    const banner = q('hub-connection')!;
    expect(banner.dataset.state).toBe('revoked');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toContain('The owner revoked your access');
    expect(banner.textContent).toContain('Ask the owner for a new invite');
    expect(q('hub-connection-reason')!.textContent).toBe('the hub closed this console’s stream: access revoked');
    expect(q('connection-overlay')!.classList.contains('passive')).toBe(false);
    q('hub-connection-settings')!.click();
    expect(onSettings).toHaveBeenCalledOnce();
  });

  it.each([
    ['unauthorized', 'The hub does not accept this console’s token'],
    ['failed', 'This hub cannot be used as set up'],
  ] as const)('says %s with the reason and Settings', async (type, words) => {
    const { backend } = await setup(true);
    backend.hubTeam.setConnection({ type, reason: 'because' });
    flushSync();
    expect(q('hub-connection')!.dataset.state).toBe(type);
    expect(q('hub-connection')!.textContent).toContain(words);
    expect(q('hub-connection-settings')).not.toBeNull();
  });

  it('says the hub is being reached before the first connection, in the chat window’s line too', async () => {
    await setup(false, { type: 'connecting' });
    expect(q('hub-connection')!.dataset.state).toBe('connecting');
    expect(q('hub-connection')!.textContent).toBe('Connecting to the hub…');
    expect(q('connection-overlay')).toBeNull(); // a line, not an overlay
    expect(q('hub-connection-settings')).toBeNull();
  });

  it('speaks the anchor’s language', async () => {
    const { backend, clock } = await setup(true);
    locale.set('zh');
    backend.hubTeam.setConnection({ type: 'reconnecting', attempt: 2, since: clock(), reason: 'x' });
    flushSync();
    expect(q('hub-connection')!.textContent).toContain('正在重新连接中枢（第 2 次尝试）');
  });

  it('shows the room’s own notice when the link is fine', async () => {
    const { room } = await setup(true);
    room.connection = 'error';
    room.connectionError = { code: 'authExpired', message: 'the IM sign-in expired' };
    flushSync();
    expect(q('hub-connection')).toBeNull();
    expect(q('connection-error')!.textContent).toBe('the IM sign-in expired');
  });
});
