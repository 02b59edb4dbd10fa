// Why: a big-gift alert must fire for what the anchor calls big — by value, or by count for gifts
// without a price, counting a click streak's merged lines as one combo — once per combo, in order, one
// at a time, going by itself after a few seconds (sooner when others wait, never while hovered), and
// only for gifts that arrive live: never for the history a snapshot brings when the console connects,
// resyncs or the room restarts, nor for an event delivered twice. The anchor's choices must survive a
// restart and junk in storage.
import { describe, expect, it } from 'vitest';
import type { GiftLine } from './bindings';
import { FakeBackend } from './fake-backend';
import {
  ALERT_PREFS_KEY,
  COMBO_GAP_MS,
  DEFAULT_ALERT_PREFS,
  GiftAlerts,
  MAX_WAITING,
  RESUME_MS,
  SHOW_BUSY_MS,
  SHOW_MS,
  isBig,
  parseThreshold,
  readAlertPrefs,
  writeAlertPrefs,
  type AlertPrefs,
  type GiftAlert,
  type Timers,
} from './gift-alerts';
import { Room } from './room.svelte';
import { fixedClock, manualFrames } from './test-support';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** Timers that run only when the test moves time on. */
function manualTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map<number, { at: number; run: () => void }>();
  const timers: Timers = {
    set: (run, ms) => {
      const id = next++;
      pending.set(id, { at: now + ms, run });
      return id;
    },
    clear: (id) => void pending.delete(id as number),
  };
  return {
    timers,
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now && pending.delete(id)) t.run();
      }
    },
    get pending() {
      return pending.size;
    },
  };
}

let nextId = 1;
function gift(over: Partial<GiftLine> = {}): GiftLine {
  return { id: `g${nextId++}`, userId: 'whale', giftId: 'rocket', giftName: 'Rocket', count: 1, unitPrice: 520, at: T0, ...over };
}

function setup(prefs: Partial<AlertPrefs> = {}) {
  const clock = manualTimers();
  const shown: GiftAlert[] = [];
  let current: AlertPrefs = { ...DEFAULT_ALERT_PREFS, ...prefs };
  const alerts = new GiftAlerts({ prefs: () => current, onShow: (a) => shown.push(a), timers: clock.timers });
  return { alerts, clock, shown, setPrefs: (p: Partial<AlertPrefs>) => (current = { ...current, ...p }) };
}

describe('what is big', () => {
  it('a priced gift by its value (count × unit price), an unpriced one by its count', () => {
    const prefs = { ...DEFAULT_ALERT_PREFS, minValue: 500, minCount: 50 };
    expect(isBig(prefs, 1, 520)).toBe(true);
    expect(isBig(prefs, 99, 5)).toBe(false); // 495 coins
    expect(isBig(prefs, 100, 5)).toBe(true);
    expect(isBig(prefs, 49, 0)).toBe(false);
    expect(isBig(prefs, 50, 0)).toBe(true);
  });
});

describe('GiftAlerts', () => {
  it('alerts for a big gift, not for a small one', () => {
    const { alerts, shown } = setup();
    expect(alerts.offer(gift({ giftId: 'rose', unitPrice: 1, count: 5 }))).toBeNull();
    expect(alerts.current).toBeNull();
    const big = gift({ userId: '小龙女', count: 2 });
    expect(alerts.offer(big)).toMatchObject({ userId: '小龙女', giftName: 'Rocket', count: 2, value: 1040 });
    expect(alerts.current?.key).toBe(big.id);
    expect(shown).toHaveLength(1);
  });

  it('adds a click streak’s merged lines into one combo: it alerts when the total crosses, once', () => {
    const { alerts, shown } = setup({ minValue: 50 });
    const rose = (at: number) => gift({ userId: 'fan', giftId: 'rose', giftName: 'Rose', unitPrice: 1, count: 20, at });
    expect(alerts.offer(rose(T0))).toBeNull();
    expect(alerts.offer(rose(T0 + 3000))).toBeNull(); // 40 coins
    expect(alerts.offer(rose(T0 + 6000))).toMatchObject({ count: 60, value: 60 });
    // The combo goes on while its alert shows: the alert counts up, no new alert, no new chime.
    expect(alerts.offer(rose(T0 + 9000))).toMatchObject({ count: 80 });
    expect(alerts.current).toMatchObject({ count: 80, value: 80 });
    expect(alerts.waiting).toBe(0);
    expect(shown).toHaveLength(1);
  });

  it('starts a new combo after a pause longer than a streak allows, or for another sender or gift', () => {
    const { alerts } = setup({ minValue: 50 });
    const line = (over: Partial<GiftLine>) => gift({ userId: 'fan', giftId: 'rose', unitPrice: 1, count: 30, ...over });
    alerts.offer(line({ at: T0 }));
    expect(alerts.offer(line({ at: T0 + COMBO_GAP_MS + 1 }))).toBeNull();
    expect(alerts.offer(line({ userId: 'other', at: T0 + COMBO_GAP_MS + 2 }))).toBeNull();
    expect(alerts.offer(line({ giftId: 'heart', at: T0 + COMBO_GAP_MS + 3 }))).toBeNull();
  });

  it('does not alert a combo again once its alert has gone', () => {
    const { alerts, clock } = setup({ minValue: 50 });
    const rose = (at: number) => gift({ userId: 'fan', giftId: 'rose', unitPrice: 1, count: 60, at });
    expect(alerts.offer(rose(T0))).not.toBeNull();
    clock.advance(SHOW_MS);
    expect(alerts.current).toBeNull();
    expect(alerts.offer(rose(T0 + 2000))).toBeNull();
    expect(alerts.current).toBeNull();
  });

  it('shows one at a time in arrival order; each goes by itself, sooner while others wait', () => {
    const { alerts, clock } = setup();
    alerts.offer(gift({ userId: 'a' }));
    alerts.offer(gift({ userId: 'b' }));
    alerts.offer(gift({ userId: 'c' }));
    expect([alerts.current?.userId, alerts.waiting]).toEqual(['a', 2]);
    clock.advance(SHOW_MS - 1);
    expect(alerts.current?.userId, 'the first shows its full time').toBe('a');
    clock.advance(1);
    expect([alerts.current?.userId, alerts.waiting]).toEqual(['b', 1]);
    clock.advance(SHOW_BUSY_MS);
    expect([alerts.current?.userId, alerts.waiting]).toEqual(['c', 0]);
    clock.advance(SHOW_BUSY_MS);
    expect(alerts.current?.userId, 'alone, the last one shows its full time').toBe('c');
    clock.advance(SHOW_MS - SHOW_BUSY_MS);
    expect(alerts.current).toBeNull();
    expect(clock.pending).toBe(0);
  });

  it('dismisses by hand: the next one shows', () => {
    const { alerts, shown } = setup();
    alerts.offer(gift({ userId: 'a' }));
    alerts.offer(gift({ userId: 'b' }));
    alerts.dismiss();
    expect(alerts.current?.userId).toBe('b');
    alerts.dismiss();
    expect(alerts.current).toBeNull();
    expect(shown.map((a) => a.userId)).toEqual(['a', 'b']);
  });

  it('stays while hovered, then goes a little after the pointer leaves', () => {
    const { alerts, clock } = setup();
    alerts.offer(gift());
    alerts.pause();
    clock.advance(SHOW_MS * 5);
    expect(alerts.current).not.toBeNull();
    alerts.resume();
    clock.advance(RESUME_MS);
    expect(alerts.current).toBeNull();
  });

  it('keeps at most MAX_WAITING waiting, dropping the oldest (the gift feed still lists them)', () => {
    const { alerts } = setup();
    for (let i = 0; i <= MAX_WAITING + 2; i++) alerts.offer(gift({ userId: `u${i}` }));
    expect(alerts.current?.userId).toBe('u0');
    expect(alerts.waiting).toBe(MAX_WAITING);
    alerts.dismiss();
    expect(alerts.current?.userId).toBe('u3');
  });

  it('alerts for nothing while turned off, and follows a threshold change at once', () => {
    const { alerts, setPrefs } = setup({ enabled: false });
    expect(alerts.offer(gift())).toBeNull();
    setPrefs({ enabled: true, minValue: 1000 });
    expect(alerts.offer(gift({ userId: 'x' }))).toBeNull();
    expect(alerts.offer(gift({ userId: 'y', count: 2 }))).not.toBeNull();
  });
});

describe('only live gifts alert', () => {
  async function liveRoom() {
    const clock = fixedClock(T0);
    const frames = manualFrames();
    const backend = new FakeBackend({
      clock,
      room: { gifts: [gift({ id: 'old-1', count: 10 }), gift({ id: 'old-2', userId: 'castle', unitPrice: 1314 })] },
    });
    const room = new Room({ backend, clock, schedule: frames.schedule, sleep: async () => {} });
    const { alerts, shown } = setup();
    room.onLiveGift((line) => alerts.offer(line));
    await room.connect();
    frames.frame();
    return { room, backend, frames, alerts, shown };
  }

  it('not for the big gifts the first snapshot brings', async () => {
    const { room, shown } = await liveRoom();
    expect(room.gifts).toHaveLength(2);
    expect(shown).toEqual([]);
  });

  it('for a big gift that arrives live, once, even when the event is delivered again', async () => {
    const { backend, frames, shown } = await liveRoom();
    const [envelope] = backend.push({ type: 'gift', ...gift({ id: 'live-1', userId: 'newfan' }) });
    frames.frame();
    expect(shown.map((a) => a.userId)).toEqual(['newfan']);
    backend.deliver([envelope]);
    frames.frame();
    expect(shown, 'a duplicate is no new gift').toHaveLength(1);
  });

  it('not for the history of a resync or a room restart', async () => {
    const { backend, frames, shown, room } = await liveRoom();
    backend.resync();
    frames.frame();
    backend.restartRoom();
    frames.frame();
    expect(room.connection).toBe('connected');
    expect(shown).toEqual([]);
  });

  it('stops hearing gifts once unsubscribed', async () => {
    const { backend, frames, room } = await liveRoom();
    const heard: string[] = [];
    const stop = room.onLiveGift((line) => heard.push(line.id));
    backend.push({ type: 'gift', ...gift({ id: 'a' }) });
    frames.frame();
    stop();
    backend.push({ type: 'gift', ...gift({ id: 'b' }) });
    frames.frame();
    expect(heard).toEqual(['a']);
  });
});

describe('stored choices', () => {
  function memoryStorage(initial: Record<string, string> = {}) {
    const data = new Map(Object.entries(initial));
    return {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
    };
  }

  it('round-trips, and falls back field by field on junk or broken storage', () => {
    const storage = memoryStorage();
    expect(readAlertPrefs(storage)).toEqual(DEFAULT_ALERT_PREFS);
    const mine = { enabled: false, minValue: 1314, minCount: 10, sound: true };
    writeAlertPrefs(storage, mine);
    expect(readAlertPrefs(storage)).toEqual(mine);
    expect(readAlertPrefs(memoryStorage({ [ALERT_PREFS_KEY]: '{not json' }))).toEqual(DEFAULT_ALERT_PREFS);
    expect(
      readAlertPrefs(memoryStorage({ [ALERT_PREFS_KEY]: JSON.stringify({ minValue: -5, minCount: 2.5, sound: 'yes', enabled: false }) })),
    ).toEqual({ ...DEFAULT_ALERT_PREFS, enabled: false });
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(readAlertPrefs(broken)).toEqual(DEFAULT_ALERT_PREFS);
    expect(() => writeAlertPrefs(broken, mine)).not.toThrow();
  });

  it('reads a threshold as typed, with separators, and says what to fix otherwise', () => {
    expect(parseThreshold(' 1,314 ')).toEqual({ value: 1314 });
    expect(parseThreshold('0')).toEqual({ problem: 'giftAlert.problem' });
    expect(parseThreshold('12.5')).toEqual({ problem: 'giftAlert.problem' });
    expect(parseThreshold('lots')).toEqual({ problem: 'giftAlert.problem' });
    expect(parseThreshold('2000000000')).toEqual({ problem: 'giftAlert.problem' });
  });
});
