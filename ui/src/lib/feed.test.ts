// Why: the chat feed must stay bounded, render once per frame, drop duplicates and keep order, and a
// snapshot must replace what came before it (the feed's items arrive in order on one channel).
import { describe, expect, it, vi } from 'vitest';
import type { EventEnvelope, RoomEvent } from './bindings';
import { ChatFeed, FrameBatcher, RingBuffer, SeqGate, frameScheduler, rowFor } from './feed';
import { manualFrames } from './test-support';

function chat(seq: number, text = `m${seq}`, userId = 'u1'): EventEnvelope {
  return { seq, event: { type: 'chat', id: String(seq), userId, text, at: 1000 + seq, hidden: false } };
}

function env(seq: number, event: RoomEvent): EventEnvelope {
  return { seq, event };
}

describe('RingBuffer', () => {
  const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `k${from + i}` }));

  it('keeps everything up to the cap', () => {
    const b = new RingBuffer<{ id: string }>(500, 100, (x) => x.id);
    b.push(ids(500));
    expect(b.length).toBe(500);
    expect(b.toArray()[0].id).toBe('k0');
  });

  it('trims the oldest in whole chunks once over the cap', () => {
    const b = new RingBuffer<{ id: string }>(500, 100, (x) => x.id);
    b.push(ids(500));
    b.push(ids(1, 500));
    expect(b.length).toBe(401);
    expect(b.toArray()[0].id).toBe('k100');
    expect(b.toArray().at(-1)!.id).toBe('k500');
    // no further trim until the cap is exceeded again
    b.push(ids(99, 501));
    expect(b.length).toBe(500);
    b.push(ids(1, 600));
    expect(b.length).toBe(401);
    expect(b.toArray()[0].id).toBe('k200');
  });

  it('trims a huge push in one go, to at most the cap', () => {
    const b = new RingBuffer<{ id: string }>(500, 100, (x) => x.id);
    b.push(ids(5_050));
    expect(b.length).toBeLessThanOrEqual(500);
    expect(b.length).toBeGreaterThan(400);
    expect(b.toArray().at(-1)!.id).toBe('k5049');
  });

  it('skips keys already present, and forgets trimmed keys', () => {
    const b = new RingBuffer<{ id: string }>(3, 1, (x) => x.id);
    expect(b.push([{ id: 'a' }, { id: 'a' }, { id: 'b' }])).toBe(2);
    b.push([{ id: 'c' }, { id: 'd' }]);
    expect(b.toArray().map((x) => x.id)).toEqual(['b', 'c', 'd']);
    expect(b.has('a')).toBe(false);
    expect(b.push([{ id: 'a' }])).toBe(1);
  });

  it('replaces an item by key, keeping its place; reports whether anything changed', () => {
    const b = new RingBuffer<{ id: string; n: number }>(5, 1, (x) => x.id);
    b.push([
      { id: 'a', n: 1 },
      { id: 'b', n: 1 },
    ]);
    expect(b.replace('b', (x) => ({ ...x, n: 2 }))).toBe(true);
    expect(b.replace('a', (x) => x)).toBe(false);
    expect(b.replace('zz', (x) => ({ ...x, n: 9 }))).toBe(false);
    expect(b.toArray()).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ]);
  });

  it('rejects nonsense sizes', () => {
    expect(() => new RingBuffer(0, 1, String)).toThrow(RangeError);
    expect(() => new RingBuffer(10, 11, String)).toThrow(RangeError);
  });
});

describe('SeqGate', () => {
  it('drops seqs at or below the last seen and keeps order', () => {
    const gate = new SeqGate(5);
    const admitted = gate.admit([chat(4), chat(5), chat(6), chat(6), chat(7), chat(3), chat(8)]);
    expect(admitted.map((e) => e.seq)).toEqual([6, 7, 8]);
    expect(gate.lastSeq).toBe(8);
    expect(gate.admit([chat(8)])).toEqual([]);
  });
});

describe('FrameBatcher', () => {
  it('flushes many additions within one frame in a single call, in order', () => {
    const frames = manualFrames();
    const onFlush = vi.fn();
    const b = new FrameBatcher<number>(frames.schedule, onFlush);
    b.add([1, 2]);
    b.add([3]);
    b.add([4, 5]);
    expect(frames.waiting).toBe(1);
    expect(onFlush).not.toHaveBeenCalled();
    frames.frame();
    expect(onFlush).toHaveBeenCalledTimes(1);
    expect(onFlush).toHaveBeenCalledWith([1, 2, 3, 4, 5]);
    frames.frame();
    expect(onFlush).toHaveBeenCalledTimes(1);
  });

  it('schedules nothing for empty batches', () => {
    const frames = manualFrames();
    const b = new FrameBatcher<number>(frames.schedule, vi.fn());
    b.add([]);
    expect(frames.waiting).toBe(0);
  });

  it('turns a due frame into a no-op after a manual flush', () => {
    const frames = manualFrames();
    const onFlush = vi.fn();
    const b = new FrameBatcher<number>(frames.schedule, onFlush);
    b.add([1]);
    b.flush();
    b.add([2]);
    expect(frames.waiting).toBe(2);
    frames.frame(); // the stale callback does nothing, the fresh one flushes [2]
    expect(onFlush.mock.calls).toEqual([[[1]], [[2]]]);
  });
});

describe('frameScheduler', () => {
  it('falls back to a timer when no frame comes (hidden window), and runs once', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame'] });
    try {
      const cb = vi.fn();
      frameScheduler(cb);
      expect(cb).not.toHaveBeenCalled();
      vi.advanceTimersByTime(300);
      expect(cb).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(1000);
      expect(cb).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('rowFor', () => {
  it('makes rows for chat, gifts, held and filtered messages and system events, with stable keys', () => {
    expect(rowFor(chat(3, 'hi'), 0)).toMatchObject({ kind: 'chat', key: 'c:3', text: 'hi' });
    expect(rowFor(env(4, { type: 'status', status: 'live' }), 9)).toMatchObject({ kind: 'status', key: 's:4', at: 9 });
    expect(rowFor(env(5, { type: 'userMuted', userId: 'a', until: 10 }), 0)).toMatchObject({ kind: 'muted', until: 10 });
    expect(rowFor(env(6, { type: 'userMuted', userId: 'a', until: null }), 0)).toMatchObject({ kind: 'unmuted' });
    expect(rowFor(env(7, { type: 'userKicked', userId: 'a' }), 0)).toMatchObject({ kind: 'kicked' });
    expect(rowFor(env(8, { type: 'joinRefused', userId: 'a' }), 0)).toMatchObject({ kind: 'joinRefused' });
    expect(rowFor(env(11, { type: 'userUnblocked', userId: 'a' }), 0)).toMatchObject({ kind: 'unblocked', userId: 'a' });
    expect(rowFor(env(12, { type: 'held', id: 1, userId: 'a', text: 'x', pattern: 'p', at: 1 }), 0)).toMatchObject({
      kind: 'held',
      key: 'h:1',
      heldId: 1,
      resolution: null,
      at: 1,
    });
    expect(rowFor(env(13, { type: 'blocked', userId: 'a', text: 'x', pattern: 'p', action: 'drop', at: 1 }), 0)).toMatchObject({
      kind: 'blocked',
      key: 's:13',
      action: 'drop',
      text: 'x',
    });
    const gift = { id: 'g7', userId: 'b', giftId: 'rose', giftName: 'Rose 🌹', count: 10, unitPrice: 5, at: 3 };
    expect(rowFor(env(17, { type: 'gift', ...gift }), 0)).toMatchObject({ kind: 'gift', key: 'g:g7', giftName: 'Rose 🌹', count: 10, unitPrice: 5, at: 3 });
    expect(rowFor(env(18, { type: 'heldResolved', id: 1, approved: true, actor: 'm' }), 0)).toBeNull();
    expect(rowFor(env(14, { type: 'words', count: 3 }), 0)).toBeNull();
    expect(rowFor(env(9, { type: 'likes', total: 3 }), 0)).toBeNull();
    expect(rowFor(env(10, { type: 'memberJoined', userId: 'a', at: 1 }), 0)).toBeNull();
    expect(rowFor(env(15, { type: 'messageHidden', id: '3', actor: 'mod' }), 0)).toBeNull();
    expect(rowFor(env(16, { type: 'muteAll', on: true }), 0)).toBeNull();
  });
});

describe('ChatFeed', () => {
  function setup(cap = 500, chunk = 100) {
    const frames = manualFrames();
    const flushed: EventEnvelope[][] = [];
    const feed = new ChatFeed({ cap, chunk, schedule: frames.schedule, clock: () => 42, onFlush: (e) => flushed.push(e) });
    return { frames, flushed, feed };
  }

  it('renders once per frame however many batches arrive', () => {
    const { frames, flushed, feed } = setup();
    feed.load(0, []);
    const before = feed.rows;
    for (let s = 1; s <= 50; s++) feed.accept([chat(s)]);
    expect(feed.rows).toBe(before); // nothing applied before the frame
    expect(frames.frame()).toBe(1);
    expect(flushed).toHaveLength(1);
    expect(feed.rows).toHaveLength(50);
    expect(feed.rows.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('names who did what a system line reports, from the audit line that follows it, across frames too', () => {
    const { frames, feed } = setup();
    feed.load(0, []);
    const audit = (seq: number, actor: string, action: 'mute' | 'kick' | 'status' | 'ban', target: string) =>
      env(seq, { type: 'audit', id: seq, at: 1, actor, action, target, detail: '', reason: '', duration: null, undoneBy: null });
    feed.accept([
      env(1, { type: 'userMuted', userId: 'u1', until: 2_000_000_000 }),
      audit(2, 'mod_alice', 'mute', 'u1'),
      env(3, { type: 'status', status: 'live' }),
      audit(4, 'anchor', 'status', 'room'),
      env(5, { type: 'userKicked', userId: 'u2' }),
      audit(6, 'mod_bob', 'mute', 'u2'), // not the kick's audit: names nobody
      env(7, { type: 'userKicked', userId: 'u3' }),
    ]);
    frames.frame();
    feed.accept([audit(8, 'mod_carol', 'ban', 'u3')]); // the ban's audit, a frame later
    frames.frame();
    const by = feed.rows.map((r) => [r.kind, 'by' in r ? r.by : undefined]);
    expect(by).toEqual([
      ['muted', 'mod_alice'],
      ['status', 'anchor'],
      ['kicked', undefined],
      ['kicked', 'mod_carol'],
    ]);
  });

  it('ignores events at or below the snapshot seq and duplicates', () => {
    const { frames, feed } = setup();
    feed.load(10, [{ id: '10', userId: 'u', text: 'from snapshot', at: 1, hidden: false }]);
    feed.accept([chat(9), chat(10), chat(11)]);
    feed.accept([chat(11), chat(12)]);
    frames.frame();
    expect(feed.rows.map((r) => r.key)).toEqual(['c:10', 'c:11', 'c:12']);
    expect(feed.lastSeq).toBe(12);
    expect(feed.appended).toBe(2);
  });

  it('ignores events before the first snapshot (it has them)', () => {
    const { frames, feed } = setup();
    feed.accept([chat(4), chat(5), chat(6)]);
    expect([frames.waiting, feed.pending, feed.loaded]).toEqual([0, 0, false]);
    feed.load(5, []);
    frames.frame();
    expect(feed.rows).toEqual([]);
    feed.accept([chat(6)]);
    frames.frame();
    expect(feed.rows.map((r) => r.seq)).toEqual([6]);
  });

  it('a later snapshot replaces the rows and drops what was pending, even at a lower seq (a new epoch)', () => {
    const { frames, flushed, feed } = setup();
    feed.load(0, []);
    feed.accept([chat(1), chat(2)]);
    frames.frame();
    feed.accept([chat(3)]); // pending when the snapshot comes: the snapshot has it
    feed.load(3, [
      { id: '1', userId: 'u1', text: 'm1', at: 1001, hidden: false },
      { id: '3', userId: 'u1', text: 'm3', at: 1003, hidden: true },
    ]);
    expect(feed.pending).toBe(0);
    frames.frame();
    expect(flushed).toHaveLength(1);
    expect(feed.rows.map((r) => [r.key, r.seq])).toEqual([
      ['c:1', 0],
      ['c:3', 0],
    ]);
    expect(feed.rows[1]).toMatchObject({ hidden: true });

    feed.load(1, []); // the room restarted: seqs start again
    feed.accept([chat(2, 'after the restart')]);
    frames.frame();
    expect(feed.rows.map((r) => r.key)).toEqual(['c:2']);
    expect(feed.lastSeq).toBe(2);
  });

  it('expectSnapshot drops what is pending and ignores events until the next load', () => {
    const { frames, feed } = setup();
    feed.load(0, []);
    feed.accept([chat(1)]);
    feed.expectSnapshot();
    feed.accept([chat(2)]);
    frames.frame();
    expect([feed.rows, feed.loaded]).toEqual([[], false]);
  });

  it('marks a chat row hidden on messageHidden, also for a line in the same batch, and by hand', () => {
    const { frames, feed } = setup();
    feed.load(0, [{ id: 'old', userId: 'u', text: 'x', at: 1, hidden: false }]);
    feed.accept([
      chat(1),
      env(2, { type: 'messageHidden', id: '1', actor: 'mod' }),
      env(3, { type: 'messageHidden', id: 'nope', actor: 'mod' }),
    ]);
    frames.frame();
    expect(feed.rows.map((r) => [r.key, r.kind === 'chat' && r.hidden])).toEqual([
      ['c:old', false],
      ['c:1', true],
    ]);
    expect(feed.appended).toBe(1);
    const before = feed.rows;
    expect(feed.hide('old')).toBe(true);
    expect(feed.rows).not.toBe(before);
    expect(feed.rows[0]).toMatchObject({ key: 'c:old', hidden: true });
    const after = feed.rows;
    expect(feed.hide('old')).toBe(false); // already hidden: no new array, no render
    expect(feed.hide('missing')).toBe(false);
    expect(feed.rows).toBe(after);
  });

  it('stays within the cap, trimming 100 at a time, newest kept', () => {
    const { frames, feed } = setup(500, 100);
    feed.load(0, []);
    feed.accept(Array.from({ length: 500 }, (_, i) => chat(i + 1)));
    frames.frame();
    expect(feed.rows).toHaveLength(500);
    feed.accept([chat(501)]);
    frames.frame();
    expect(feed.rows).toHaveLength(401);
    expect(feed.rows[0].seq).toBe(101);
    expect(feed.rows.at(-1)!.seq).toBe(501);
    expect(feed.appended).toBe(501);
  });

  it('keeps keys unique even if the backend repeats a chat id', () => {
    const { frames, feed } = setup();
    feed.load(0, []);
    feed.accept([chat(1), { seq: 2, event: { ...chat(1).event } }]);
    frames.frame();
    expect(feed.rows).toHaveLength(1);
  });

  it('passes non-chat events through to onFlush, in order', () => {
    const { frames, flushed, feed } = setup();
    feed.load(0, []);
    feed.accept([env(1, { type: 'likes', total: 5 }), chat(2), env(3, { type: 'status', status: 'live' })]);
    frames.frame();
    expect(flushed[0].map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(feed.rows.map((r) => r.kind)).toEqual(['chat', 'status']);
    expect(feed.rows[1].at).toBe(42);
  });

  describe('like bursts', () => {
    const likes = (seq: number, total: number) => env(seq, { type: 'likes', total });

    it('gathers the likes of one burst window into one row that counts up, then starts another', () => {
      let now = 10_000;
      const frames = manualFrames();
      const feed = new ChatFeed({ schedule: frames.schedule, clock: () => now });
      feed.load(0, [], { likes: 100 });
      feed.accept([likes(1, 105), chat(2), likes(3, 112)]);
      frames.frame();
      expect(feed.rows.map((r) => r.key)).toEqual(['l:1', 'c:2']);
      expect(feed.rows[0]).toMatchObject({ kind: 'likes', count: 12, total: 112 });
      expect(feed.appended).toBe(2); // counting up is not a new line

      now += 9_000; // still the same burst: its row keeps its place and grows
      feed.accept([likes(4, 130)]);
      frames.frame();
      expect(feed.rows.map((r) => r.key)).toEqual(['l:1', 'c:2']);
      expect(feed.rows[0]).toMatchObject({ count: 30, total: 130 });

      now += 2_000; // the window is over: a new burst, a new row
      feed.accept([likes(5, 131)]);
      frames.frame();
      expect(feed.rows.map((r) => r.key)).toEqual(['l:1', 'c:2', 'l:5']);
      expect(feed.rows[2]).toMatchObject({ count: 1, total: 131 });
      expect(feed.appended).toBe(3);
    });

    it('makes no row for a total that did not grow, nor for the first total when the snapshot gave none', () => {
      const frames = manualFrames();
      const feed = new ChatFeed({ schedule: frames.schedule, clock: () => 0 });
      feed.load(0, []);
      feed.accept([likes(1, 500)]);
      frames.frame();
      expect(feed.rows).toEqual([]);
      feed.accept([likes(2, 499), likes(3, 500)]);
      frames.frame();
      expect(feed.rows).toEqual([]);
      feed.accept([likes(4, 502)]);
      frames.frame();
      expect(feed.rows).toMatchObject([{ kind: 'likes', count: 2, total: 502 }]);
    });

    it('a snapshot starts over from its total', () => {
      const frames = manualFrames();
      const feed = new ChatFeed({ schedule: frames.schedule, clock: () => 0 });
      feed.load(0, [], { likes: 10 });
      feed.accept([likes(1, 20)]);
      frames.frame();
      feed.load(1, [], { likes: 50 });
      feed.accept([likes(2, 55)]);
      frames.frame();
      expect(feed.rows).toMatchObject([{ kind: 'likes', key: 'l:2', count: 5, total: 55 }]);
    });
  });

  it("puts a snapshot's held and filtered messages among its chat lines, by time", () => {
    const { frames, feed } = setup();
    feed.load(
      5,
      [
        { id: 'a', userId: 'u', text: 'first', at: 10, hidden: false },
        { id: 'b', userId: 'u', text: 'last', at: 40, hidden: false },
      ],
      {
        held: [{ id: 3, userId: 'h', text: 'free coins', pattern: 'free coins', at: 20 }],
        filtered: [{ userId: 'f', text: 'spam', pattern: 'spam', action: 'drop', at: 30 }],
      },
    );
    expect(feed.rows.map((r) => [r.key, r.kind])).toEqual([
      ['c:a', 'chat'],
      ['h:3', 'held'],
      ['f:0', 'blocked'],
      ['c:b', 'chat'],
    ]);
    feed.accept([env(6, { type: 'heldResolved', id: 3, approved: false, actor: 'mod' })]);
    frames.frame();
    expect(feed.rows[1]).toMatchObject({ resolution: 'rejected' });
  });

  it('marks a held row approved or rejected when it is reviewed, also in the same batch', () => {
    const { frames, feed } = setup();
    feed.load(0, []);
    feed.accept([
      env(1, { type: 'held', id: 7, userId: 'a', text: 'free coins', pattern: 'free coins', at: 5 }),
      env(2, { type: 'held', id: 8, userId: 'b', text: 'idiot', pattern: 'idiot', at: 6 }),
      env(3, { type: 'heldResolved', id: 7, approved: true, actor: 'mod' }),
    ]);
    frames.frame();
    expect(feed.rows.map((r) => r.kind === 'held' && [r.key, r.resolution])).toEqual([
      ['h:7', 'approved'],
      ['h:8', null],
    ]);
    feed.accept([env(4, { type: 'heldResolved', id: 8, approved: false, actor: 'mod' })]);
    frames.frame();
    expect(feed.rows[1]).toMatchObject({ key: 'h:8', resolution: 'rejected' });
    expect(feed.appended).toBe(2);
  });
});
