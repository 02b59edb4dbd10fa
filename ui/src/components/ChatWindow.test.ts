// @vitest-environment jsdom
// Why: the popped-out chat is a window of its own: it must follow the room on its own subscription,
// show the chat with its search, filters and user card ("only this user" filters here), name itself
// in the title, dock back through the backend, and take only the shortcuts that make sense there.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { FakeBackend } from '../lib/fake-backend';
import { Room } from '../lib/room.svelte';
import { fixedClock, manualFrames } from '../lib/test-support';
import ChatWindow from './ChatWindow.svelte';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
let app: Record<string, unknown> | null = null;

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

const q = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);
const qa = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

async function setup() {
  const clock = fixedClock(T0);
  const frames = manualFrames();
  const backend = new FakeBackend({
    clock,
    room: {
      name: '周五夜场',
      chat: [
        { id: '1', userId: 'alice', text: 'hello', at: T0, hidden: false },
        { id: '2', userId: 'さくら_jp', text: 'こんばんは！', at: T0, hidden: false },
      ],
    },
  });
  const room = new Room({ backend, clock, schedule: frames.schedule, sleep: async () => {} });
  const release = backend.holdNext('subscribe');
  app = mount(ChatWindow, { target: document.body, props: { room } });
  flushSync();
  return { backend, room, frames, release };
}

describe('ChatWindow', () => {
  it('subscribes on its own, says so until the room answers, then shows the chat and names the window', async () => {
    const { backend, room, release } = await setup();
    expect(q('connection-connecting')!.textContent).toContain('Connecting to the room…');
    release();
    await vi.waitFor(() => expect(room.connection).toBe('connected'));
    flushSync();
    expect(q('connection-connecting')).toBeNull();
    expect(backend.subscriberCount).toBe(1);
    expect(qa('chat-line').map((l) => l.dataset.userId)).toEqual(['alice', 'さくら_jp']);
    expect(document.title).toBe('Chat — 周五夜场');
    expect(q('chat-pop-out')).toBeNull(); // it is the popped-out one
  });

  it('docks back through the backend', async () => {
    const { backend, release } = await setup();
    release();
    await backend.popOutChat();
    q('chat-pop-in')!.click();
    await vi.waitFor(() => expect(backend.chatWindowOpen).toBe(false));
    expect(backend.calls.filter((c) => c.method === 'popInChat')).toHaveLength(1);
  });

  it('opens the user card, whose "only this user" filters this window', async () => {
    const { room, release } = await setup();
    release();
    await vi.waitFor(() => expect(room.connection).toBe('connected'));
    flushSync();
    qa('chat-user')[1].click();
    flushSync();
    expect(q('user-card')!.dataset.userId).toBe('さくら_jp');
    q('user-filter-chat')!.click();
    flushSync();
    expect(q('user-card')).toBeNull();
    expect(qa('chat-line').map((l) => l.dataset.userId)).toEqual(['さくら_jp']);
  });

  it('takes / and ?, but not the side-tab keys (there are no tabs here)', async () => {
    const { release } = await setup();
    release();
    const press = (key: string, init: KeyboardEventInit = {}) => {
      const e = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
      document.body.dispatchEvent(e);
      flushSync();
      return e;
    };
    expect(press('1', { ctrlKey: true }).defaultPrevented).toBe(false);
    press('/');
    expect(document.activeElement).toBe(q('chat-search'));
    q<HTMLInputElement>('chat-search')!.blur();
    press('?');
    expect(q('shortcuts-help')).not.toBeNull();
    expect(q('shortcuts-global')!.textContent).not.toContain('Ctrl');
  });
});
