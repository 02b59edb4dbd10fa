// Why: the room state must apply every event kind, follow the status machine, keep mute/kick
// bookkeeping right on success (even before the event), and handle the connect lifecycle.
import { describe, expect, it, vi } from 'vitest';
import type { RoomEvent, RoomSnapshot } from './bindings';
import { FakeBackend } from './fake-backend';
import { Room } from './room.svelte';
import { STATUSES, TRANSITIONS, canBecome } from './status';
import { fixedClock, manualFrames } from './test-support';
import { PERMANENT_MUTE_SECONDS, isPermanentMute } from './time';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const NOW_SEC = T0 / 1000;

function snapshot(over: Partial<RoomSnapshot> = {}): Partial<Omit<RoomSnapshot, 'seq'>> {
  return {
    groupId: '@TGS#room1',
    name: 'Test room',
    status: 'live',
    likes: 10,
    online: 5,
    chat: [{ id: 'c1', userId: 'alice', text: 'hello', at: T0 - 1000 }],
    gifts: [{ id: 'g1', userId: 'bob', giftId: 'rose', giftName: 'Rose', count: 3, unitPrice: 2, at: T0 - 500 }],
    members: [
      { userId: 'alice', at: T0 - 2000 },
      { userId: 'bob', at: T0 - 1000 },
    ],
    muted: [{ userId: 'carol', until: NOW_SEC + 60 }],
    blocked: ['spammer'],
    ...over,
  };
}

async function connected(over: Partial<RoomSnapshot> = {}) {
  const clock = fixedClock(T0);
  const frames = manualFrames();
  const backend = new FakeBackend({ clock, room: snapshot(over) });
  const room = new Room({ backend, clock, schedule: frames.schedule, sleep: async () => {} });
  await room.connect();
  const push = (...events: RoomEvent[]) => {
    backend.push(...events);
    frames.frame();
  };
  return { room, backend, frames, clock, push };
}

describe('status transitions (mirror of Rust)', () => {
  it('is exactly the documented table', () => {
    expect(TRANSITIONS).toEqual({
      upcoming: ['live', 'ended'],
      live: ['paused', 'ended'],
      paused: ['live', 'ended'],
      ended: ['replay', 'upcoming'],
      replay: ['upcoming', 'ended'],
    });
  });

  it('follows a normal stream and forbids the rest', () => {
    const path = ['upcoming', 'live', 'paused', 'live', 'ended', 'replay', 'upcoming'] as const;
    for (let i = 1; i < path.length; i++) expect(canBecome(path[i - 1], path[i])).toBe(true);
    expect(canBecome('ended', 'live')).toBe(false);
    expect(canBecome('replay', 'live')).toBe(false);
    expect(canBecome('upcoming', 'paused')).toBe(false);
    for (const s of STATUSES) expect(canBecome(s, s)).toBe(false);
  });
});

describe('Room: snapshot and events', () => {
  it('loads the snapshot', async () => {
    const { room } = await connected();
    expect(room.connection).toBe('connected');
    expect(room.name).toBe('Test room');
    expect(room.groupId).toBe('@TGS#room1');
    expect(room.status).toBe('live');
    expect([room.likes, room.online]).toEqual([10, 5]);
    expect(room.rows.map((r) => r.key)).toEqual(['c:c1']);
    expect(room.gifts).toHaveLength(1);
    expect(room.topGifters).toEqual([{ userId: 'bob', coins: 6, gifts: 3 }]);
    expect(room.members.map((m) => m.userId)).toEqual(['bob', 'alice']); // most recent first
    expect(room.muteOf('carol')?.until).toBe(NOW_SEC + 60);
    expect(room.isBlocked('spammer')).toBe(true);
  });

  it('applies events only on the next frame', async () => {
    const { room, backend, frames } = await connected();
    backend.push({ type: 'likes', total: 99 });
    expect(room.likes).toBe(10);
    frames.frame();
    expect(room.likes).toBe(99);
  });

  it('chat', async () => {
    const { room, push } = await connected();
    push({ type: 'chat', id: 'c2', userId: 'dave', text: '你好 안녕 こんにちは', at: T0 });
    expect(room.rows.at(-1)).toMatchObject({ kind: 'chat', userId: 'dave', text: '你好 안녕 こんにちは' });
    expect(room.appended).toBe(1);
  });

  it('gift: line, combo count and per-user totals', async () => {
    const { room, push } = await connected();
    push(
      { type: 'gift', id: 'g2', userId: 'erin', giftId: 'rocket', giftName: 'Rocket', count: 1, unitPrice: 500, at: T0 },
      { type: 'gift', id: 'g3', userId: 'bob', giftId: 'rose', giftName: 'Rose', count: 10, unitPrice: 2, at: T0 },
      { type: 'gift', id: 'g3', userId: 'bob', giftId: 'rose', giftName: 'Rose', count: 10, unitPrice: 2, at: T0 },
    );
    expect(room.gifts.map((g) => g.id)).toEqual(['g1', 'g2', 'g3']); // repeated id counted once
    expect(room.topGifters).toEqual([
      { userId: 'erin', coins: 500, gifts: 1 },
      { userId: 'bob', coins: 26, gifts: 13 },
    ]);
  });

  it('likes, online, status', async () => {
    const { room, push } = await connected();
    push({ type: 'likes', total: 1234 }, { type: 'online', count: 77 }, { type: 'status', status: 'paused' });
    expect([room.likes, room.online, room.status]).toEqual([1234, 77, 'paused']);
    expect(room.rows.at(-1)).toMatchObject({ kind: 'status', status: 'paused' });
  });

  it('memberJoined / memberLeft', async () => {
    const { room, push } = await connected();
    push({ type: 'memberJoined', userId: 'frank', at: T0 });
    expect(room.members.map((m) => m.userId)).toEqual(['frank', 'bob', 'alice']);
    push({ type: 'memberJoined', userId: 'alice', at: T0 + 1 });
    expect(room.members.map((m) => m.userId)).toEqual(['alice', 'frank', 'bob']);
    push({ type: 'memberLeft', userId: 'frank', at: T0 + 2 });
    expect(room.members.map((m) => m.userId)).toEqual(['alice', 'bob']);
  });

  it('userMuted with a time, permanently, and unmuted (null)', async () => {
    const { room, push } = await connected();
    push({ type: 'userMuted', userId: 'dave', until: NOW_SEC + 600 });
    expect(room.muteOf('dave')?.until).toBe(NOW_SEC + 600);
    expect(room.rows.at(-1)).toMatchObject({ kind: 'muted', userId: 'dave' });
    push({ type: 'userMuted', userId: 'dave', until: NOW_SEC + PERMANENT_MUTE_SECONDS });
    expect(room.activeMutes.filter((m) => m.userId === 'dave')).toHaveLength(1);
    expect(isPermanentMute(room.muteOf('dave')!.until, room.now)).toBe(true);
    push({ type: 'userMuted', userId: 'dave', until: null });
    expect(room.muteOf('dave')).toBeNull();
    expect(room.rows.at(-1)).toMatchObject({ kind: 'unmuted', userId: 'dave' });
  });

  it('expired mutes stop counting as the clock moves', async () => {
    const { room, clock } = await connected();
    expect(room.activeMutes.map((m) => m.userId)).toEqual(['carol']);
    clock.advance(61_000);
    room.tick();
    expect(room.activeMutes).toEqual([]);
    expect(room.muteOf('carol')).toBeNull();
  });

  it('userKicked removes the member and blocks; joinRefused lists the user as blocked', async () => {
    const { room, push } = await connected();
    push({ type: 'userKicked', userId: 'alice' });
    expect(room.members.map((m) => m.userId)).toEqual(['bob']);
    expect(room.isBlocked('alice')).toBe(true);
    expect(room.rows.at(-1)).toMatchObject({ kind: 'kicked', userId: 'alice' });
    push({ type: 'joinRefused', userId: 'troll' });
    expect(room.blocked).toEqual(['spammer', 'alice', 'troll']);
    expect(room.rows.at(-1)).toMatchObject({ kind: 'joinRefused', userId: 'troll' });
    push({ type: 'joinRefused', userId: 'troll' });
    expect(room.blocked).toEqual(['spammer', 'alice', 'troll']);
  });
});

describe('Room: actions', () => {
  it('setStatus applies the new status when the call resolves, before any event is applied', async () => {
    const { room, backend } = await connected();
    await room.setStatus('paused');
    expect(backend.calls.at(-1)).toEqual({ method: 'setStatus', args: ['paused'] });
    expect(room.status).toBe('paused'); // the status event is still waiting for its frame
  });

  it('setStatus rejects with the WireError and leaves the status', async () => {
    const { room, backend } = await connected();
    backend.failNext('setStatus', { code: 'forbidden', message: 'not your room' });
    await expect(room.setStatus('ended')).rejects.toEqual({ code: 'forbidden', message: 'not your room' });
    expect(room.status).toBe('live');
  });

  it('mute / unmute / kick bookkeeping follows success', async () => {
    const { room, backend } = await connected();
    await room.mute('dave', 600);
    expect(backend.calls.at(-1)).toEqual({ method: 'mute', args: ['dave', 600] });
    expect(room.muteOf('dave')?.until).toBe(NOW_SEC + 600);

    await room.mute('erin', PERMANENT_MUTE_SECONDS);
    expect(isPermanentMute(room.muteOf('erin')!.until, room.now)).toBe(true);

    await room.unmute('dave');
    expect(backend.calls.at(-1)).toEqual({ method: 'mute', args: ['dave', 0] });
    expect(room.muteOf('dave')).toBeNull();

    await room.kick('bob');
    expect(backend.calls.at(-1)).toEqual({ method: 'kick', args: ['bob'] });
    expect(room.isBlocked('bob')).toBe(true);
    expect(room.members.some((m) => m.userId === 'bob')).toBe(false);
  });

  it('a failed mute or kick changes nothing and rejects with the message', async () => {
    const { room, backend } = await connected();
    backend.failNext('mute', { code: 'rateLimited', message: 'slow down' });
    await expect(room.mute('dave', 60)).rejects.toMatchObject({ message: 'slow down' });
    expect(room.muteOf('dave')).toBeNull();
    backend.failNext('kick', { code: 'offline', message: 'IM is unreachable' });
    await expect(room.kick('alice')).rejects.toMatchObject({ code: 'offline' });
    expect(room.isBlocked('alice')).toBe(false);
  });
});

describe('Room: connecting', () => {
  it('retries subscribe every retryDelayMs while notReady, then connects', async () => {
    const clock = fixedClock(T0);
    const backend = new FakeBackend({ clock, room: snapshot() });
    backend.failNext('subscribe', { code: 'notReady', message: 'starting' }, 3);
    const sleeps: number[] = [];
    const room = new Room({ backend, clock, schedule: manualFrames().schedule, sleep: async (ms) => void sleeps.push(ms) });
    const states: string[] = [];
    const done = room.connect();
    states.push(room.connection);
    await done;
    expect(states).toEqual(['connecting']);
    expect(sleeps).toEqual([1000, 1000, 1000]);
    expect(backend.calls.filter((c) => c.method === 'subscribe')).toHaveLength(4);
    expect(room.connection).toBe('connected');
    expect(room.connectionError).toBeNull();
  });

  it('stops at any other error, with the message, and can retry', async () => {
    const backend = new FakeBackend({ room: snapshot() });
    backend.failNext('subscribe', { code: 'authExpired', message: 'sign in again' });
    const room = new Room({ backend, schedule: manualFrames().schedule, sleep: async () => {} });
    await room.connect();
    expect(room.connection).toBe('error');
    expect(room.connectionError).toEqual({ code: 'authExpired', message: 'sign in again' });
    await room.connect();
    expect(room.connection).toBe('connected');
  });

  it('normalises non-WireError rejections', async () => {
    const backend = new FakeBackend();
    vi.spyOn(backend, 'subscribe').mockRejectedValueOnce('command room_subscribe not found');
    const room = new Room({ backend, schedule: manualFrames().schedule, sleep: async () => {} });
    await room.connect();
    expect(room.connectionError).toEqual({ code: 'internal', message: 'command room_subscribe not found' });
  });

  it('events that beat the snapshot over the channel are kept if newer than it', async () => {
    const frames = manualFrames();
    const backend = new FakeBackend({ room: snapshot() });
    const base = backend.snapshot();
    vi.spyOn(backend, 'subscribe').mockImplementationOnce(async (onEvents) => {
      onEvents([
        { seq: 1, event: { type: 'online', count: 1 } },
        { seq: 2, event: { type: 'online', count: 2 } },
        { seq: 3, event: { type: 'online', count: 3 } },
      ]);
      return { ...base, seq: 2, online: 2 };
    });
    const room = new Room({ backend, schedule: frames.schedule, sleep: async () => {} });
    await room.connect();
    expect(room.online).toBe(2);
    frames.frame();
    expect(room.online).toBe(3);
    expect(room.feed.lastSeq).toBe(3);
  });
});
