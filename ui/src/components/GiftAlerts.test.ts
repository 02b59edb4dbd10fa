// @vitest-environment jsdom
// Why: the anchor must notice a big gift whatever tab is open — sender, gift, count and value in a
// prominent alert, a chime if asked for — and must not be bothered by small gifts or by the history a
// snapshot brings; Settings → Alerts changes the threshold and the sound at once and says what to fix
// in a threshold that is not a number.
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { alertPrefs } from '../lib/alert-prefs.svelte';
import type { GiftLine } from '../lib/bindings';
import { ALERT_PREFS_KEY, DEFAULT_ALERT_PREFS, type Timers } from '../lib/gift-alerts';
import { connectedRoom } from '../lib/test-support';
import AlertSettings from './AlertSettings.svelte';
import GiftAlerts from './GiftAlerts.svelte';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0); // connectedRoom's clock

beforeEach(() => alertPrefs.update({ ...DEFAULT_ALERT_PREFS }));
afterEach(() => cleanup());

const id = (testId: string) => screen.getByTestId(testId);
const maybe = (testId: string) => screen.queryByTestId(testId);
const text = (testId: string) => id(testId).textContent!.replace(/\s+/g, ' ').trim();

let n = 0;
const gift = (over: Partial<GiftLine> = {}): GiftLine => ({
  id: `live-${n++}`,
  userId: 'whale',
  giftId: 'rocket',
  giftName: 'Rocket 🚀',
  count: 2,
  unitPrice: 520,
  at: T0,
  ...over,
});

function manualTimers() {
  const runs: Array<() => void> = [];
  const timers: Timers = {
    set: (run, ms) => {
      expect(ms).toBeGreaterThan(0);
      runs.push(run);
      return runs.length - 1;
    },
    clear: (i) => void (runs[i as number] = () => {}),
  };
  return { timers, fireAll: () => runs.splice(0).forEach((r) => r()) };
}

async function setup(snapshotGifts: GiftLine[] = []) {
  const ctx = await connectedRoom({ room: { gifts: snapshotGifts } });
  const chime = vi.fn();
  const clock = manualTimers();
  const onUser = vi.fn();
  render(GiftAlerts, { props: { room: ctx.room, chime, timers: clock.timers, onUser } });
  flushSync();
  const arrive = (...gifts: GiftLine[]) => {
    ctx.backend.push(...gifts.map((g) => ({ type: 'gift' as const, ...g })));
    ctx.frames.frame();
    flushSync();
  };
  return { ...ctx, chime, clock, onUser, arrive };
}

describe('GiftAlerts', () => {
  it('shows a big gift live: who, what, how many and its value; the sender opens their card', async () => {
    const { arrive, onUser } = await setup();
    arrive(gift({ userId: '小龙女' }));
    expect(id('gift-alert').dataset.userId).toBe('小龙女');
    expect(text('gift-alert-text')).toBe('小龙女 sent Rocket 🚀 ×2');
    expect(text('gift-alert-value')).toBe('1,040 coins');
    await fireEvent.click(screen.getByRole('button', { name: '小龙女' }));
    expect(onUser).toHaveBeenCalledWith('小龙女');
  });

  it('shows nothing for a small gift', async () => {
    const { arrive } = await setup();
    arrive(gift({ giftId: 'rose', giftName: 'Rose 🌹', unitPrice: 1, count: 10 }));
    expect(maybe('gift-alert')).toBeNull();
  });

  it('shows nothing for the big gifts of the snapshot it connected with', async () => {
    await setup([gift({ id: 'old', count: 99 })]);
    expect(maybe('gift-alert')).toBeNull();
  });

  it('chimes only when the anchor turned the sound on', async () => {
    const { arrive, chime } = await setup();
    arrive(gift());
    expect(chime).not.toHaveBeenCalled();
    alertPrefs.update({ sound: true });
    arrive(gift({ userId: 'second' }));
    await fireEvent.click(id('gift-alert-dismiss'));
    expect(id('gift-alert').dataset.userId).toBe('second');
    expect(chime).toHaveBeenCalledOnce();
  });

  it('counts waiting alerts, dismisses by hand and by itself', async () => {
    const { arrive, clock } = await setup();
    arrive(gift({ userId: 'a' }), gift({ userId: 'b' }));
    expect(text('gift-alert-waiting')).toBe('+1 waiting');
    await fireEvent.click(id('gift-alert-dismiss'));
    expect(id('gift-alert').dataset.userId).toBe('b');
    expect(maybe('gift-alert-waiting')).toBeNull();
    clock.fireAll();
    flushSync();
    expect(maybe('gift-alert')).toBeNull();
  });

  it('updates the alert while the combo goes on', async () => {
    const { arrive } = await setup();
    alertPrefs.update({ minValue: 50 });
    const rose = (at: number) => gift({ userId: 'fan', giftId: 'rose', giftName: 'Rose', unitPrice: 1, count: 20, at });
    arrive(rose(T0), rose(T0 + 1000), rose(T0 + 2000));
    expect(text('gift-alert-text')).toBe('fan sent Rose ×60');
    arrive(rose(T0 + 3000));
    expect(text('gift-alert-text')).toBe('fan sent Rose ×80');
    expect(maybe('gift-alert-waiting')).toBeNull();
  });

  it('uses the threshold set in Settings → Alerts', async () => {
    const { arrive } = await setup();
    render(AlertSettings, { props: { chime: () => {} } });
    await fireEvent.input(id('alerts-min-value'), { target: { value: '2000' } });
    arrive(gift());
    expect(maybe('gift-alert'), '1,040 coins is no longer big').toBeNull();
    arrive(gift({ userId: 'bigger', count: 4 }));
    expect(id('gift-alert').dataset.userId).toBe('bigger');
    await fireEvent.click(id('gift-alert-dismiss'));
    await fireEvent.click(id('alerts-enabled'));
    expect(alertPrefs.current.enabled).toBe(false);
    arrive(gift({ userId: 'biggest', count: 10 }));
    expect(maybe('gift-alert'), 'alerts are off').toBeNull();
  });
});

describe('AlertSettings', () => {
  it('stores the choices at once, refuses a threshold that is not a whole number, and plays the chime on demand', async () => {
    const chime = vi.fn();
    render(AlertSettings, { props: { chime } });
    expect((id('alerts-min-value') as HTMLInputElement).value).toBe('520');
    await fireEvent.input(id('alerts-min-value'), { target: { value: '1,314' } });
    expect(alertPrefs.current.minValue).toBe(1314);
    await fireEvent.input(id('alerts-min-value'), { target: { value: 'lots' } });
    expect(text('alerts-min-value-problem')).toBe('Use a whole number from 1 to 1,000,000,000.');
    expect(alertPrefs.current.minValue, 'the last good value stays').toBe(1314);
    await fireEvent.input(id('alerts-min-count'), { target: { value: '66' } });
    await fireEvent.click(id('alerts-sound'));
    expect(JSON.parse(localStorage.getItem(ALERT_PREFS_KEY)!)).toEqual({ enabled: true, minValue: 1314, minCount: 66, sound: true });
    await fireEvent.click(id('alerts-test-sound'));
    expect(chime).toHaveBeenCalledOnce();
    expect(text('gift-alert-sample-text')).toBe('A viewer sent Rocket 🚀 ×1');
  });
});
