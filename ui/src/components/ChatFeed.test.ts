// @vitest-environment jsdom
// Why: the chat feed is where a moderator reads the room: each kind of line must read apart (text,
// gifts, like bursts, system, and what the word list held, refused or dropped), viewers must show their
// level and badges, the search, the user chip and the kind toggles must filter the bounded feed, and
// the "N new" pill must keep counting — only what the filter shows — while the anchor reads above.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { ChatLine, RoomEvent } from '../lib/bindings';
import { ChatFilter } from '../lib/chat-filter-state.svelte';
import { connectedRoom } from '../lib/test-support';
import ChatFeed from './ChatFeed.svelte';

let app: Record<string, unknown> | null = null;

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const q = <T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = document) =>
  root.querySelector<T>(`[data-testid="${id}"]`);
const qa = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const lineUsers = () => qa('chat-line').map((l) => l.dataset.userId);

const CHAT: ChatLine[] = [
  { id: '1', userId: 'alice', text: 'Hello from Toronto', at: T0, hidden: false },
  { id: '2', userId: '小龙女', text: '主播好！这首歌太好听了', at: T0, hidden: false },
  { id: '3', userId: 'alice', text: 'GG', at: T0, hidden: false },
  { id: '4', userId: '지민이', text: '노래 너무 좋아요', at: T0, hidden: false },
];

async function setup(props: { onPopOut?: () => Promise<void> } = {}) {
  const ctx = await connectedRoom({
    room: {
      chat: CHAT,
      likes: 100,
      gifts: [{ id: 'g0', userId: 'bob', giftId: 'rocket', giftName: 'Rocket', count: 1, unitPrice: 520, at: T0 }],
    },
  });
  const filter = new ChatFilter();
  const onUser = vi.fn();
  app = mount(ChatFeed, { target: document.body, props: { room: ctx.room, filter, onUser, ...props } });
  flushSync();
  /** Events as the room sends them, applied on the next frame. */
  const push = (...events: RoomEvent[]) => {
    ctx.backend.push(...events);
    ctx.frames.frame();
    flushSync();
  };
  return { ...ctx, filter, onUser, push };
}

/** The pointer comes over `el` (a line's tools appear on it). */
function hover(el: Element) {
  el.dispatchEvent(new Event('pointerover', { bubbles: true }));
  flushSync();
}

function search(text: string, init: { isComposing?: boolean } = {}) {
  const input = q<HTMLInputElement>('chat-search')!;
  input.value = text;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, isComposing: init.isComposing ?? false }));
  flushSync();
}

describe('ChatFeed', () => {
  it('shows each kind of line apart: text, gifts, a like burst, held, refused and dropped, system', async () => {
    const { push } = await setup();
    push(
      { type: 'gift', id: 'g1', userId: 'さくら_jp', giftId: 'rose', giftName: 'Rose 🌹', count: 66, unitPrice: 1, at: T0 },
      { type: 'likes', total: 120 },
      { type: 'likes', total: 135 },
      { type: 'held', id: 9, userId: 'nightowl42', text: 'FREE COINS on my profile', pattern: 'free coins', at: T0 },
      { type: 'blocked', userId: 'spam_bot_9', text: '加微信领福利', pattern: '加微信', action: 'refuse', at: T0 },
      { type: 'blocked', userId: 'troll', text: 's p a m', pattern: 'spam', action: 'drop', at: T0 },
      { type: 'status', status: 'paused' },
    );
    expect(qa('chat-line')).toHaveLength(4);
    const gift = q('gift-row')!;
    expect(gift.dataset.userId).toBe('さくら_jp');
    expect(gift.textContent!.replace(/\s+/g, ' ')).toContain('さくら_jp sent Rose 🌹 ×66');
    expect(gift.textContent).toContain('66 coins');
    expect(qa('likes-row')).toHaveLength(1); // one burst, not a row per like message
    expect(q('likes-row')!.textContent).toContain('35 likes');
    expect(q('likes-row')!.title).toBe('Total likes: 135');
    const held = q('held-row')!;
    expect([held.dataset.userId, held.dataset.resolution]).toEqual(['nightowl42', 'pending']);
    expect(held.textContent).toContain('Held for review');
    expect(held.textContent).toContain('Rule: free coins');
    expect(qa('filtered-row').map((r) => [r.dataset.userId, r.dataset.action, r.querySelector('.mod-marker')!.textContent])).toEqual([
      ['spam_bot_9', 'refuse', 'Refused'],
      ['troll', 'drop', 'Dropped'],
    ]);
    expect(q('system-line')!.textContent).toContain('Room status changed to Paused');

    expect(q('system-actor')).toBeNull(); // a status change nobody is named for (yet)
    push(
      { type: 'userMuted', userId: 'troll', until: Math.floor(T0 / 1000) + 600 },
      { type: 'audit', id: 1, at: T0, actor: 'mod_mei', action: 'mute', target: 'troll', detail: '', reason: '', duration: 600, undoneBy: null },
    );
    const mute = qa('system-line').find((l) => l.dataset.kind === 'muted')!;
    expect(q('system-actor', mute)!.textContent).toBe('· by mod_mei');

    push({ type: 'heldResolved', id: 9, approved: true, actor: 'mod_mei' });
    expect(q('held-row')!.dataset.resolution).toBe('approved');
    expect(q('held-row')!.textContent).toContain('Approved');
  });

  it("shows a viewer's level once known, and badges for top gifters, mutes and blocks", async () => {
    const { room, push } = await setup();
    const alice = () => qa('chat-line').find((l) => l.dataset.key === 'c:1')!;
    expect(q('chat-level', alice())).toBeNull(); // not known yet
    const card = await room.userCard('alice');
    flushSync();
    expect(q('chat-level', alice())!.dataset.level).toBe(String(card.level));
    expect(q('chat-level', alice())!.textContent).toBe(`Lv ${card.level}`);
    expect(q('chat-level', alice())!.title).toBe(`Level ${card.level}`);

    push({ type: 'gift', id: 'g2', userId: 'alice', giftId: 'castle', giftName: 'Castle', count: 1, unitPrice: 1314, at: T0 });
    const top = q('chat-badge', alice())!;
    expect([top.dataset.badge, top.dataset.rank, top.title]).toEqual(['top', '1', 'Top gifter #1']);

    await room.mute('alice', 600);
    flushSync();
    expect(alice().querySelectorAll('[data-testid="chat-badge"][data-badge="muted"]')).toHaveLength(1);
    await room.kick('alice');
    flushSync();
    const badges = [...alice().querySelectorAll<HTMLElement>('[data-testid="chat-badge"]')].map((b) => b.dataset.badge);
    expect(badges).toEqual(['top', 'blocked']); // blocked says more than muted
  });

  it('filters by one user from a line: a chip says so and removes the filter', async () => {
    const { filter } = await setup();
    hover(qa('chat-line')[1]);
    qa('chat-line')[1].querySelector<HTMLButtonElement>('[data-testid="chat-only-user"]')!.click();
    flushSync();
    expect(filter.user).toBe('小龙女');
    expect(lineUsers()).toEqual(['小龙女']);
    expect(q('chat-user-filter')!.dataset.userId).toBe('小龙女');
    expect(q('chat-user-filter')!.textContent).toContain('Only 小龙女');
    expect(q('chat-filter-count')!.textContent).toBe('1 of 4');
    q('chat-user-filter-clear')!.click();
    flushSync();
    expect(q('chat-user-filter')).toBeNull();
    expect(q('chat-filter-count')).toBeNull();
    expect(lineUsers()).toEqual(['alice', '小龙女', 'alice', '지민이']);
  });

  it('searches text and user ids in any case, CJK included, and waits for the IME to finish', async () => {
    await setup();
    search('toronto');
    expect(lineUsers()).toEqual(['alice']);
    search('ALICE');
    expect(lineUsers()).toEqual(['alice', 'alice']);
    search('好听');
    expect(lineUsers()).toEqual(['小龙女']);
    search('');
    search('노래', { isComposing: true }); // still composing: nothing changes yet
    expect(lineUsers()).toHaveLength(4);
    q('chat-search')!.dispatchEvent(new CompositionEvent('compositionend', { bubbles: true }));
    flushSync();
    expect(lineUsers()).toEqual(['지민이']);
    // Escape empties the box first.
    q('chat-search')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    flushSync();
    expect(q<HTMLInputElement>('chat-search')!.value).toBe('');
    expect(lineUsers()).toHaveLength(4);
  });

  it('hides and shows kinds with the toggles; with nothing left it offers to clear the filters', async () => {
    const { push } = await setup();
    push(
      { type: 'gift', id: 'g1', userId: 'bob', giftId: 'rose', giftName: 'Rose', count: 1, unitPrice: 1, at: T0 },
      { type: 'held', id: 3, userId: 'eve', text: 'idiot', pattern: 'idiot', at: T0 },
    );
    const toggle = (kind: string) => {
      q(`chat-kind-${kind}`)!.click();
      flushSync();
    };
    expect(q('chat-kind-text')!.getAttribute('aria-pressed')).toBe('true');
    toggle('text');
    expect(q('chat-kind-text')!.getAttribute('aria-pressed')).toBe('false');
    expect(qa('chat-line')).toHaveLength(0);
    expect([qa('gift-row').length, qa('held-row').length]).toEqual([1, 1]);
    toggle('gift');
    toggle('mod');
    expect(q('chat-no-matches')!.textContent).toContain('No lines match the filter');
    q('chat-clear-filters')!.click();
    flushSync();
    expect(qa('chat-line')).toHaveLength(4);
    expect(q('chat-kind-mod')!.getAttribute('aria-pressed')).toBe('true');
  });

  it('counts only the lines the filter shows in the "N new" pill while the anchor reads above', async () => {
    const { filter, push } = await setup();
    filter.onlyUser('alice');
    flushSync();
    // jsdom has no layout: give the feed a height and a scroll position above the bottom.
    const feed = q('chat-feed')!;
    let top = 100;
    Object.defineProperty(feed, 'scrollHeight', { configurable: true, get: () => 1000 });
    Object.defineProperty(feed, 'clientHeight', { configurable: true, get: () => 300 });
    Object.defineProperty(feed, 'scrollTop', { configurable: true, get: () => top, set: (v: number) => (top = v) });
    feed.dispatchEvent(new Event('scroll'));
    flushSync();
    expect(feed.dataset.stick).toBe('false');

    push(
      { type: 'chat', id: '5', userId: 'bob', text: 'hi', at: T0, hidden: false },
      { type: 'chat', id: '6', userId: 'alice', text: 'one', at: T0, hidden: false },
      { type: 'gift', id: 'g9', userId: 'alice', giftId: 'rose', giftName: 'Rose', count: 1, unitPrice: 1, at: T0 },
      { type: 'chat', id: '7', userId: 'carol', text: 'hey', at: T0, hidden: false },
    );
    expect(q('new-messages')!.textContent).toContain('2 new');
    push({ type: 'chat', id: '8', userId: 'alice', text: 'two', at: T0, hidden: false });
    expect(q('new-messages')!.textContent).toContain('3 new');
    q('new-messages')!.click();
    await vi.waitFor(() => expect(q('new-messages')).toBeNull());
    expect(top).toBe(1000); // scrolled to the latest
    expect(feed.dataset.stick).toBe('true');
  });

  it("puts a line's tools in the DOM where they can be used: under the pointer, at the focus and the line before, while a hide is pending or refused", async () => {
    const { backend } = await setup();
    const line = (key: string) => qa('chat-line').find((l) => l.dataset.key === key)!;
    const tooled = () => qa('chat-line').filter((l) => q('chat-only-user', l) !== null).map((l) => l.dataset.key);
    expect(tooled()).toEqual([]); // none until wanted: a busy room's lines go without
    hover(line('c:3').querySelector('.text')!);
    expect(tooled()).toEqual(['c:3']);
    expect(line('c:3').classList.contains('tooled')).toBe(true);
    hover(line('c:1'));
    expect(tooled()).toEqual(['c:1']);
    q('chat-feed')!.dispatchEvent(new Event('pointerleave'));
    flushSync();
    expect(tooled()).toEqual([]);

    // Keyboard: the focused line, and the one before it so that Shift+Tab finds its tools.
    q<HTMLButtonElement>('chat-user', line('c:3'))!.focus();
    flushSync();
    expect(tooled()).toEqual(['c:2', 'c:3']);
    q<HTMLButtonElement>('chat-hide', line('c:2'))!.focus();
    flushSync();
    expect(tooled()).toEqual(['c:1', 'c:2']);
    q<HTMLButtonElement>('chat-hide', line('c:2'))!.blur();
    flushSync();
    expect(tooled()).toEqual([]);

    // A hide that is refused keeps its line's tools (and the reason) after the pointer has gone.
    backend.failNext('moderate', { code: 'offline', message: 'Tencent IM is unreachable' });
    hover(line('c:4'));
    q<HTMLButtonElement>('chat-hide', line('c:4'))!.click();
    q('chat-feed')!.dispatchEvent(new Event('pointerleave'));
    await vi.waitFor(() => expect(q('chat-hide-error', line('c:4'))).not.toBeNull());
    flushSync();
    expect(tooled()).toEqual(['c:4']);
  });

  it('pops out from its head, and shows a refusal there', async () => {
    const onPopOut = vi.fn().mockRejectedValueOnce({ code: 'internal', message: 'no display' }).mockResolvedValueOnce(undefined);
    await setup({ onPopOut });
    expect(q('chat-pop-in')).toBeNull();
    q('chat-pop-out')!.click();
    await vi.waitFor(() => expect(q('chat-window-error')).not.toBeNull());
    expect(q('chat-window-error')!.textContent).toBe('no display');
    q('chat-pop-out')!.click();
    await vi.waitFor(() => expect(q('chat-window-error')).toBeNull());
    expect(onPopOut).toHaveBeenCalledTimes(2);
  });
});
