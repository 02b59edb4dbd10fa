// @vitest-environment jsdom
// Why: the window's chat features together — popping the chat out (the column becomes a placeholder
// that brings it back, also when the chat window is closed from the window manager), the splitter
// (keys, limits, remembered, reset), the keyboard shortcuts and their help, and "only this user" from
// the user card — against the fake backend, with the test ids the WebDriver and Playwright tests use.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import App from './App.svelte';
import { FakeBackend } from './lib/fake-backend';
import { Room } from './lib/room.svelte';
import { SIDE_WIDTH_KEY, SPLIT } from './lib/splitter';
import { fixedClock, manualFrames } from './lib/test-support';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
/** What the main area measures in a 1280 px window (jsdom has no layout). */
const BODY_WIDTH = 1280;

let app: Record<string, unknown> | null = null;
let backend: FakeBackend;
let room: Room;
let restoreWidth: () => void = () => {};

const q = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);
const qa = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

function key(k: string, target: EventTarget = document.body, init: KeyboardEventInit = {}) {
  const event = new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  flushSync();
  return event;
}

beforeEach(async () => {
  localStorage.clear();
  // Shadows Element.prototype's own (always 0 in jsdom) until the test ends.
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', {
    configurable: true,
    get(this: HTMLElement) {
      return this.tagName === 'MAIN' ? BODY_WIDTH : 0;
    },
  });
  restoreWidth = () => void delete (HTMLElement.prototype as { clientWidth?: number }).clientWidth;
  const clock = fixedClock(T0);
  backend = new FakeBackend({
    clock,
    room: {
      chat: [
        { id: '1', userId: 'alice', text: 'hello', at: T0, hidden: false },
        { id: '2', userId: '小龙女', text: '主播好！', at: T0, hidden: false },
      ],
    },
  });
  room = new Room({ backend, clock, schedule: manualFrames().schedule, sleep: async () => {} });
});

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
  restoreWidth();
  localStorage.clear();
});

async function start() {
  app = mount(App, { target: document.body, props: { room } });
  await vi.waitFor(() => expect(room.connection).toBe('connected'));
  flushSync();
}

describe('App: the chat', () => {
  it('pops the chat out: a placeholder brings it back, and the side column takes the space', async () => {
    await start();
    expect(q('chat-popped-out')).toBeNull();
    q('chat-pop-out')!.click();
    await vi.waitFor(() => expect(q('chat-popped-out')).not.toBeNull());
    expect(backend.chatWindowOpen).toBe(true);
    expect(q('chat-popped-out')!.textContent).toContain('Chat is in its own window');
    expect(q('chat-feed')).toBeNull(); // the chat lives in its window now
    expect(q('layout-splitter')).toBeNull();
    expect(document.querySelector('main')!.classList.contains('popped')).toBe(true);

    q('chat-bring-back')!.click();
    await vi.waitFor(() => expect(q('chat-popped-out')).toBeNull());
    expect(backend.calls.filter((c) => c.method === 'popInChat')).toHaveLength(1);
    expect(qa('chat-line')).toHaveLength(2);
    expect(q('layout-splitter')).not.toBeNull();

    // Closed from the window manager: the chat comes back too.
    await backend.popOutChat();
    flushSync();
    expect(q('chat-popped-out')).not.toBeNull();
    backend.closeChatWindow();
    flushSync();
    expect(q('chat-popped-out')).toBeNull();
  });

  it('shows why the chat could not come back, and keeps the placeholder', async () => {
    await start();
    await backend.popOutChat();
    flushSync();
    backend.failNext('popInChat', { code: 'internal', message: 'the chat window did not answer' });
    q('chat-bring-back')!.click();
    await vi.waitFor(() => expect(q('chat-bring-back-error')).not.toBeNull());
    expect(q('chat-bring-back-error')!.textContent).toBe('the chat window did not answer');
    expect(q('chat-popped-out')).not.toBeNull();
  });

  it('filters the chat to one user from the user card', async () => {
    await start();
    qa('chat-user')[1].click();
    flushSync();
    q('user-filter-chat')!.click();
    flushSync();
    expect(q('user-card')).toBeNull();
    expect(q('chat-user-filter')!.dataset.userId).toBe('小龙女');
    expect(qa('chat-line').map((l) => l.dataset.userId)).toEqual(['小龙女']);
  });
});

describe('App: the splitter', () => {
  it('is a focusable separator whose value is the chat width; keys move it within the limits and it is remembered', async () => {
    await start();
    const splitter = q('layout-splitter')!;
    const shared = BODY_WIDTH - 20; // the main area's padding
    expect(splitter.getAttribute('role')).toBe('separator');
    expect(splitter.tabIndex).toBe(0);
    expect(splitter.getAttribute('aria-controls')).toBe('chat-column');
    expect(splitter.dataset.sideWidth).toBe(String(SPLIT.defaultSide));
    expect(splitter.getAttribute('aria-valuenow')).toBe(String(shared - SPLIT.gutter - SPLIT.defaultSide));
    expect(splitter.getAttribute('aria-valuemin')).toBe(String(SPLIT.minChat));

    key('ArrowLeft', splitter);
    expect(splitter.dataset.sideWidth).toBe(String(SPLIT.defaultSide + SPLIT.step));
    expect(localStorage.getItem(SIDE_WIDTH_KEY)).toBe(String(SPLIT.defaultSide + SPLIT.step));
    expect(document.querySelector<HTMLElement>('main')!.style.getPropertyValue('--side-w')).toBe(`${SPLIT.defaultSide + SPLIT.step}px`);

    const end = key('End', splitter);
    expect(end.defaultPrevented).toBe(true); // not also "jump to the latest chat"
    expect(splitter.dataset.sideWidth).toBe(String(SPLIT.minSide));
    key('Home', splitter);
    expect(splitter.dataset.sideWidth).toBe(String(shared - SPLIT.gutter - SPLIT.minChat));
    expect(splitter.getAttribute('aria-valuenow')).toBe(String(SPLIT.minChat));

    splitter.dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));
    flushSync();
    expect(splitter.dataset.sideWidth).toBe(String(SPLIT.defaultSide));
    expect(localStorage.getItem(SIDE_WIDTH_KEY)).toBeNull();
  });

  it('drags with the pointer and remembers where it was let go', async () => {
    await start();
    const splitter = q('layout-splitter')!;
    const pointer = (type: string, clientX: number) =>
      splitter.dispatchEvent(new PointerEvent(type, { bubbles: true, button: 0, pointerId: 1, clientX }));
    pointer('pointerdown', 800);
    pointer('pointermove', 700);
    flushSync();
    expect(splitter.dataset.sideWidth).toBe(String(SPLIT.defaultSide + 100));
    expect(localStorage.getItem(SIDE_WIDTH_KEY)).toBeNull(); // not until let go
    pointer('pointerup', 650);
    flushSync();
    expect(localStorage.getItem(SIDE_WIDTH_KEY)).toBe(String(SPLIT.defaultSide + 150));
  });

  it('starts from the remembered width, clamped to what the window allows', async () => {
    localStorage.setItem(SIDE_WIDTH_KEY, '5000');
    await start();
    expect(q('layout-splitter')!.dataset.sideWidth).toBe(String(BODY_WIDTH - 20 - SPLIT.gutter - SPLIT.minChat));
    expect(localStorage.getItem(SIDE_WIDTH_KEY)).toBe('5000'); // a wider window may show it all
  });
});

describe('App: keyboard shortcuts', () => {
  it('/ focuses the chat search, Ctrl+digit picks a tab, ? lists the shortcuts', async () => {
    await start();
    expect(key('/').defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(q('chat-search'));
    // Typing a slash or a question mark in the search is just text.
    expect(key('?', q('chat-search')!).defaultPrevented).toBe(false);
    expect(q('shortcuts-help')).toBeNull();
    q<HTMLInputElement>('chat-search')!.blur();

    key('2', document.body, { ctrlKey: true });
    expect(q('tab-held')!.getAttribute('aria-selected')).toBe('true');
    key('7', document.body, { ctrlKey: true });
    expect(q('tab-words')!.getAttribute('aria-selected')).toBe('true');

    key('?');
    expect(q('shortcuts-help')).not.toBeNull();
    expect(qa('shortcut-line').length).toBe(13);
    expect(q('shortcuts-global')!.textContent).toContain('Search the chat');
    expect(q('shortcuts-card')!.textContent).toContain('Mute for 1 min');
    key('/'); // the overlay has the keys
    expect(document.activeElement).not.toBe(q('chat-search'));
    key('Escape');
    expect(q('shortcuts-help')).toBeNull();

    q('shortcuts-open')!.click();
    flushSync();
    expect(q('shortcuts-help')).not.toBeNull();
    q('shortcuts-close')!.click();
    flushSync();
    expect(q('shortcuts-help')).toBeNull();
  });

  it('leaves the keys to the user card while it is open (but ? still helps), and never fires in a field', async () => {
    await start();
    qa('chat-user')[0].click();
    flushSync();
    key('2', document.body, { ctrlKey: true });
    expect(q('tab-gifts')!.getAttribute('aria-selected')).toBe('true');
    key('?');
    expect(q('shortcuts-help')).not.toBeNull();
    key('k'); // a card key while the help is open does nothing
    key('Escape'); // closes the help only
    expect(q('shortcuts-help')).toBeNull();
    expect(q('user-card')).not.toBeNull();
    await new Promise((r) => setTimeout(r, 5));
    expect(backend.calls.some((c) => c.method === 'moderate')).toBe(false);
    key('Escape');
    expect(q('user-card')).toBeNull();

    q('tab-room')!.click();
    flushSync();
    await vi.waitFor(() => expect(q('notice-text')).not.toBeNull());
    key('3', q('notice-text')!, { ctrlKey: true });
    expect(q('tab-room')!.getAttribute('aria-selected')).toBe('true');
  });

  it('End jumps to the latest chat line', async () => {
    await start();
    const feed = q('chat-feed')!;
    let top = 0;
    Object.defineProperty(feed, 'scrollHeight', { configurable: true, get: () => 900 });
    Object.defineProperty(feed, 'clientHeight', { configurable: true, get: () => 300 });
    Object.defineProperty(feed, 'scrollTop', { configurable: true, get: () => top, set: (v: number) => (top = v) });
    feed.dispatchEvent(new Event('scroll'));
    flushSync();
    expect(feed.dataset.stick).toBe('false');
    expect(key('End').defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(top).toBe(900));
    expect(feed.dataset.stick).toBe('true');
  });
});
