// Why: the browser preview and every page test run the lottery and broadcasts on the fake, so it must
// behave as the room does where the UI can tell: the same refusals in the same words (and nothing
// emitted when refusing), entries only from delivered messages carrying the keyword, once each, the
// `lottery` events and audit lines the room emits, a draw that closes, replays from its seed and
// returns the winners, and the test controls (`failNext`, `holdNext`) on each new call. The Room must
// show an action's outcome when the call succeeds and follow the events after it.
import { describe, expect, it } from 'vitest';
import type { EventEnvelope, Feed, RoomEvent } from './bindings';
import { FakeBackend, type FakeOptions } from './fake-backend';
import { BROADCAST_RULE } from './limits';
import { KEYWORD_RULE, LOTTERY_NONE, LOTTERY_NONE_OPEN, LOTTERY_OPEN_ALREADY } from './lottery';
import { connectedRoom, fixedClock } from './test-support';

const REFUSED = { code: 'forbidden' as const, message: 'Tencent refused the request (error 10007): not an admin' };

/** A fake with a subscriber recording every event it is sent. */
async function followed(options: FakeOptions = {}) {
  const fake = new FakeBackend({ clock: fixedClock(), ...options });
  const events: RoomEvent[] = [];
  await fake.subscribe((feed: Feed) => {
    if (feed.type === 'events') events.push(...feed.events.map((e: EventEnvelope) => e.event));
  });
  const of = <T extends RoomEvent['type']>(type: T) => events.filter((e): e is Extract<RoomEvent, { type: T }> => e.type === type);
  return { fake, events, of };
}

describe('FakeBackend: the keyword lottery', () => {
  it('opens with the keyword trimmed, announced as a lottery event and audited as the room does', async () => {
    const { fake, events } = await followed();
    await fake.openLottery(' 抽奖 ');
    expect(events).toMatchObject([
      { type: 'lottery', keyword: '抽奖', open: true, entrants: 0, winners: [], seed: null },
      { type: 'audit', actor: 'anchor', action: 'lottery', target: 'room', detail: 'opened with keyword " 抽奖 "' },
    ]);
    expect(fake.snapshot().lottery).toEqual({ keyword: '抽奖', open: true, entrants: 0, winners: [], seed: null });
  });

  it('refuses in the room’s words, in the room’s order, emitting nothing', async () => {
    const { fake, events } = await followed();
    await expect(fake.closeLottery()).rejects.toEqual({ code: 'invalid', message: LOTTERY_NONE_OPEN });
    await expect(fake.drawLottery(1)).rejects.toEqual({ code: 'invalid', message: LOTTERY_NONE });
    await expect(fake.openLottery(' ... ')).rejects.toEqual({ code: 'invalid', message: KEYWORD_RULE });
    await expect(fake.openLottery('x'.repeat(33))).rejects.toEqual({ code: 'invalid', message: KEYWORD_RULE });
    expect(events).toEqual([]);
    await fake.openLottery('888');
    // An open lottery is refused before the keyword is even looked at.
    await expect(fake.openLottery('')).rejects.toEqual({ code: 'invalid', message: LOTTERY_OPEN_ALREADY });
    await expect(fake.drawLottery(1.5)).rejects.toMatchObject({ code: 'invalid' });
    await expect(fake.drawLottery(-1)).rejects.toMatchObject({ code: 'invalid' });
    expect(events.map((e) => e.type)).toEqual(['lottery', 'audit']);
  });

  it('enters each viewer once, from delivered messages with the keyword, reporting entries as they come', async () => {
    const { fake, of } = await followed();
    await fake.openLottery('gift');
    fake.send('ava_rose', 'GIFT please!');
    fake.send('ava_rose', 'gift gift'); // once each
    fake.send('小龙女', 'ｇｉｆｔ'); // full width folds
    fake.send('leo', 'hello'); // no keyword
    fake.send('spammer', 'free coins gift'); // held for review: not delivered, so not entered
    expect(of('held')).toHaveLength(1);
    expect(of('lottery').map((l) => l.entrants)).toEqual([0, 1, 2]);
    expect(fake.lotteryEntrants.sort()).toEqual(['ava_rose', '小龙女']);
    // Approved, the held message is delivered after all: now it counts.
    await fake.resolveHeld(of('held')[0].id, true);
    expect(of('lottery').at(-1)?.entrants).toBe(3);

    await fake.closeLottery();
    expect(of('lottery').at(-1)).toMatchObject({ open: false, entrants: 3 });
    expect(of('audit').at(-1)?.detail).toBe('closed with 3 entrants');
    fake.send('late', 'gift');
    expect(fake.lotteryEntrants).not.toContain('late');
  });

  it('draws: closes the entries, returns up to N winners among the entrants, audits the seed, replays from it', async () => {
    const { fake, of } = await followed();
    await fake.openLottery('888');
    const entrants = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const u of entrants) fake.send(u, '888');
    const winners = await fake.drawLottery(3, 99);
    expect(winners).toHaveLength(3);
    for (const w of winners) expect(entrants).toContain(w);
    expect(of('lottery').at(-1)).toEqual({ type: 'lottery', keyword: '888', open: false, entrants: 6, winners, seed: '99' });
    expect(of('audit').at(-1)?.detail).toBe(`drew 3 of 6 with seed 99: ${winners.join(', ')}`);
    // A closed lottery can be drawn again; the same seed gives the same winners, 0 counts as 1.
    expect(await fake.drawLottery(3, 99)).toEqual(winners);
    expect(await fake.drawLottery(0, 99)).toEqual(winners.slice(0, 1));
    // Without a seed the fake picks one the page can carry exactly, and records it.
    await fake.drawLottery(10);
    const seed = of('lottery').at(-1)!.seed!;
    expect(seed).toMatch(/^\d+$/);
    expect(of('lottery').at(-1)!.winners.sort()).toEqual(entrants);
    expect(of('audit').at(-1)?.detail).toContain(`with seed ${seed}:`);
  });

  it('a room that starts with a lottery draws from its entrants (given, or as many made up)', async () => {
    const lottery = { keyword: '抽奖', open: true, entrants: 99, winners: [], seed: null };
    const given = new FakeBackend({ room: { lottery }, lotteryEntrants: ['x', 'y'] });
    expect(given.snapshot().lottery?.entrants).toBe(2);
    expect((await given.drawLottery(5)).sort()).toEqual(['x', 'y']);
    const invented = new FakeBackend({ room: { lottery: { ...lottery, entrants: 4 } } });
    expect(await invented.drawLottery(10)).toHaveLength(4);
  });

  it('a lottery event from elsewhere (another console) becomes the fake’s lottery', async () => {
    const { fake } = await followed();
    fake.push({ type: 'lottery', keyword: '888', open: true, entrants: 3, winners: [], seed: null });
    await expect(fake.openLottery('999')).rejects.toEqual({ code: 'invalid', message: LOTTERY_OPEN_ALREADY });
    expect(await fake.drawLottery(5)).toHaveLength(3);
  });
});

describe('FakeBackend: broadcasts', () => {
  it('refuses nothing but white space and more than 4000 bytes, in the room’s words', async () => {
    const { fake, events } = await followed();
    await expect(fake.broadcast(' \n ')).rejects.toEqual({ code: 'invalid', message: BROADCAST_RULE });
    await expect(fake.broadcast('公'.repeat(1334))).rejects.toEqual({ code: 'invalid', message: BROADCAST_RULE });
    expect(events).toEqual([]);
  });

  it('is audited (saying how it went out) and does not come back as chat', async () => {
    const native = await followed();
    await native.fake.broadcast('公'.repeat(1333));
    expect(native.events).toMatchObject([
      { type: 'audit', action: 'broadcast', target: 'rooms', detail: `to every room (native broadcast): ${'公'.repeat(1333)}` },
    ]);
    const single = await followed({ nativeBroadcast: false });
    await single.fake.broadcast('Stream at 9 pm');
    expect(single.events).toMatchObject([{ type: 'audit', detail: 'to this room (no native broadcast): Stream at 9 pm' }]);
  });
});

describe('FakeBackend: test controls on the lottery and broadcast calls', () => {
  it('failNext rejects the next call without doing it; holdNext keeps it pending until released', async () => {
    const { fake, events } = await followed();
    for (const method of ['openLottery', 'closeLottery', 'drawLottery', 'broadcast'] as const) fake.failNext(method, REFUSED);
    await expect(fake.openLottery('888')).rejects.toEqual(REFUSED);
    await expect(fake.closeLottery()).rejects.toEqual(REFUSED);
    await expect(fake.drawLottery(1)).rejects.toEqual(REFUSED);
    await expect(fake.broadcast('hi')).rejects.toEqual(REFUSED);
    expect(events).toEqual([]);

    const release = fake.holdNext('broadcast');
    let done = false;
    const sent = fake.broadcast('hi').then(() => (done = true));
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(done).toBe(false);
    expect(events).toEqual([]);
    release();
    await sent;
    expect(events.map((e) => e.type)).toEqual(['audit']);
    expect(fake.calls.filter((c) => c.method === 'broadcast').map((c) => c.args)).toEqual([['hi'], ['hi']]);
  });
});

describe('Room: the lottery and broadcasts', () => {
  it('shows an action’s outcome when the call succeeds, then follows the events', async () => {
    const { room, backend, frames } = await connectedRoom();
    await room.openLottery(' 888 ');
    expect(room.lottery).toEqual({ keyword: '888', open: true, entrants: 0, winners: [], seed: null });
    backend.send('ava_rose', '888!');
    frames.frame();
    expect(room.lottery?.entrants).toBe(1);
    const winners = await room.drawLottery(2);
    expect(winners).toEqual(['ava_rose']);
    expect(room.lottery).toMatchObject({ open: false, winners: ['ava_rose'] });
    frames.frame();
    expect(room.lottery?.seed).not.toBeNull();
    expect(room.audit.filter((l) => l.action === 'lottery')).toHaveLength(2);
  });

  it('closes, and rejects with the room’s WireError leaving the state as it was', async () => {
    const { room, frames } = await connectedRoom();
    await expect(room.closeLottery()).rejects.toEqual({ code: 'invalid', message: LOTTERY_NONE_OPEN });
    expect(room.lottery).toBeNull();
    await room.openLottery('888');
    await room.closeLottery();
    expect(room.lottery?.open).toBe(false);
    frames.frame();
    expect(room.lottery?.open).toBe(false);
    await expect(room.broadcast('')).rejects.toEqual({ code: 'invalid', message: BROADCAST_RULE });
    await room.broadcast('hello');
    frames.frame();
    expect(room.audit.at(-1)).toMatchObject({ action: 'broadcast', detail: 'to every room (native broadcast): hello' });
  });
});
