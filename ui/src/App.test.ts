// @vitest-environment jsdom
// Why: the whole window against the fake backend — connecting state, feeds, counters, the status
// toggle, hiding chat lines, mute-all, the user card and the side tabs — using the same test ids the
// WebDriver tests rely on.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import App from './App.svelte';
import { FakeBackend } from './lib/fake-backend';
import { locale } from './lib/locale.svelte';
import { Room } from './lib/room.svelte';
import { fixedClock, manualFrames, type ManualFrames } from './lib/test-support';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

let app: Record<string, unknown> | null = null;
let backend: FakeBackend;
let frames: ManualFrames;
let room: Room;

const q = <T extends HTMLElement = HTMLElement>(id: string) =>
  document.querySelector<T>(`[data-testid="${id}"]`);
const qa = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
/** The last moderation call (the card also reloads its profile after each action). */
const lastModerate = () => backend.calls.filter((c) => c.method === 'moderate').at(-1);

async function settle() {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  frames.frame();
  flushSync();
}

beforeEach(() => {
  const clock = fixedClock(T0);
  frames = manualFrames();
  backend = new FakeBackend({
    seed: 5,
    clock,
    room: {
      name: 'Test room',
      status: 'live',
      likes: 1200,
      online: 34,
      popularity: 777,
      chat: [
        { id: '1', userId: 'alice', text: 'hello', at: T0, hidden: false },
        { id: '2', userId: '小龙女', text: '主播好！', at: T0, hidden: false },
      ],
      gifts: [{ id: 'g1', userId: 'bob', giftId: 'rose', giftName: 'Rose', count: 5, unitPrice: 1, at: T0 }],
      members: [{ userId: 'alice', at: T0 }],
    },
  });
  room = new Room({ backend, clock, schedule: frames.schedule, retryDelayMs: 0, sleep: async () => {} });
});

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

describe('App', () => {
  it('shows "Connecting to the room…" while notReady, then the room', async () => {
    const release = backend.holdNext('subscribe');
    backend.failNext('subscribe', { code: 'notReady', message: 'starting' });
    app = mount(App, { target: document.body, props: { room } });
    flushSync();
    expect(q('connection-state')!.dataset.state).toBe('connecting');
    expect(q('connection-overlay')!.textContent).toContain('Connecting to the room…');
    release();
    await vi.waitFor(() => expect(room.connection).toBe('connected'));
    flushSync();
    expect(q('connection-state')!.dataset.state).toBe('connected');
    expect(q('connection-overlay')).toBeNull();
    expect(backend.calls.filter((c) => c.method === 'subscribe')).toHaveLength(2);
  });

  it('shows other subscribe errors with a retry', async () => {
    backend.failNext('subscribe', { code: 'authExpired', message: 'the IM sign-in expired' });
    app = mount(App, { target: document.body, props: { room } });
    await vi.waitFor(() => expect(room.connection).toBe('error'));
    flushSync();
    expect(q('connection-state')!.dataset.state).toBe('error');
    expect(q('connection-error')!.textContent).toBe('the IM sign-in expired');
    q('connection-retry')!.click();
    await vi.waitFor(() => expect(room.connection).toBe('connected'));
  });

  describe('connected', () => {
    beforeEach(async () => {
      app = mount(App, { target: document.body, props: { room } });
      await vi.waitFor(() => expect(room.connection).toBe('connected'));
      flushSync();
    });

    it('renders chat, gifts and plain-digit counters, and applies events per frame', async () => {
      expect(qa('chat-line').map((l) => l.dataset.userId)).toEqual(['alice', '小龙女']);
      expect(qa('chat-user')[1].textContent!.trim()).toBe('小龙女');
      expect(q('chat-feed')).not.toBeNull();
      expect(qa('gift-line')).toHaveLength(1);
      expect(q('gift-feed')!.textContent).toContain('×5');
      expect(q('like-count')!.textContent).toBe('1200');
      expect(q('online-count')!.textContent).toBe('34');

      backend.push(
        { type: 'chat', id: '3', userId: '지민이', text: '안녕하세요!', at: T0, hidden: false },
        { type: 'likes', total: 1234567 },
        { type: 'online', count: 40 },
        { type: 'gift', id: 'g2', userId: 'さくら_jp', giftId: 'rocket', giftName: 'Rocket', count: 10, unitPrice: 520, at: T0 },
        { type: 'status', status: 'paused' },
      );
      flushSync();
      expect(qa('chat-line')).toHaveLength(2); // not before the frame
      frames.frame();
      flushSync();
      expect(qa('chat-line').at(-1)!.textContent).toContain('안녕하세요!');
      expect(q('like-count')!.textContent).toBe('1234567');
      expect(q('online-count')!.textContent).toBe('40');
      expect(qa('gift-line')[0].dataset.userId).toBe('さくら_jp'); // newest first
      expect(q('status-toggle')!.dataset.status).toBe('paused');
      expect(qa('system-line').at(-1)!.textContent).toContain('Room status changed to Paused');
    });

    it('shows the popularity as plain digits next to the likes, updated by its event', async () => {
      const popularity = q('popularity')!;
      expect(popularity.textContent).toBe('777');
      expect(popularity.closest('.stat')!.previousElementSibling!.querySelector('[data-testid="like-count"]')).not.toBeNull();
      backend.push({ type: 'popularity', score: 123456 });
      frames.frame();
      flushSync();
      expect(q('popularity')!.textContent).toBe('123456');
    });

    it('edits the notice from the Room tab; the header shows it once saved', async () => {
      expect(q('room-notice')).toBeNull();
      q('tab-room')!.click();
      flushSync();
      expect(q('tab-room')!.getAttribute('aria-selected')).toBe('true');
      const area = q<HTMLTextAreaElement>('notice-text')!;
      area.value = '今晚八点抽奖';
      area.dispatchEvent(new Event('input', { bubbles: true }));
      flushSync();
      expect(q('notice-bytes')!.textContent).toBe('18 / 300 bytes');
      q('notice-save')!.click();
      await vi.waitFor(() => expect(q('notice-saved')).not.toBeNull());
      expect(q('room-notice')!.textContent).toContain('今晚八点抽奖');
      // The audit log has the change.
      await settle();
      expect(room.audit.at(-1)).toMatchObject({ action: 'notice', target: 'room' });
    });

    it('changes the status from the menu, and shows a rejection inline', async () => {
      q('status-toggle')!.click();
      flushSync();
      expect(q<HTMLButtonElement>('status-option-upcoming')!.disabled).toBe(true);
      q('status-option-ended')!.click();
      flushSync();
      q('status-end-yes')!.click(); // ending asks first
      await vi.waitFor(() => expect(room.status).toBe('ended'));
      flushSync();
      expect(q('status-toggle')!.dataset.status).toBe('ended');

      backend.failNext('setStatus', { code: 'offline', message: 'Tencent IM is unreachable; retry' });
      q('status-toggle')!.click();
      flushSync();
      q('status-option-replay')!.click();
      await vi.waitFor(() => expect(q('status-error')).not.toBeNull());
      expect(q('status-error')!.textContent).toContain('Tencent IM is unreachable; retry');
      expect(q('status-toggle')!.dataset.status).toBe('ended');
    });

    it('opens the user card, mutes (buttons locked in flight), unmutes, kicks, shows errors, closes on Escape', async () => {
      qa('chat-user')[0].click();
      flushSync();
      const card = q('user-card')!;
      expect(card.dataset.userId).toBe('alice');
      expect(card.dataset.muted).toBe('false');

      const select = q<HTMLSelectElement>('mute-duration')!;
      expect([...select.options].map((o) => o.value)).toEqual(['10', '60', '600', '3600', '86400', '4294967295', 'eos']);
      select.value = '60';
      select.dispatchEvent(new Event('change', { bubbles: true }));
      flushSync();

      const release = backend.holdNext('moderate');
      q('user-mute')!.click();
      flushSync();
      for (const id of ['user-mute', 'user-unmute', 'user-kick', 'user-ban', 'user-unban']) {
        expect(q<HTMLButtonElement>(id)!.disabled).toBe(true);
      }
      release();
      await vi.waitFor(() => expect(q('user-card')!.dataset.muted).toBe('true'));
      flushSync();
      expect(lastModerate()).toEqual({
        method: 'moderate',
        args: [{ type: 'mute', userId: 'alice', seconds: 60, untilEndOfStream: false, reason: '' }],
      });
      expect(q('user-card-status')!.textContent).toContain('Muted');
      expect(q<HTMLButtonElement>('user-kick')!.disabled).toBe(false);

      q('user-unmute')!.click();
      await vi.waitFor(() => expect(q('user-card')!.dataset.muted).toBe('false'));
      expect(lastModerate()).toEqual({ method: 'moderate', args: [{ type: 'unmute', userId: 'alice', reason: '' }] });

      backend.failNext('moderate', { code: 'forbidden', message: 'cannot kick an admin' });
      q('user-kick')!.click();
      await vi.waitFor(() => expect(q('user-card-error')).not.toBeNull());
      expect(q('user-card-error')!.textContent).toBe('cannot kick an admin');

      expect(q('user-unblock')).toBeNull(); // not blocked
      q('user-kick')!.click();
      await vi.waitFor(() => expect(q('user-card')!.dataset.blocked).toBe('true'));
      flushSync();
      expect(q('user-unblock')).not.toBeNull();

      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
      flushSync();
      expect(q('user-card')).toBeNull();

      q('tab-moderation')!.click();
      flushSync();
      expect(q('blocked-list')!.textContent).toContain('alice');
    });

    it('mutes permanently from the card', async () => {
      qa('chat-user')[1].click();
      flushSync();
      const select = q<HTMLSelectElement>('mute-duration')!;
      select.value = '4294967295';
      select.dispatchEvent(new Event('change', { bubbles: true }));
      q('user-mute')!.click();
      await vi.waitFor(() => expect(q('user-card')!.dataset.muted).toBe('true'));
      expect(lastModerate()!.args).toEqual([
        { type: 'mute', userId: '小龙女', seconds: 4294967295, untilEndOfStream: false, reason: '' },
      ]);
      flushSync();
      expect(q('user-card-status')!.textContent).toContain('Muted permanently');
      await settle();
      expect(qa('system-line').at(-1)!.textContent).toContain('小龙女 was muted permanently');
    });

    it('shows gifts by default; the other tabs open their panels and keep them', async () => {
      const tabs = ['gifts', 'held', 'moderation', 'audit', 'room', 'words'];
      expect(tabs.map((id) => q(`tab-${id}`)!.getAttribute('aria-selected'))).toEqual(['true', 'false', 'false', 'false', 'false', 'false']);
      expect(q('room-panel')).toBeNull(); // not created before its tab is opened
      expect(q('gift-feed')).not.toBeNull();
      expect(q('held-queue')).toBeNull(); // not created before its tab is opened
      expect(q('held-count')).toBeNull();

      backend.send('bob', 'free coins for all');
      backend.send('carol', 's p a m');
      await settle();
      expect(q('held-count')!.textContent).toBe('1');

      q('tab-held')!.click();
      flushSync();
      expect(q('tab-held')!.getAttribute('aria-selected')).toBe('true');
      expect(q('held-queue')!.closest<HTMLElement>('[role="tabpanel"]')!.hidden).toBe(false);
      expect(q('gift-feed')!.closest<HTMLElement>('[role="tabpanel"]')!.hidden).toBe(true);
      expect(qa('held-line').map((l) => l.dataset.userId)).toEqual(['bob']);

      q('tab-moderation')!.click();
      flushSync();
      expect(qa('filtered-line').map((l) => l.dataset.userId)).toEqual(['carol']);

      q('tab-words')!.click();
      await vi.waitFor(() => expect(q<HTMLTextAreaElement>('words-text')!.value).toContain('free coins\thold'));

      // Arrow keys move between tabs, round from the last (Team) to the first.
      q('tab-words')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
      flushSync();
      expect(q('tab-team')!.getAttribute('aria-selected')).toBe('true');
      q('tab-team')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
      flushSync();
      expect(q('tab-gifts')!.getAttribute('aria-selected')).toBe('true');
      expect(q('gift-feed')!.closest<HTMLElement>('[role="tabpanel"]')!.hidden).toBe(false);
      expect(q('words-panel')).not.toBeNull(); // kept, hidden
    });

    it('hides a chat line from its Hide button: struck through and marked, the button gone', async () => {
      const line = () => qa('chat-line').find((l) => l.dataset.key === 'c:1')!;
      expect(line().dataset.hidden).toBe('false');
      expect(q('chat-hidden')).toBeNull();
      expect(qa('chat-hide')).toHaveLength(0); // a line's tools come with the pointer (or focus)
      line().dispatchEvent(new Event('pointerover', { bubbles: true }));
      flushSync();
      expect(qa('chat-hide')).toHaveLength(1);
      const button = line().querySelector<HTMLButtonElement>('[data-testid="chat-hide"]')!;
      expect(button.title).toBe('Hide this message from viewers');
      button.click();
      await vi.waitFor(() => expect(line().dataset.hidden).toBe('true'));
      flushSync();
      expect(lastModerate()).toEqual({ method: 'moderate', args: [{ type: 'hide', msgId: '1', reason: '' }] });
      expect(line().querySelector('[data-testid="chat-hidden"]')!.textContent).toBe('Hidden');
      expect(line().querySelector('[data-testid="chat-hide"]')).toBeNull();
      expect(line().textContent).toContain('hello'); // moderators still read it
      await settle();
      expect(room.audit.at(-1)).toMatchObject({ action: 'hide', target: 'alice', detail: 'message 1: hello' });
    });

    it('shows a refused hide on its line; a line hidden elsewhere shows hidden', async () => {
      backend.failNext('moderate', { code: 'offline', message: 'Tencent IM is unreachable' });
      const line = () => qa('chat-line').find((l) => l.dataset.key === 'c:2')!;
      line().dispatchEvent(new Event('pointerover', { bubbles: true }));
      flushSync();
      line().querySelector<HTMLButtonElement>('[data-testid="chat-hide"]')!.click();
      await vi.waitFor(() => expect(q('chat-hide-error')).not.toBeNull());
      expect(line().querySelector('[data-testid="chat-hide-error"]')!.textContent).toContain('Tencent IM is unreachable');
      expect(line().dataset.hidden).toBe('false');

      backend.push({ type: 'messageHidden', id: '2', actor: 'mod_mei' });
      frames.frame();
      flushSync();
      expect(line().dataset.hidden).toBe('true');
      expect(line().querySelector('[data-testid="chat-hidden"]')).not.toBeNull();
    });

    it('mutes everyone only after confirming, shows it while on, and lets everyone speak again at once', async () => {
      const toggle = q<HTMLButtonElement>('mute-all-toggle')!;
      expect(toggle.getAttribute('aria-pressed')).toBe('false');
      expect(q('mute-all-on')).toBeNull();

      toggle.click();
      flushSync();
      expect(q('mute-all-question')!.textContent).toBe('Everyone except admins will be muted.');
      q('mute-all-cancel')!.click();
      flushSync();
      expect(q('mute-all-question')).toBeNull();
      expect(backend.calls.some((c) => c.method === 'moderate')).toBe(false);

      toggle.click();
      flushSync();
      q('mute-all-confirm')!.click();
      await vi.waitFor(() => expect(q('mute-all-on')).not.toBeNull());
      expect(lastModerate()).toEqual({ method: 'moderate', args: [{ type: 'muteAll', on: true, reason: '' }] });
      expect(q('mute-all-on')!.textContent).toBe('Everyone except admins is muted: viewers cannot chat until you unmute all.');
      expect(q('mute-all-question')).toBeNull();
      expect(toggle.getAttribute('aria-pressed')).toBe('true');

      backend.failNext('moderate', { code: 'forbidden', message: 'only the owner can do that' });
      toggle.click();
      await vi.waitFor(() => expect(q('mute-all-error')).not.toBeNull());
      expect(q('mute-all-error')!.textContent).toBe('only the owner can do that');
      expect(q('mute-all-on')).not.toBeNull();

      toggle.click(); // no question when turning it off
      await vi.waitFor(() => expect(q('mute-all-on')).toBeNull());
      expect(lastModerate()!.args).toEqual([{ type: 'muteAll', on: false, reason: '' }]);
      expect(q('mute-all-error')).toBeNull();
    });

    it('says when a status change is not on Tencent yet, and why, until it is', () => {
      expect(q('status-sync')).toBeNull();
      backend.push({ type: 'statusSync', status: 'live', synced: false, error: 'Tencent said 10004', attempts: 3 });
      frames.frame();
      flushSync();
      expect(q('status-sync')!.textContent!.trim()).toBe('Not yet on Tencent');
      expect(q('status-sync')!.title).toBe('Retrying (attempt 3): Tencent said 10004');
      backend.push({ type: 'statusSync', status: 'live', synced: true, error: null, attempts: 0 });
      frames.frame();
      flushSync();
      expect(q('status-sync')).toBeNull();
    });

    it('follows mute-all and the room name from other consoles', () => {
      backend.push({ type: 'muteAll', on: true }, { type: 'renamed', name: '周五夜场' });
      frames.frame();
      flushSync();
      expect(q('mute-all-on')).not.toBeNull();
      expect(document.querySelector('.room-name')!.textContent).toBe('周五夜场');
    });

    it('has the ladder editor under the word list, and the streams under the notice', async () => {
      q('tab-words')!.click();
      flushSync();
      expect(q('ladder-editor')!.closest('[role="tabpanel"]')).toBe(q('words-panel')!.closest('[role="tabpanel"]'));
      q('tab-room')!.click();
      await vi.waitFor(() => expect(q('streams-empty')).not.toBeNull());
      expect(q('streams-panel')!.closest('[role="tabpanel"]')).toBe(q('room-panel')!.closest('[role="tabpanel"]'));
      expect(backend.calls.filter((c) => c.method === 'sessions').map((c) => c.args)).toEqual([[20]]);
    });

    it('opens the Go live tab next to Room (asking for the push address only then); the header shows the stream health', async () => {
      expect(q('tab-room')!.nextElementSibling).toBe(q('tab-stream'));
      expect(q('tab-stream')!.textContent!.trim()).toBe('Go live');
      expect(q('go-live-panel')).toBeNull();
      expect(backend.calls.some((c) => c.method === 'streamAddress')).toBe(false); // a credential: not until asked
      expect(q('stream-health')!.textContent).toContain('OBS ready');

      q('tab-stream')!.click();
      flushSync();
      expect(q('tab-stream')!.getAttribute('aria-selected')).toBe('true');
      expect(q('go-live-panel')!.closest<HTMLElement>('[role="tabpanel"]')!.hidden).toBe(false);
      await vi.waitFor(() => expect(q('push-server')).not.toBeNull());

      await room.setStatus('paused'); // going live works from paused
      q('go-live')!.click();
      await vi.waitFor(() => expect(backend.snapshot().status).toBe('live'));
      await settle();
      expect(q('go-live-done')!.textContent).toBe('You are live');
      expect(q('stream-health')!.textContent).toContain('OBS live 2,480 kbps');
      expect(q('stream-health')!.textContent).toContain('CSS receiving');
      expect(q('status-toggle')!.dataset.status).toBe('live');
    });

    it('switches language from the header, remembers it, and tags the document for CJK fonts', () => {
      const select = document.querySelector<HTMLSelectElement>('header select')!;
      expect(select.value).toBe('en');
      select.value = 'zh';
      select.dispatchEvent(new Event('change', { bubbles: true }));
      flushSync();
      try {
        expect(document.querySelector('header')!.textContent).toContain('在线');
        expect(q('status-toggle')!.textContent).toContain('直播中');
        expect(localStorage.getItem('anchordesk.lang')).toBe('zh');
        expect(document.documentElement.lang).toBe('zh-CN');
      } finally {
        locale.set('en');
        localStorage.clear();
      }
    });
  });
});
