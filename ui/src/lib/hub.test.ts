// Why: the hub store is what the console knows of its team — the link, who it is, the team — and what
// the room's role follows. It must ask at start and follow the link, ask the team only while it is
// watched (every 5 s, never faster) and at once when the audit log says the team changed, and ask
// again after the link comes back.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HubConnection } from './bindings';
import { Hub, TEAM_POLL_MS } from './hub.svelte';
import { connectedRoom } from './test-support';
import type { FakeTeamOptions } from './fake-team';

const RECONNECTING: HubConnection = { type: 'reconnecting', attempt: 2, since: Date.UTC(2025, 0, 1, 11, 59), reason: 'connection refused' };

async function flush() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

async function started(team?: FakeTeamOptions) {
  const ctx = await connectedRoom({ team });
  const hub = new Hub({ room: ctx.room });
  const stop = hub.start();
  await flush();
  const count = (method: string) => ctx.backend.calls.filter((c) => c.method === method).length;
  return { ...ctx, hub, stop, count };
}

describe('Hub', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('asks the link and who this console is at start; an embedded console is the connected owner', async () => {
    const { hub, room, count } = await started();
    expect(count('hubConnection')).toBe(1);
    expect(count('hubMe')).toBe(1);
    expect(hub.connection).toEqual({ type: 'connected', role: 'owner', name: 'anchor' });
    expect(hub.me?.role).toBe('owner');
    expect(hub.down).toBeNull();
    expect(hub.remote).toBe(false); // never seen down, and the app is not in remote mode
    expect(room.role).toBe('owner');
  });

  it('makes the room’s role the hub’s answer, so the UI offers a moderator only the chat actions', async () => {
    const { hub, room } = await started({ me: { name: 'mod_alice', role: 'moderator' } });
    expect(hub.role).toBe('moderator');
    expect(room.role).toBe('moderator');
    expect(room.can('moderate')).toBe(true);
    expect(room.can('status')).toBe(false);
  });

  it('follows the link; back after a drop, it asks who-am-I again and the room info if it has none', async () => {
    const { hub, backend, room, count } = await started({ me: { name: 'mod_alice', role: 'moderator' } });
    backend.hubTeam.setConnection(RECONNECTING);
    expect(hub.down).toEqual(RECONNECTING);
    expect(hub.stale).toBe(true);
    expect(hub.remote).toBe(true);
    room.info = null;
    backend.hubTeam.setConnection({ type: 'connected', role: 'moderator', name: 'mod_alice' });
    await flush();
    expect(hub.down).toBeNull();
    expect(count('hubMe')).toBe(2);
    expect(count('appInfo')).toBe(1);
    expect(room.info).not.toBeNull();
  });

  it('learns who it is once a remote console first connects (the hub could not say before)', async () => {
    const { hub, backend, room, count } = await started({
      me: { name: 'prod_bo', role: 'viewer' },
      connection: { type: 'connecting' },
    });
    expect(hub.me).toBeNull(); // refused: still connecting
    expect(hub.down).toEqual({ type: 'connecting' });
    expect(hub.stale).toBe(false); // nothing on screen yet to be stale
    backend.hubTeam.setConnection({ type: 'connected', role: 'viewer', name: 'prod_bo' });
    await flush();
    expect(count('hubMe')).toBe(2);
    expect(hub.me?.name).toBe('prod_bo');
    expect(room.role).toBe('viewer');
  });

  it('asks the team only while watched: at once, then every 5 s, and not after the watch stops', async () => {
    const { hub, count } = await started();
    await vi.advanceTimersByTimeAsync(3 * TEAM_POLL_MS);
    expect(count('team')).toBe(0);
    const stop = hub.watch();
    await flush();
    expect(count('team')).toBe(1);
    expect(count('people')).toBe(1); // the owner's list too
    expect(hub.teamLoaded).toBe(true);
    expect(hub.team.map((m) => m.role)).toEqual(['owner']);
    await vi.advanceTimersByTimeAsync(TEAM_POLL_MS - 1);
    expect(count('team')).toBe(1); // not faster than every 5 s
    await vi.advanceTimersByTimeAsync(1);
    expect(count('team')).toBe(2);
    stop();
    await vi.advanceTimersByTimeAsync(3 * TEAM_POLL_MS);
    expect(count('team')).toBe(2);
  });

  it('does not ask a moderator’s hub for the owner’s people list', async () => {
    const { hub, count } = await started({ me: { name: 'mod_alice', role: 'moderator' } });
    hub.watch();
    await flush();
    expect(count('team')).toBe(1);
    expect(count('people')).toBe(0);
    expect(hub.team.map((m) => m.name)).toEqual(['anchor', 'mod_alice']);
  });

  it('asks at once when the audit log says someone joined, and at most once more for a burst', async () => {
    const { hub, backend, frames, count } = await started();
    hub.watch();
    await flush();
    const invite = await hub.invite('moderator', 'mod_alice', 3600);
    frames.frame();
    await flush();
    const before = count('team');
    backend.hubTeam.redeem(invite.code, null); // the hub audits the join: it reaches the room's feed
    frames.frame();
    await flush();
    expect(count('team')).toBe(before + 1);
    expect(hub.people.map((p) => p.name)).toEqual(['mod_alice']);
    expect(hub.team.map((m) => m.name)).toEqual(['anchor', 'mod_alice']);

    const line = (id: number) => ({ type: 'audit' as const, id, at: 0, actor: 'anchor', action: 'revoke' as const, target: 'x', detail: '', reason: '', duration: null, undoneBy: null });
    backend.push(line(900), line(901), line(902));
    frames.frame();
    await flush();
    expect(count('team') - before - 1).toBeLessThanOrEqual(2); // one now, one after it: not one per line
  });

  it('leaves the team alone on other audit lines, and while nobody watches', async () => {
    const { hub, room, frames, count } = await started();
    await room.kick('spammer');
    frames.frame();
    await flush();
    expect(count('team')).toBe(0);
    const stop = hub.watch();
    await flush();
    expect(count('team')).toBe(1);
    await room.kick('spammer2');
    frames.frame();
    await flush();
    expect(count('team')).toBe(1);
    stop();
    await hub.invite('viewer', null, 3600); // an invite line, but nobody watches
    frames.frame();
    await flush();
    expect(count('team')).toBe(2); // only the refresh the invite itself asks
  });

  it('keeps the last team and says why when a refresh fails', async () => {
    const { hub, backend } = await started();
    hub.watch();
    await flush();
    backend.failNext('team', { code: 'offline', message: 'the hub is unreachable (refused); this was not done' });
    await vi.advanceTimersByTimeAsync(TEAM_POLL_MS);
    await flush();
    expect(hub.teamError?.code).toBe('offline');
    expect(hub.team).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(TEAM_POLL_MS);
    await flush();
    expect(hub.teamError).toBeNull();
  });

  it('stops listening when stopped', async () => {
    const { hub, backend, stop } = await started();
    stop();
    backend.hubTeam.setConnection(RECONNECTING);
    expect(hub.down).toBeNull();
  });
});
