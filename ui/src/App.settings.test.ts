// @vitest-environment jsdom
// Why: Settings must be reachable from where the anchor needs it — the header's gear, and the "could
// not open the room" overlay (a wrong credential is the usual reason; settings load even then) — and a
// big gift must alert over the window whatever side tab is open.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import App from './App.svelte';
import { alertPrefs } from './lib/alert-prefs.svelte';
import { FakeBackend } from './lib/fake-backend';
import { DEFAULT_ALERT_PREFS } from './lib/gift-alerts';
import { Room } from './lib/room.svelte';
import { settingsNav } from './lib/settings-nav.svelte';
import { fixedClock, manualFrames, type ManualFrames } from './lib/test-support';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

let app: Record<string, unknown> | null = null;
let backend: FakeBackend;
let frames: ManualFrames;
let room: Room;

const q = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);

async function settle() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  frames.frame();
  flushSync();
}

beforeEach(() => {
  alertPrefs.update({ ...DEFAULT_ALERT_PREFS });
  const clock = fixedClock(T0);
  frames = manualFrames();
  backend = new FakeBackend({ seed: 5, clock, room: { status: 'live' }, settings: { secrets: ['imSecretKey'] } });
  room = new Room({ backend, clock, schedule: frames.schedule, retryDelayMs: 0, sleep: async () => {} });
});

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
  settingsNav.hide();
  settingsNav.section = 'im';
  settingsNav.restartPending = false;
});

describe('App: settings', () => {
  it('opens Settings from the room-failed overlay, which loads even though the room did not open', async () => {
    backend.failNext('subscribe', { code: 'authExpired', message: 'Tencent refused the secret key (70001)' });
    app = mount(App, { target: document.body, props: { room } });
    await vi.waitFor(() => expect(room.connection).toBe('error'));
    flushSync();
    expect(q('connection-settings-hint')!.textContent).toBe(
      'A wrong credential is the usual reason. Check the settings, then restart.',
    );
    q('connection-settings')!.click();
    await settle();
    expect(q('settings-sheet')!.dataset.section).toBe('im');
    expect(q('secret-imSecretKey')!.dataset.state).toBe('set');
    q('settings-close')!.click();
    flushSync();
    expect(q('settings-sheet')).toBeNull();
  });

  it('opens Settings from the header’s gear, which shows a dot while a restart is due', async () => {
    app = mount(App, { target: document.body, props: { room } });
    await vi.waitFor(() => expect(room.connection).toBe('connected'));
    flushSync();
    expect(q('settings-open')!.dataset.restartPending).toBe('false');
    q('settings-open')!.click();
    await settle();
    q('settings-nav-obs')!.click();
    flushSync();
    const url = q<HTMLInputElement>('settings-field-obsUrl')!;
    url.value = 'ws://10.0.0.7:4455';
    url.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    q('settings-save')!.click();
    await settle();
    expect(q('settings-restart-banner')).not.toBeNull();
    q('settings-close')!.click();
    flushSync();
    expect(q('settings-open')!.dataset.restartPending).toBe('true');
    expect(q('settings-open')!.getAttribute('aria-label')).toBe('Settings: restart to apply the saved settings');
  });
});

describe('App: big-gift alerts', () => {
  it('alerts over the window for a big live gift, whatever tab is open', async () => {
    app = mount(App, { target: document.body, props: { room } });
    await vi.waitFor(() => expect(room.connection).toBe('connected'));
    flushSync();
    q('tab-held')!.click();
    flushSync();
    backend.push({ type: 'gift', id: 'big', userId: '별빛소녀', giftId: 'castle', giftName: 'Castle 🏰', count: 1, unitPrice: 1314, at: T0 });
    frames.frame();
    flushSync();
    expect(q('gift-alert')!.dataset.userId).toBe('별빛소녀');
    expect(q('gift-alert-text')!.textContent!.replace(/\s+/g, ' ').trim()).toBe('별빛소녀 sent Castle 🏰 ×1');
  });

  it('marks big lines in the gift feed by the same threshold', async () => {
    app = mount(App, { target: document.body, props: { room } });
    await vi.waitFor(() => expect(room.connection).toBe('connected'));
    backend.push(
      { type: 'gift', id: 'small', userId: 'a', giftId: 'rose', giftName: 'Rose', count: 3, unitPrice: 1, at: T0 },
      { type: 'gift', id: 'big', userId: 'b', giftId: 'rocket', giftName: 'Rocket', count: 1, unitPrice: 520, at: T0 },
    );
    frames.frame();
    flushSync();
    const lines = [...document.querySelectorAll<HTMLElement>('[data-testid="gift-line"]')];
    expect(lines.map((l) => [l.dataset.userId, l.dataset.big])).toEqual([
      ['b', 'true'],
      ['a', 'false'],
    ]);
    alertPrefs.update({ minValue: 1000 });
    flushSync();
    expect(lines[0].dataset.big).toBe('false');
  });
});
