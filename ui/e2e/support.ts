// Why: what every page test shares — opening the console on a FakeBackend built for the test (through
// the `__anchordeskFakeSetup` hook in lib/backend.ts, before the app starts), and driving that fake
// from the test: pushing room events as the subscription would deliver them, holding a call to see
// the loading state, failing the next call to see the error state. Everything goes through the
// fake's public controls; nothing reaches into the components.
import { expect, type Locator, type Page } from '@playwright/test';
import type { FakeSetup } from '../src/lib/backend';
import type { ChatLine, GiftLine, HubConnection, RoomEvent, WireError } from '../src/lib/bindings';
import type { FakeBackend, FakeMethod, FakeOptions } from '../src/lib/fake-backend';
import type { Lang } from '../src/lib/i18n';

declare global {
  interface Window {
    __anchordeskFake: FakeBackend;
    __anchordeskFakeSetup?: FakeSetup;
    /** Release functions of held calls, per method, oldest first. */
    __anchordeskHolds: Record<string, Array<() => void>>;
  }
}

/** The room a test opens: the fake's options (JSON-safe: its clock is the page's) and what to do first. */
export interface Scenario {
  options?: Omit<FakeOptions, 'clock'>;
  /** Calls held from the start (e.g. `subscribe` to see "Connecting…"); see `release`. */
  hold?: FakeMethod[];
  /** Calls failing from the start. */
  fail?: Array<{ method: FakeMethod; error: WireError; times?: number }>;
  /** Viewers' messages before the console connects (through the word filter: chat, held or blocked). */
  send?: Array<[userId: string, text: string]>;
  /** Room events before the console connects (in its first snapshot). */
  events?: RoomEvent[];
  /** The stored language choice (default: the browser's, en-US). */
  lang?: Lang;
  /** The stored theme choice (default: none, follow the system). */
  theme?: 'light' | 'dark';
  /** Wait until connected (default true). */
  connected?: boolean;
  /** Which window: the console (default) or the chat's own window (`?view=chat`). */
  view?: 'console' | 'chat';
}

/** A quiet room: no simulation running, every call answered at once, the stream desk set up. */
const QUIET: Omit<FakeOptions, 'clock'> = { seed: 7, latencyMs: 0 };

export async function openConsole(page: Page, scenario: Scenario = {}): Promise<void> {
  await page.addInitScript((s: Scenario & { quiet: typeof QUIET }) => {
    if (s.lang) localStorage.setItem('anchordesk.lang', s.lang);
    if (s.theme) localStorage.setItem('anchordesk.theme', s.theme);
    window.__anchordeskHolds = {};
    window.__anchordeskFakeSetup = (Fake) => {
      const fake = new Fake({ ...s.quiet, ...s.options });
      for (const method of s.hold ?? []) (window.__anchordeskHolds[method] ??= []).push(fake.holdNext(method));
      for (const f of s.fail ?? []) fake.failNext(f.method, f.error, f.times ?? 1);
      for (const [userId, text] of s.send ?? []) fake.send(userId, text);
      if (s.events?.length) fake.push(...s.events);
      return fake;
    };
  }, { ...scenario, quiet: QUIET });
  if (scenario.view === 'chat') {
    await page.goto('/?view=chat');
    await expect(page.getByTestId('chat-window')).toBeVisible();
    // The chat window has no header: connected is when its "Connecting…" goes and no error shows.
    if (scenario.connected ?? true) {
      await expect(page.getByTestId('connection-connecting')).toHaveCount(0);
      await expect(page.getByTestId('connection-error')).toHaveCount(0);
    }
    return;
  }
  await page.goto('/');
  await expect(page.locator('.app')).toBeVisible();
  if (scenario.connected ?? true) {
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  }
}

/** Room events, numbered and applied by the fake, delivered as one batch on the subscription. */
export async function push(page: Page, ...events: RoomEvent[]): Promise<void> {
  await page.evaluate((list) => void window.__anchordeskFake.push(...list), events);
}

/** A viewer sends a message (through the word filter). */
export async function send(page: Page, userId: string, text: string): Promise<void> {
  await page.evaluate(([u, t]) => void window.__anchordeskFake.send(u, t), [userId, text] as const);
}

/** The next call of `method` stays pending until `release`. */
export async function holdNext(page: Page, method: FakeMethod): Promise<void> {
  await page.evaluate((m) => void (window.__anchordeskHolds[m] ??= []).push(window.__anchordeskFake.holdNext(m)), method);
}

/** Lets the oldest held call of `method` go on. */
export async function release(page: Page, method: FakeMethod): Promise<void> {
  const released = await page.evaluate((m) => {
    const next = window.__anchordeskHolds[m]?.shift();
    next?.();
    return next !== undefined;
  }, method);
  expect(released, `a ${method} call was held`).toBe(true);
}

/** The next `times` calls of `method` reject with `error`. */
export async function failNext(page: Page, method: FakeMethod, error: WireError, times = 1): Promise<void> {
  await page.evaluate(([m, e, n]) => window.__anchordeskFake.failNext(m, e, n), [method, error, times] as const);
}

/** The console's link to its hub changes (as the app's `hub-connection` event says). */
export async function setHubLink(page: Page, connection: HubConnection): Promise<void> {
  await page.evaluate((c) => window.__anchordeskFake.hubTeam.setConnection(c), connection);
}

/** How often the fake was asked for `method` so far. */
export async function callCount(page: Page, method: FakeMethod): Promise<number> {
  return page.evaluate((m) => window.__anchordeskFake.calls.filter((c) => c.method === m).length, method);
}

/** The fake's calls of `method`, with their arguments, oldest first. */
export async function callsOf(page: Page, method: FakeMethod): Promise<unknown[][]> {
  return page.evaluate((m) => window.__anchordeskFake.calls.filter((c) => c.method === m).map((c) => c.args), method);
}

export async function openTab(
  page: Page,
  tab: 'gifts' | 'held' | 'moderation' | 'audit' | 'room' | 'stream' | 'words' | 'team',
): Promise<Locator> {
  await page.getByTestId(`tab-${tab}`).click();
  await expect(page.getByTestId(`tab-${tab}`)).toHaveAttribute('aria-selected', 'true');
  const panel = page.locator(`#panel-${tab}`);
  await expect(panel).toBeVisible();
  return panel;
}

let nextId = 1;

/** A chat event as the room sends it (ids unique within the test run). */
export function chat(userId: string, text: string, fields: Partial<ChatLine> = {}): RoomEvent {
  return { type: 'chat', id: `t${nextId++}`, userId, text, at: Date.now(), hidden: false, ...fields };
}

export function gift(userId: string, giftName: string, count: number, unitPrice: number, fields: Partial<GiftLine> = {}): RoomEvent {
  return {
    type: 'gift',
    id: `tg${nextId++}`,
    userId,
    giftId: giftName.toLowerCase().replace(/\W+/g, '-'),
    giftName,
    count,
    unitPrice,
    at: Date.now(),
    ...fields,
  };
}

export const OFFLINE: WireError = { code: 'offline', message: 'the hub did not answer: check that AnchorDesk is running' };
export const REFUSED: WireError = { code: 'forbidden', message: 'Tencent refused the request (error 10007): not an admin' };

/**
 * A room with something in every panel — the seeded simulation, a lottery, a past stream, OBS live, a
 * held message, a team with a revoked member — and saved settings with a stored secret and one set by
 * the environment, so every view the walk below opens has its words and colours to check.
 */
export const EVERYTHING: Scenario = {
  options: {
    history: 160,
    stream: { obsLive: true },
    room: { status: 'live', notice: '今晚九点抽奖', lottery: { keyword: 'gift', open: true, entrants: 12, winners: [], seed: null } },
    sessions: [{ id: 1, startedAt: Date.now() - 86_400_000, endedAt: Date.now() - 80_000_000, peakOnline: 900, messages: 5200, likes: 48_000, giftValue: 31_000 }],
    settings: { secrets: ['imSecretKey'], fromEnv: ['obsUrl'] },
    team: {
      people: [
        { name: 'mod_mei', role: 'moderator', createdAt: Date.now() - 86_400_000, lastSeen: Date.now() - 60_000, connected: 1, revoked: false },
        { name: 'prod_bo', role: 'viewer', createdAt: Date.now() - 172_800_000, lastSeen: null, connected: 0, revoked: true },
      ],
    },
  },
  send: [['nightowl42', 'FREE COINS on my profile!!']],
};

const SIDE_TABS = ['gifts', 'held', 'moderation', 'audit', 'room', 'stream', 'words', 'team'] as const;
const SETTINGS_SECTIONS = ['im', 'hub', 'streaming', 'obs', 'alerts', 'appearance'] as const;

/**
 * Opens every view of the console on an `EVERYTHING` room and calls `visit` in each: every side tab,
 * the status menu, a user card and its ban question, the chat filtered (a user chip, a kind left out,
 * nothing matching), the shortcut list, a big gift's alert, the chat popped out, a new invite on the
 * Team tab, the link to the hub reconnecting (a command refused, with Retry) and revoked, each section of
 * Settings with its states (a secret being replaced or forgotten, saved settings waiting for a
 * restart, a field to fix, the question on closing). The language and theme checks share it, so a
 * new view added here is checked by both.
 */
export async function everyView(page: Page, visit: (view: string) => Promise<void>): Promise<void> {
  await visit('main');
  for (const tab of SIDE_TABS) {
    const panel = await openTab(page, tab);
    if (tab === 'stream') await expect(panel.getByTestId('push-server')).toBeVisible();
    if (tab === 'words') await expect(panel.getByTestId('words-text')).toBeEnabled();
    if (tab === 'room') await expect(panel.getByTestId('streams-list')).toBeVisible();
    if (tab === 'team') await expect(panel.getByTestId('team-member').first()).toBeVisible();
    await visit(`tab ${tab}`);
  }
  // The Team tab with an invite just made (shown once, with the loopback warning).
  await page.getByTestId('invite-create').click();
  await expect(page.getByTestId('invite-loopback')).toBeVisible();
  await visit('team, an invite shown');
  await page.getByTestId('invite-done').click();
  await page.getByTestId('status-toggle').click();
  await visit('status menu');
  await page.keyboard.press('Escape');

  await page.getByTestId('chat-user').last().click();
  await expect(page.getByTestId('user-profile')).toHaveAttribute('data-state', 'ready');
  await visit('user card');
  await page.keyboard.press('b');
  await expect(page.getByTestId('user-ban-question')).toBeVisible();
  await visit('ban question');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('user-card')).toHaveCount(0);

  const line = page.getByTestId('chat-line').last();
  await line.hover();
  await line.getByTestId('chat-only-user').click();
  await page.getByTestId('chat-kind-gift').click();
  await expect(page.getByTestId('chat-user-filter')).toBeVisible();
  await visit('chat filtered');
  await page.getByTestId('chat-search').fill('zzzz no such line');
  await expect(page.getByTestId('chat-no-matches')).toBeVisible();
  await visit('chat, nothing matches');
  await page.getByTestId('chat-clear-filters').click();

  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts-help')).toBeVisible();
  await visit('shortcuts');
  await page.keyboard.press('Escape');
  await push(page, gift('maple_tea', 'Castle 🏰', 3, 1314));
  // The pointer on it holds it (it would go by itself after a few seconds).
  await page.getByTestId('gift-alert').hover();
  await visit('gift alert');
  await page.getByTestId('gift-alert-dismiss').click();
  await page.getByTestId('chat-pop-out').click();
  await expect(page.getByTestId('chat-popped-out')).toBeVisible();
  await visit('chat popped out');
  await page.getByTestId('chat-bring-back').click();
  await expect(page.getByTestId('chat-panel')).toBeVisible();

  // The link to the hub: reconnecting (the room stays, stale), a command refused meanwhile with its
  // Retry, then revoked — and back to connected for what follows.
  await setHubLink(page, { type: 'reconnecting', attempt: 2, since: Date.now() - 8000, reason: 'connection refused' });
  await expect(page.getByTestId('hub-connection')).toHaveAttribute('data-state', 'reconnecting');
  await openTab(page, 'held');
  await page.getByTestId('held-approve').first().click();
  await expect(page.getByTestId('offline-retry')).toBeVisible();
  await visit('hub reconnecting, a command refused');
  await setHubLink(page, { type: 'revoked', reason: 'the owner revoked this console’s access' });
  await expect(page.getByTestId('hub-connection')).toHaveAttribute('data-state', 'revoked');
  await visit('hub revoked');
  await setHubLink(page, { type: 'connected', role: 'owner', name: 'anchor' });
  await expect(page.getByTestId('hub-connection')).toHaveCount(0);

  await page.getByTestId('settings-open').click();
  await expect(page.getByTestId('settings-field-sdkAppId')).toBeVisible();
  for (const id of SETTINGS_SECTIONS) {
    await page.getByTestId(`settings-nav-${id}`).click();
    await expect(page.getByTestId(`settings-section-${id}`)).toBeVisible();
    await visit(`settings ${id}`);
  }
  await page.getByTestId('settings-nav-streaming').click();
  await page.getByTestId('secret-pushKey-replace').click();
  await visit('settings, a secret replaced');
  await page.getByTestId('settings-nav-im').click();
  await page.getByTestId('secret-imSecretKey-forget').click();
  await visit('settings, a secret forgotten');
  await page.getByTestId('secret-imSecretKey-undo').click();
  await page.getByTestId('settings-field-roomName').fill('room 7');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-restart-banner')).toBeVisible();
  await visit('settings saved, restart waiting');
  await page.getByTestId('settings-field-sdkAppId').fill('abc');
  await page.getByTestId('settings-field-sdkAppId').press('Tab');
  await expect(page.getByTestId('settings-problem-sdkAppId')).toBeVisible();
  await visit('settings, a field to fix');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-fix-fields')).toBeVisible();
  await visit('settings, not saved');
  await page.getByTestId('settings-close').click();
  await expect(page.getByTestId('settings-discard-confirm')).toBeVisible();
  await visit('settings, discard?');
  await page.getByTestId('settings-discard').click();
  await expect(page.getByTestId('settings-sheet')).toHaveCount(0);
}
