// Why: the room state must apply every event kind, follow the status machine, keep moderation
// bookkeeping right on success (even before the event), and handle the connect lifecycle.
import { describe, expect, it, vi } from 'vitest';
import type { AuditLine, Feed, RoomEvent, RoomSnapshot } from './bindings';
import { FakeBackend } from './fake-backend';
import { Room } from './room.svelte';
import { STATUSES, TRANSITIONS, canBecome } from './status';
import { fixedClock, manualFrames } from './test-support';
import { PERMANENT_MUTE_SECONDS, isPermanentMute } from './time';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const NOW_SEC = T0 / 1000;

function audit(id: number, over: Partial<AuditLine> = {}): AuditLine {
  return {
    id,
    at: T0,
    actor: 'anchor',
    action: 'mute',
    target: 'carol',
    detail: '',
    reason: '',
    duration: 60,
    undoneBy: null,
    ...over,
  };
}

function snapshot(over: Partial<RoomSnapshot> = {}): Partial<Omit<RoomSnapshot, 'seq' | 'words'>> {
  return {
    groupId: '@TGS#room1',
    name: 'Test room',
    status: 'live',
    likes: 10,
    online: 5,
    chat: [{ id: 'c1', userId: 'alice', text: 'hello', at: T0 - 1000, hidden: false }],
    gifts: [{ id: 'g1', userId: 'bob', giftId: 'rose', giftName: 'Rose', count: 3, unitPrice: 2, at: T0 - 500 }],
    members: [
      { userId: 'alice', at: T0 - 2000 },
      { userId: 'bob', at: T0 - 1000 },
    ],
    muted: [{ userId: 'carol', until: NOW_SEC + 60 }],
    blocked: ['spammer'],
    held: [{ id: 4, userId: 'erin', text: 'free coins', pattern: 'free coins', at: T0 - 300 }],
    filtered: [{ userId: 'frank', text: 'spam', pattern: 'spam', action: 'drop', at: T0 - 200 }],
    audit: [audit(1), audit(2, { action: 'kick', target: 'spammer', duration: null, reason: 'links' })],
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
    const { room, backend } = await connected();
    expect(room.connection).toBe('connected');
    expect(room.name).toBe('Test room');
    expect(room.groupId).toBe('@TGS#room1');
    expect(room.status).toBe('live');
    expect([room.likes, room.online]).toEqual([10, 5]);
    // The held and filtered messages show among the chat lines, by time (moderators see them there).
    expect(room.rows.map((r) => r.key)).toEqual(['c:c1', 'h:4', 'f:0']);
    expect(room.gifts).toHaveLength(1);
    expect(room.topGifters).toEqual([{ userId: 'bob', coins: 6, gifts: 3 }]);
    expect(room.members.map((m) => m.userId)).toEqual(['bob', 'alice']); // most recent first
    expect(room.muteOf('carol')?.until).toBe(NOW_SEC + 60);
    expect(room.isBlocked('spammer')).toBe(true);
    expect(room.held.map((h) => h.id)).toEqual([4]);
    expect(room.filtered.map((f) => f.userId)).toEqual(['frank']);
    expect(room.audit.map((l) => l.id)).toEqual([1, 2]);
    expect(room.words).toBe(backend.snapshot().words);
    expect(room.words).toBeGreaterThan(0);
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
    push({ type: 'chat', id: 'c2', userId: 'dave', text: '你好 안녕 こんにちは', at: T0, hidden: false });
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

  it('gift: the top gifters stay what a full count says, gift after gift, and their ranks keep one map while the order holds', async () => {
    const { room, push } = await connected();
    // Totals by hand, from the snapshot's gift on: the reference the room's incremental list must match.
    const totals = new Map<string, { userId: string; coins: number; gifts: number }>([['bob', { userId: 'bob', coins: 6, gifts: 3 }]]);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let batch = 0; batch < 40; batch++) {
      const events: RoomEvent[] = [];
      for (let i = 0; i < 10; i++) {
        const userId = `u${Math.floor(random() * 30)}`;
        const count = 1 + Math.floor(random() * 3);
        const unitPrice = [1, 1, 2, 5][Math.floor(random() * 4)];
        events.push({ type: 'gift', id: `x${batch}-${i}`, userId, giftId: 'g', giftName: 'G', count, unitPrice, at: T0 });
        const t = totals.get(userId) ?? { userId, coins: 0, gifts: 0 };
        totals.set(userId, { userId, coins: t.coins + count * unitPrice, gifts: t.gifts + count });
      }
      push(...events);
      const expected = [...totals.values()]
        .sort((a, b) => b.coins - a.coins || b.gifts - a.gifts || a.userId.localeCompare(b.userId))
        .slice(0, 5);
      expect(room.topGifters).toEqual(expected);
    }
    const ranks = room.topRanks;
    expect([...ranks.entries()]).toEqual(room.topGifters.map((g, i) => [g.userId, i + 1]));
    // The leader gives again: their total grows, the order does not change, nor does the ranks map.
    const leader = room.topGifters[0].userId;
    push({ type: 'gift', id: 'again', userId: leader, giftId: 'g', giftName: 'G', count: 1, unitPrice: 1, at: T0 });
    expect(room.topGifters[0].coins).toBe(totals.get(leader)!.coins + 1);
    expect(room.topRanks).toBe(ranks);
    // Someone new outgives everyone: a new order, a new map.
    push({ type: 'gift', id: 'whale', userId: 'whale', giftId: 'g', giftName: 'G', count: 1, unitPrice: 100_000, at: T0 });
    expect(room.topRanks).not.toBe(ranks);
    expect(room.topRanks.get('whale')).toBe(1);
    expect(room.topRanks.get(leader)).toBe(2);
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

describe('Room: lottery', () => {
  it('takes the lottery from the snapshot and follows its events', async () => {
    const { room, push } = await connected({ lottery: { keyword: '888', open: true, entrants: 2, winners: [], seed: null } });
    expect(room.lottery?.entrants).toBe(2);
    push({ type: 'lottery', keyword: '888', open: false, entrants: 5, winners: ['a', 'b'], seed: '7' });
    expect(room.lottery).toEqual({ keyword: '888', open: false, entrants: 5, winners: ['a', 'b'], seed: '7' });
  });
});

describe('Room: notice and online history', () => {
  it('takes the notice from the snapshot and the notice event, and records online readings', async () => {
    const { room, push } = await connected({ notice: '今晚八点', introduction: 'intro', onlineHistory: [{ at: T0, count: 3 }] });
    expect([room.notice, room.introduction]).toEqual(['今晚八点', 'intro']);
    push({ type: 'notice', notice: 'New notice', introduction: '' }, { type: 'online', count: 7 });
    expect(room.notice).toBe('New notice');
    expect(room.onlineHistory.map((p) => p.count)).toEqual([3, 7]);
  });
});

describe('Room: popularity, notice changes, user cards', () => {
  it('takes the popularity from the snapshot and the popularity event', async () => {
    const { room, push } = await connected({ popularity: 4321 });
    expect(room.popularity).toBe(4321);
    push({ type: 'popularity', score: 5000 });
    expect(room.popularity).toBe(5000);
    push({ type: 'likes', total: 99 });
    expect(room.popularity).toBe(5000); // only its own event changes it
  });

  it('setNotice sends the change and applies what was sent on success only', async () => {
    const { room, backend } = await connected({ notice: 'old', introduction: 'intro' });
    await room.setNotice({ notice: '今晚八点' });
    expect(backend.calls.at(-1)).toEqual({ method: 'setNotice', args: [{ notice: '今晚八点' }] });
    expect([room.notice, room.introduction]).toEqual(['今晚八点', 'intro']); // before any event is applied

    backend.failNext('setNotice', { code: 'offline', message: 'Tencent IM is unreachable' });
    await expect(room.setNotice({ introduction: 'x' })).rejects.toEqual({ code: 'offline', message: 'Tencent IM is unreachable' });
    await expect(room.setNotice({ notice: '公'.repeat(101) })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('303 bytes') });
    expect([room.notice, room.introduction]).toEqual(['今晚八点', 'intro']);
  });

  it('loads user cards and saves notes through the backend, rejecting with WireErrors', async () => {
    const { room, backend } = await connected();
    await room.setNote('alice', 'regular');
    const card = await room.userCard('alice');
    expect(card).toMatchObject({ userId: 'alice', messages: 1, note: 'regular' });
    expect(card.messagesRecent.map((m) => m.text)).toEqual(['hello']);
    backend.failNext('userCard', { code: 'roomGone', message: 'the room is gone' });
    await expect(room.userCard('alice')).rejects.toEqual({ code: 'roomGone', message: 'the room is gone' });
    await expect(room.setNote('alice', 'x'.repeat(2001))).rejects.toMatchObject({ code: 'invalid' });
  });
});

describe('Room: moderation events', () => {
  it('drops replace their minute, stay in time order and keep the last hour', async () => {
    const { room, push } = await connected();
    const count = (sent: number, dropped: number) => ({ sent, dropped });
    const minute = (i: number, dropped: number) => ({
      type: 'drops' as const,
      at: T0 + i * 60_000,
      high: count(1, 0),
      normal: count(10, dropped),
      low: count(5, 5),
    });
    push(minute(1, 2), minute(0, 1), minute(1, 4));
    expect(room.drops.map((m) => [m.at, m.normal.dropped])).toEqual([
      [T0, 1],
      [T0 + 60_000, 4],
    ]);
    push(...Array.from({ length: 70 }, (_, i) => minute(i + 2, 0)));
    expect(room.drops.length).toBe(60);
    expect(room.drops.at(-1)?.at).toBe(T0 + 71 * 60_000);
  });

  it('held adds to the queue once; heldResolved removes it', async () => {
    const { room, push } = await connected();
    const line = { id: 5, userId: 'gina', text: 'バカ', pattern: 'バカ', at: T0 };
    push({ type: 'held', ...line }, { type: 'held', ...line });
    expect(room.held.map((h) => h.id)).toEqual([4, 5]);
    expect(room.held[1]).toEqual(line);
    push({ type: 'heldResolved', id: 4, approved: true, actor: 'mod_mei' });
    expect(room.held.map((h) => h.id)).toEqual([5]);
    push({ type: 'heldResolved', id: 99, approved: false, actor: 'anchor' }); // unknown: no change
    expect(room.held.map((h) => h.id)).toEqual([5]);
    // Moderators see it in the chat too, once (keyed by the held id), marked when resolved.
    expect(room.rows.flatMap((r) => (r.kind === 'held' ? [[r.key, r.resolution]] : []))).toEqual([
      ['h:4', 'approved'],
      ['h:5', null],
    ]);
    push({ type: 'heldResolved', id: 5, approved: false, actor: 'anchor' });
    expect(room.rows.at(-1)).toMatchObject({ kind: 'held', key: 'h:5', resolution: 'rejected' });
  });

  it('blocked lists the message for moderators, newest last, bounded', async () => {
    const clock = fixedClock(T0);
    const frames = manualFrames();
    const backend = new FakeBackend({ clock, room: snapshot() });
    const room = new Room({ backend, clock, schedule: frames.schedule, sleep: async () => {}, filteredCap: 3 });
    await room.connect();
    for (let i = 0; i < 4; i++) {
      backend.push({ type: 'blocked', userId: `u${i}`, text: '加微信', pattern: '加微信', action: 'refuse', at: T0 + i });
    }
    frames.frame();
    expect(room.filtered.map((f) => f.userId)).toEqual(['u1', 'u2', 'u3']);
    expect(room.filtered[2]).toMatchObject({ text: '加微信', pattern: '加微信', action: 'refuse', at: T0 + 3 });
    expect(new Set(room.filtered.map((f) => f.key)).size).toBe(3);
  });

  it('userUnblocked lifts the block, with a system line', async () => {
    const { room, push } = await connected();
    push({ type: 'userUnblocked', userId: 'spammer' });
    expect(room.isBlocked('spammer')).toBe(false);
    expect(room.rows.at(-1)).toMatchObject({ kind: 'unblocked', userId: 'spammer' });
  });

  it('audit appends lines (bounded, oldest first) and replaces a line with the same id', async () => {
    const clock = fixedClock(T0);
    const frames = manualFrames();
    const backend = new FakeBackend({ clock, room: snapshot() });
    const room = new Room({ backend, clock, schedule: frames.schedule, sleep: async () => {}, auditCap: 3 });
    await room.connect();
    backend.push({ type: 'audit', ...audit(3, { action: 'ban', duration: 3600 }) });
    frames.frame();
    expect(room.audit.map((l) => l.id)).toEqual([1, 2, 3]);
    expect(room.audit[2]).toEqual(audit(3, { action: 'ban', duration: 3600 }));
    backend.push({ type: 'audit', ...audit(2, { action: 'kick', undoneBy: 4 }) });
    frames.frame();
    expect(room.audit.map((l) => [l.id, l.undoneBy])).toEqual([[1, null], [2, 4], [3, null]]);
    backend.push({ type: 'audit', ...audit(4, { action: 'unblock' }) });
    frames.frame();
    expect(room.audit.map((l) => l.id)).toEqual([2, 3, 4]);
  });

  it('words updates the rule count', async () => {
    const { room, push } = await connected();
    push({ type: 'words', count: 42 });
    expect(room.words).toBe(42);
  });

  it('a ban shows as a kick: the user is blocked', async () => {
    const { room, backend, frames } = await connected();
    await backend.moderate({ type: 'ban', userId: 'alice', seconds: 3600, reason: '' });
    frames.frame();
    expect(room.isBlocked('alice')).toBe(true);
    expect(room.audit.at(-1)).toMatchObject({ action: 'ban', target: 'alice', duration: 3600 });
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

  it('mute / unmute / kick / ban / unban / unblock send ModActions; bookkeeping follows success', async () => {
    const { room, backend } = await connected();
    const sent = () => backend.calls.at(-1);
    await room.mute('dave', 600, { reason: 'spam' });
    expect(sent()).toEqual({
      method: 'moderate',
      args: [{ type: 'mute', userId: 'dave', seconds: 600, untilEndOfStream: false, reason: 'spam' }],
    });
    expect(room.muteOf('dave')?.until).toBe(NOW_SEC + 600);

    await room.mute('erin', PERMANENT_MUTE_SECONDS);
    expect(isPermanentMute(room.muteOf('erin')!.until, room.now)).toBe(true);

    await room.mute('gina', 0, { untilEndOfStream: true });
    expect(sent()!.args).toEqual([{ type: 'mute', userId: 'gina', seconds: 86400, untilEndOfStream: true, reason: '' }]);
    expect(room.muteOf('gina')?.until).toBe(NOW_SEC + 86400);

    await room.unmute('dave', 'sorry');
    expect(sent()!.args).toEqual([{ type: 'unmute', userId: 'dave', reason: 'sorry' }]);
    expect(room.muteOf('dave')).toBeNull();

    await room.kick('bob', 'links');
    expect(sent()!.args).toEqual([{ type: 'kick', userId: 'bob', reason: 'links' }]);
    expect(room.isBlocked('bob')).toBe(true);
    expect(room.members.some((m) => m.userId === 'bob')).toBe(false);

    await room.unblock('bob');
    expect(sent()!.args).toEqual([{ type: 'unblock', userId: 'bob' }]);
    expect(room.isBlocked('bob')).toBe(false);

    await room.ban('alice', 604800, 'abuse');
    expect(sent()!.args).toEqual([{ type: 'ban', userId: 'alice', seconds: 604800, reason: 'abuse' }]);
    expect(room.isBlocked('alice')).toBe(true);

    await room.unban('alice');
    expect(sent()!.args).toEqual([{ type: 'unban', userId: 'alice' }]);
    expect(room.isBlocked('alice')).toBe(false);
  });

  it('a failed moderation changes nothing and rejects with the message', async () => {
    const { room, backend } = await connected();
    backend.failNext('moderate', { code: 'rateLimited', message: 'slow down' });
    await expect(room.mute('dave', 60)).rejects.toMatchObject({ message: 'slow down' });
    expect(room.muteOf('dave')).toBeNull();
    backend.failNext('moderate', { code: 'offline', message: 'IM is unreachable' });
    await expect(room.kick('alice')).rejects.toMatchObject({ code: 'offline' });
    expect(room.isBlocked('alice')).toBe(false);
    backend.failNext('moderate', { code: 'forbidden', message: 'no' });
    await expect(room.unblock('spammer')).rejects.toMatchObject({ code: 'forbidden' });
    expect(room.isBlocked('spammer')).toBe(true);
  });

  it('resolveHeld removes the line on success, keeps it on failure', async () => {
    const { room, backend } = await connected();
    backend.failNext('resolveHeld', { code: 'offline', message: 'IM is unreachable' });
    await expect(room.resolveHeld(4, true)).rejects.toEqual({ code: 'offline', message: 'IM is unreachable' });
    expect(room.held.map((h) => h.id)).toEqual([4]);
    await room.resolveHeld(4, false);
    expect(backend.calls.at(-1)).toEqual({ method: 'resolveHeld', args: [4, false] });
    expect(room.held).toEqual([]);
  });

  it('undo marks the line undone here (the room sends no event for it) and lifts what it set', async () => {
    const { room, backend, frames } = await connected();
    await room.kick('alice', 'links');
    frames.frame();
    const kick = room.audit.at(-1)!;
    expect(kick).toMatchObject({ action: 'kick', target: 'alice', reason: 'links' });
    expect(room.canUndo(kick)).toBe(true);
    await room.undo(kick.id);
    expect(backend.calls.at(-1)).toEqual({ method: 'undo', args: [kick.id] });
    expect(room.isUndone(kick)).toBe(true);
    expect(room.canUndo(kick)).toBe(false);
    expect(room.isBlocked('alice')).toBe(false);
    frames.frame();
    expect(room.audit.at(-1)).toMatchObject({ action: 'unblock', target: 'alice' });
    expect(room.canUndo(room.audit.at(-1)!)).toBe(false); // an unblock cannot be undone

    await room.mute('dave', 60);
    frames.frame();
    const mute = room.audit.at(-1)!;
    await room.undo(mute.id);
    expect(room.muteOf('dave')).toBeNull();

    await expect(room.undo(mute.id)).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('undone already') });
    expect(room.canUndo(audit(7, { undoneBy: 8 }))).toBe(false); // marked by the room
  });

  it('searches and exports the audit log with complete queries', async () => {
    const { room, backend } = await connected();
    await room.kick('alice', 'Links everywhere');
    await room.mute('bob', 60);
    const found = await room.searchAudit({ text: '  links ' });
    expect(backend.calls.at(-1)).toEqual({
      method: 'audit',
      args: [{ text: 'links', target: null, action: null, limit: 0 }],
    });
    expect(found.map((l) => l.target)).toEqual(['alice', 'spammer']); // newest first, any case
    const csv = await room.exportAudit({ text: null, limit: 10_000 }, 'csv');
    expect(csv.split('\n')[0]).toBe('id,at,actor,action,target,detail,reason,duration,undone_by');
    backend.failNext('audit', { code: 'offline', message: 'down' });
    await expect(room.searchAudit({ text: 'x' })).rejects.toEqual({ code: 'offline', message: 'down' });
  });

  it('loads the word list as text, and saves text (parse, then replace)', async () => {
    const { room, backend } = await connected();
    expect(await room.wordsText()).toContain('free coins\thold\n');
    const saved = await room.saveWords('spam\nfree coins\thold\n');
    expect(saved).toEqual([
      { pattern: 'spam', action: 'refuse' },
      { pattern: 'free coins', action: 'hold' },
    ]);
    expect(backend.calls.slice(-2).map((c) => c.method)).toEqual(['parseWords', 'setWords']);
    expect(room.words).toBe(2);

    await expect(room.saveWords('ok\nbad\tbanish')).rejects.toEqual({
      code: 'invalid',
      message: 'line 2: "banish" is not an action; use deliver, hold, drop or refuse',
    });
    expect(backend.calls.at(-1)!.method).toBe('parseWords'); // nothing replaced
    expect(room.words).toBe(2);
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

  it('a replaced subscription is not heard any more', async () => {
    const frames = manualFrames();
    const backend = new FakeBackend({ room: snapshot() });
    const feeds: Array<(item: Feed) => void> = [];
    vi.spyOn(backend, 'subscribe').mockImplementation(async (onFeed) => void feeds.push(onFeed));
    const room = new Room({ backend, schedule: frames.schedule, sleep: async () => {} });
    await room.connect();
    await room.connect();
    feeds[0]({ type: 'snapshot', snapshot: { ...backend.snapshot(), name: 'old subscription' } });
    expect(room.connection).toBe('connecting');
    feeds[1]({ type: 'snapshot', snapshot: backend.snapshot() });
    feeds[0]({ type: 'events', events: [{ seq: 1, event: { type: 'online', count: 99 } }] });
    frames.frame();
    expect([room.connection, room.name, room.online]).toEqual(['connected', 'Test room', 5]);
  });
});

describe('Room: the feed', () => {
  /** A room whose subscription the test drives by hand. */
  async function following(over: Partial<RoomSnapshot> = {}) {
    const clock = fixedClock(T0);
    const frames = manualFrames();
    const backend = new FakeBackend({ clock, room: snapshot(over) });
    let send: (item: Feed) => void = () => {};
    vi.spyOn(backend, 'subscribe').mockImplementation(async (onFeed) => void (send = onFeed));
    const room = new Room({ backend, clock, schedule: frames.schedule, sleep: async () => {} });
    await room.connect();
    const events = (...list: Array<[number, RoomEvent]>) => send({ type: 'events', events: list.map(([seq, event]) => ({ seq, event })) });
    return { room, backend, frames, snap: (s: RoomSnapshot) => send({ type: 'snapshot', snapshot: s }), events };
  }

  it('is connected once the first snapshot arrives (subscribing is not enough); events before it are ignored', async () => {
    const { room, backend, frames, snap, events } = await following();
    expect(room.connection).toBe('connecting');
    events([1, { type: 'online', count: 1 }]);
    snap({ ...backend.snapshot(), epoch: 3, seq: 5 });
    expect([room.connection, room.epoch, room.online]).toEqual(['connected', 3, 5]);
    frames.frame();
    expect(room.online).toBe(5);
    events([6, { type: 'online', count: 6 }]);
    frames.frame();
    expect(room.online).toBe(6);
  });

  it('ignores duplicate and old seqs', async () => {
    const { room, backend, frames, snap, events } = await following();
    snap({ ...backend.snapshot(), seq: 10 });
    events([9, { type: 'likes', total: 900 }], [10, { type: 'likes', total: 1000 }], [11, { type: 'likes', total: 1100 }]);
    events([11, { type: 'chat', id: 'dup', userId: 'x', text: 'same seq again', at: T0, hidden: false }], [12, { type: 'likes', total: 1200 }]);
    events([12, { type: 'likes', total: 1 }], [3, { type: 'likes', total: 2 }]);
    frames.frame();
    expect(room.likes).toBe(1200);
    expect(room.feed.lastSeq).toBe(12);
    // One like burst from what was admitted (seqs 11 and 12), counted from the snapshot's total.
    expect(room.rows.map((r) => r.key)).toEqual(['c:c1', 'h:4', 'f:0', 'l:11']);
    expect(room.rows.at(-1)).toMatchObject({ kind: 'likes', total: 1200, count: 1200 - backend.snapshot().likes });
  });

  it('a second snapshot mid-stream replaces the state entirely: no duplicate chat lines, no stale lists', async () => {
    const { room, backend, frames } = await connected();
    backend.push(
      { type: 'chat', id: 'c2', userId: 'dave', text: 'second', at: T0, hidden: false },
      { type: 'gift', id: 'g2', userId: 'erin', giftId: 'rocket', giftName: 'Rocket', count: 1, unitPrice: 500, at: T0 },
      { type: 'userMuted', userId: 'dave', until: NOW_SEC + 600 },
      { type: 'memberJoined', userId: 'dave', at: T0 },
    );
    frames.frame();
    await room.undo(1); // remembered here until a snapshot says otherwise
    // Pending when the snapshot comes: these are in it already.
    backend.push({ type: 'chat', id: 'c3', userId: 'dave', text: 'third', at: T0, hidden: false }, { type: 'heldResolved', id: 4, approved: false, actor: 'mod' });
    backend.push({ type: 'gift', id: 'g3', userId: 'erin', giftId: 'rose', giftName: 'Rose', count: 1, unitPrice: 1, at: T0 });
    const fresh = backend.resync();
    expect(room.rows.map((r) => r.key)).toEqual(['c:c1', 'f:0', 'c:c2', 'c:c3']); // the held one was resolved
    expect(room.gifts.map((g) => g.id)).toEqual(['g1', 'g2', 'g3']);
    expect(room.topGifters).toEqual([
      { userId: 'erin', coins: 501, gifts: 2 },
      { userId: 'bob', coins: 6, gifts: 3 },
    ]);
    expect(room.held).toEqual([]);
    expect(room.undone.size).toBe(0);
    expect(room.feed.lastSeq).toBe(fresh.seq);
    frames.frame(); // the events that were pending are not applied twice
    expect(room.rows.map((r) => r.key)).toEqual(['c:c1', 'f:0', 'c:c2', 'c:c3']); // the held one was resolved
    expect(room.gifts).toHaveLength(3);

    // A snapshot that lost things (e.g. trimmed, or lifted elsewhere) leaves nothing stale behind.
    room.receive({
      type: 'snapshot',
      snapshot: {
        ...fresh, chat: [],
        gifts: [],
        members: [],
        muted: [],
        blocked: [],
        held: [],
        filtered: [],
        audit: [],
      },
    });
    expect([room.rows, room.gifts, room.topGifters, room.members, room.muted, room.blocked, room.filtered, room.audit]).toEqual([[], [], [], [], [], [], [], []]);
    expect(room.muteOf('dave')).toBeNull();
  });

  it('after a restart (new epoch, seqs from 1 again) applies the new run’s events', async () => {
    const { room, backend, frames } = await connected();
    backend.push({ type: 'likes', total: 50 }, { type: 'likes', total: 60 });
    frames.frame();
    backend.restartRoom();
    expect([room.epoch, room.feed.lastSeq]).toEqual([2, 0]);
    backend.push({ type: 'likes', total: 70 });
    frames.frame();
    expect(room.likes).toBe(70);
  });
});

describe('Room: hidden messages, mute-all, strikes, sessions, name', () => {
  it('messageHidden marks the chat row hidden (in the same batch as the line too)', async () => {
    const { room, push } = await connected();
    push(
      { type: 'chat', id: 'c2', userId: 'dave', text: 'ad', at: T0, hidden: false },
      { type: 'messageHidden', id: 'c2', actor: 'mod_mei' },
      { type: 'messageHidden', id: 'c1', actor: 'mod_mei' },
      { type: 'messageHidden', id: 'unknown', actor: 'mod_mei' },
    );
    expect(room.rows.flatMap((r) => (r.kind === 'chat' ? [[r.key, r.hidden]] : []))).toEqual([
      ['c:c1', true],
      ['c:c2', true],
    ]);
  });

  it('takes hidden lines, mute-all, the ladder, the stream and the status sync from the snapshot', async () => {
    const ladder = { steps: [{ type: 'kick' as const }], windowSecs: 600, fromFilter: false };
    const session = { id: 3, startedAt: T0, endedAt: null, peakOnline: 9, messages: 1, likes: 2, giftValue: 3 };
    const sync = { status: 'live' as const, synced: false, error: 'Tencent said 10004', attempts: 2 };
    const { room } = await connected({
      chat: [{ id: 'c1', userId: 'alice', text: 'hidden one', at: T0, hidden: true }],
      mutedAll: true,
      strikeLadder: ladder,
      session,
      statusSync: sync,
    });
    expect(room.rows.find((r) => r.key === 'c:c1')).toMatchObject({ kind: 'chat', hidden: true });
    expect([room.mutedAll, room.strikeLadder, room.session, room.statusSync]).toEqual([true, ladder, session, sync]);
  });

  it('follows muteAll, strikeLadder, session, renamed and statusSync events', async () => {
    const { room, backend, push } = await connected();
    const ladder = { steps: [{ type: 'warn' as const }, { type: 'ban' as const, seconds: 60 }], windowSecs: 120, fromFilter: true };
    const session = { id: 1, startedAt: T0, endedAt: null, peakOnline: 5, messages: 0, likes: 0, giftValue: 0 };
    push(
      { type: 'muteAll', on: true },
      { type: 'strikeLadder', ...ladder },
      { type: 'session', ...session },
      { type: 'renamed', name: '新的名字' },
      { type: 'statusSync', status: 'live', synced: false, error: 'timeout', attempts: 1 },
    );
    expect([room.mutedAll, room.strikeLadder, room.session, room.name]).toEqual([true, ladder, session, '新的名字']);
    expect(room.statusSync).toEqual({ status: 'live', synced: false, error: 'timeout', attempts: 1 });
    expect(backend.snapshot().statusSync).toEqual(room.statusSync); // the fake keeps it for a resync
    push({ type: 'muteAll', on: false }, { type: 'statusSync', status: 'live', synced: true, error: null, attempts: 0 });
    expect([room.mutedAll, room.statusSync]).toEqual([false, null]);
  });

  it('hide, mute-all and strike send their ModActions; a hidden line and mute-all show at once', async () => {
    const { room, backend } = await connected();
    const sent = () => backend.calls.at(-1)!.args[0];
    await room.hide('c1', 'ad');
    expect(sent()).toEqual({ type: 'hide', msgId: 'c1', reason: 'ad' });
    expect(room.rows[0]).toMatchObject({ key: 'c:c1', hidden: true }); // before the event's frame
    await room.setMuteAll(true);
    expect(sent()).toEqual({ type: 'muteAll', on: true, reason: '' });
    expect(room.mutedAll).toBe(true);
    await room.strike('dave', 'links');
    expect(sent()).toEqual({ type: 'strike', userId: 'dave', reason: 'links' });

    backend.failNext('moderate', { code: 'offline', message: 'IM is unreachable' });
    await expect(room.setMuteAll(false)).rejects.toEqual({ code: 'offline', message: 'IM is unreachable' });
    expect(room.mutedAll).toBe(true);
  });

  it('a strike takes the ladder’s step: the mute it gives arrives as events', async () => {
    const { room, backend, frames } = await connected();
    await room.strike('dave');
    await room.strike('dave');
    frames.frame();
    expect(room.muteOf('dave')?.until).toBe(NOW_SEC + 600);
    expect(room.audit.slice(-3).map((l) => l.action)).toEqual(['strike', 'strike', 'mute']);
    expect((await room.userCard('dave')).strikes).toBe(2);
    expect(backend.calls.filter((c) => c.method === 'moderate')).toHaveLength(2);
  });

  it('saves the strike ladder (applied on success), refuses with the room’s words, and lists streams', async () => {
    const { room, backend } = await connected();
    const ladder = { steps: [{ type: 'mute' as const, seconds: 300 }], windowSecs: 3600, fromFilter: true };
    await room.setStrikeLadder(ladder);
    expect(backend.calls.at(-1)).toEqual({ method: 'setStrikeLadder', args: [ladder] });
    expect(room.strikeLadder).toEqual(ladder);
    await expect(room.setStrikeLadder({ ...ladder, windowSecs: 10 })).rejects.toEqual({
      code: 'invalid',
      message: 'strikes must be remembered for at least 60 seconds',
    });
    expect(room.strikeLadder).toEqual(ladder);

    await room.setStatus('ended');
    await room.setStatus('upcoming');
    await room.setStatus('live'); // a new stream
    const streams = await room.sessions(20);
    expect(backend.calls.at(-1)).toEqual({ method: 'sessions', args: [20] });
    expect(streams).toEqual([{ id: 1, startedAt: T0, endedAt: null, peakOnline: 5, messages: 0, likes: 0, giftValue: 0 }]);
    backend.failNext('sessions', { code: 'offline', message: 'down' });
    await expect(room.sessions(20)).rejects.toEqual({ code: 'offline', message: 'down' });
  });
});

describe('Room: the stream desk', () => {
  const health = {
    obs: null,
    ingest: { state: 'active' as const, error: null, checkedAt: T0, activeSince: T0 - 60_000 },
    pushExpiresAt: NOW_SEC + 86_400,
    autoPause: true,
  };

  it('takes the stream’s health and the last go-live report from the snapshot', async () => {
    const last = { step: 'ingest' as const, state: 'running' as const, message: 'waiting for the stream to reach CSS', actor: 'anchor', at: T0 };
    const { room } = await connected({ streamHealth: health, goLive: last });
    expect(room.streamHealth).toEqual(health);
    expect(room.goLiveRun).toEqual([last]);
  });

  it('follows streamHealth events, and keeps the current run from goLive events (a new run starts afresh)', async () => {
    const { room, push } = await connected();
    push({ type: 'streamHealth', ...health });
    expect(room.streamHealth).toEqual(health);

    const p = (step: 'address' | 'obs', state: 'running' | 'done' | 'failed', message = '') =>
      ({ type: 'goLive', step, state, message, actor: 'anchor', at: T0 }) as const;
    push(p('address', 'running'), p('address', 'done', 'valid for 1 d'), p('obs', 'running'), p('obs', 'failed', 'OBS is not connected'));
    expect(room.goLiveRun.map((r) => `${r.step} ${r.state}`)).toEqual(['address done', 'obs failed']);
    push(p('address', 'running'));
    expect(room.goLiveRun.map((r) => `${r.step} ${r.state}`)).toEqual(['address running']);
  });

  it('goes live through the desk: its steps arrive as events, the room ends up live', async () => {
    const { room, backend, frames } = await connected({ status: 'upcoming' });
    await room.goLive();
    frames.frame();
    expect(backend.calls.at(-1)).toEqual({ method: 'goLive', args: [] });
    expect(room.goLiveRun.map((r) => `${r.step} ${r.state}`)).toEqual([
      'address done',
      'obs done',
      'start done',
      'ingest done',
      'live done',
    ]);
    expect(room.status).toBe('live');
    expect(room.streamHealth?.obs?.live).toBe(true);
  });

  it('asks for, renews and rotates the push address; applies it; stops and ends; all rejecting with WireErrors', async () => {
    const { room, backend, frames } = await connected({ status: 'upcoming' });
    const a = await room.streamAddress();
    expect(a.key).toBe('primary');
    expect((await room.renewStreamAddress()).key).toBe('primary');
    expect((await room.renewStreamAddress(true)).key).toBe('backup');
    await room.applyToObs();
    await room.goLive();
    await room.stopStream(true);
    frames.frame();
    expect(room.status).toBe('ended');
    expect(backend.calls.map((c) => c.method).slice(-6)).toEqual([
      'streamAddress',
      'renewStreamAddress',
      'renewStreamAddress',
      'applyToObs',
      'goLive',
      'stopStream',
    ]);
    expect(backend.calls.slice(-6).map((c) => c.args)).toEqual([[], [false], [true], [], [], [true]]);

    backend.failGoLiveAt('address', 'cannot make the push address');
    await room.setStatus('upcoming');
    await expect(room.goLive()).rejects.toEqual({ code: 'invalid', message: 'Address: cannot make the push address' });
    backend.failNext('streamAddress', { code: 'forbidden', message: 'only the owner sees the push address' });
    await expect(room.streamAddress()).rejects.toEqual({ code: 'forbidden', message: 'only the owner sees the push address' });
  });

  it('rejects with the app’s message when going live is not set up', async () => {
    const clock = fixedClock(T0);
    const backend = new FakeBackend({ clock, stream: null });
    const room = new Room({ backend, clock, schedule: manualFrames().schedule, sleep: async () => {} });
    await room.connect();
    await expect(room.streamAddress()).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/^going live is not set up/) });
    expect(room.streamHealth).toBeNull();
  });
});

describe('Room: viewer levels for the chat', () => {
  it('learns levels from user cards and from a few lookups per tick for the viewers the feed shows', async () => {
    const { room, backend, push } = await connected();
    const cards = () => backend.calls.filter((c) => c.method === 'userCard').map((c) => c.args[0]);
    const before = cards().length;
    const card = await room.userCard('alice');
    expect(room.levels.get('alice')).toBe(card.level);

    push(
      { type: 'chat', id: 'l1', userId: 'dave', text: 'hi', at: T0, hidden: false },
      { type: 'chat', id: 'l2', userId: 'erin', text: 'yo', at: T0, hidden: false },
      { type: 'chat', id: 'l3', userId: 'alice', text: 'again', at: T0, hidden: false },
    );
    expect(cards().length).toBe(before + 1); // nothing until the clock ticks
    room.tick();
    await vi.waitFor(() => expect(room.levels.get('dave')).toBeGreaterThanOrEqual(1));
    expect(room.levels.get('erin')).toBeGreaterThanOrEqual(1);
    // Newest first; alice's level was fresh from her card, so she was not asked about again.
    expect(cards().slice(before + 1)).toEqual(['erin', 'dave']);
  });

  it('makes no lookups when told not to (levels from cards still count)', async () => {
    const clock = fixedClock(T0);
    const frames = manualFrames();
    const backend = new FakeBackend({ clock, room: snapshot() });
    const room = new Room({ backend, clock, schedule: frames.schedule, sleep: async () => {}, levelLookups: false });
    await room.connect();
    backend.push({ type: 'chat', id: 'n1', userId: 'dave', text: 'hi', at: T0, hidden: false });
    frames.frame();
    room.tick();
    await Promise.resolve();
    expect(backend.calls.filter((c) => c.method === 'userCard')).toEqual([]);
    await room.userCard('dave');
    expect(room.levels.get('dave')).toBeGreaterThanOrEqual(1);
  });
});
