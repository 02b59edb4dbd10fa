// @vitest-environment jsdom
// Why: the user card must turn its controls into exactly the ModAction the room expects — a mute
// with its reason, "until the end of this stream", a ban with its own duration, unban, unblock, a
// strike — and show a rejection in place; and it must show who the viewer is (level, counters,
// strikes and what the next one does, their messages oldest first, past actions newest first), keep a
// note, and reload after an action from it. A ban asks first; the quick mutes and the keyboard
// shortcuts send the same actions as the buttons, and never fire while the anchor types.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { ModAction } from '../lib/bindings';
import type { FakeBackend } from '../lib/fake-backend';
import { connectedRoom } from '../lib/test-support';
import { formatStamp } from '../lib/time';
import UserCard from './UserCard.svelte';

let app: Record<string, unknown> | null = null;

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

const q = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);
const qa = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0); // connectedRoom's clock

/** Until the profile is shown (or failed), then render. */
async function loaded() {
  await vi.waitFor(() => expect(q('user-profile')!.dataset.state).not.toBe('loading'));
  flushSync();
}

function choose(id: string, value: string) {
  const select = q<HTMLSelectElement>(id)!;
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  flushSync();
}

function type(id: string, value: string) {
  const input = q<HTMLInputElement | HTMLTextAreaElement>(id)!;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

/** A card for `userId` over a fake room; `before` prepares the fake (its calls are then forgotten). */
async function setup(
  userId = 'alice',
  options: Parameters<typeof connectedRoom>[0] = {},
  before?: (backend: FakeBackend) => Promise<unknown>,
) {
  const ctx = await connectedRoom({ room: { members: [{ userId, at: 0 }] }, ...options });
  if (before) {
    await before(ctx.backend);
    ctx.backend.calls.length = 0;
  }
  const onclose = vi.fn();
  const onOnlyUser = vi.fn();
  app = mount(UserCard, { target: document.body, props: { userId, room: ctx.room, onclose, onOnlyUser } });
  flushSync();
  const sent = () => ctx.backend.calls.filter((c) => c.method === 'moderate').map((c) => c.args[0] as ModAction);
  /** Click and wait until the request finished (buttons unlocked again). */
  const press = async (id: string) => {
    const before = ctx.backend.calls.length;
    q(id)!.click();
    flushSync();
    expect(q('user-card')!.getAttribute('aria-busy')).toBe('true');
    expect(ctx.backend.calls.length).toBe(before + 1);
    await vi.waitFor(() => expect(q('user-card')!.getAttribute('aria-busy')).toBe('false'));
    flushSync();
  };
  /** Ban asks first: click Ban, see the question, confirm. */
  const ban = async () => {
    q('user-ban')!.click();
    flushSync();
    expect(q('user-ban-question')).not.toBeNull();
    await press('user-ban-confirm');
    expect(q('user-ban-question')).toBeNull();
  };
  return { ...ctx, sent, press, ban, onclose, onOnlyUser };
}

describe('UserCard', () => {
  it('mutes with the chosen duration and the reason typed', async () => {
    const { sent, press } = await setup();
    type('mute-reason', '  spamming links ');
    choose('mute-duration', '3600');
    await press('user-mute');
    expect(sent()).toEqual([{ type: 'mute', userId: 'alice', seconds: 3600, untilEndOfStream: false, reason: 'spamming links' }]);
    expect(q('user-card')!.dataset.muted).toBe('true');
  });

  it('mutes until the end of this stream (a day as the fallback bound)', async () => {
    const { sent, press } = await setup('小龙女');
    const select = q<HTMLSelectElement>('mute-duration')!;
    expect([...select.options].map((o) => o.value)).toEqual(['10', '60', '600', '3600', '86400', '4294967295', 'eos']);
    expect(select.options[6].textContent).toBe('Until the end of this stream');
    choose('mute-duration', 'eos');
    type('mute-reason', '刷屏');
    await press('user-mute');
    expect(sent()).toEqual([{ type: 'mute', userId: '小龙女', seconds: 86400, untilEndOfStream: true, reason: '刷屏' }]);
  });

  it('bans for the chosen time with the reason; then offers unblock; unban and unblock send theirs', async () => {
    const { sent, press, ban } = await setup();
    const bans = q<HTMLSelectElement>('ban-duration')!;
    expect([...bans.options].map((o) => o.value)).toEqual(['3600', '86400', '604800', '2592000']);
    expect([...bans.options].map((o) => o.textContent)).toEqual(['1 hour', '24 hours', '7 days', '30 days']);
    expect(bans.value).toBe('86400');
    expect(q('user-unblock')).toBeNull();

    type('mute-reason', 'harassment');
    choose('ban-duration', '604800');
    await ban();
    expect(sent().at(-1)).toEqual({ type: 'ban', userId: 'alice', seconds: 604800, reason: 'harassment' });
    expect(q('user-card')!.dataset.blocked).toBe('true');

    await press('user-unban');
    expect(sent().at(-1)).toEqual({ type: 'unban', userId: 'alice' });
    expect(q('user-card')!.dataset.blocked).toBe('false');

    await press('user-kick');
    expect(sent().at(-1)).toEqual({ type: 'kick', userId: 'alice', reason: 'harassment' });
    await press('user-unblock');
    expect(sent().at(-1)).toEqual({ type: 'unblock', userId: 'alice' });
    expect(q('user-unblock')).toBeNull();
  });

  it('unmutes with the reason; shows a rejected ban in place', async () => {
    const { backend, sent, press, ban } = await setup();
    type('mute-reason', 'appeal accepted');
    await press('user-unmute');
    expect(sent().at(-1)).toEqual({ type: 'unmute', userId: 'alice', reason: 'appeal accepted' });

    backend.failNext('moderate', { code: 'forbidden', message: 'this edition cannot ban' });
    await ban();
    expect(q('user-card-error')!.textContent).toBe('this edition cannot ban');
    expect(q('user-card')!.dataset.blocked).toBe('false');
  });

  describe('profile', () => {
    it('shows level, counters, first and last seen, messages oldest first and actions newest first', async () => {
      const chat = Array.from({ length: 12 }, (_, i) => ({ id: `c${i}`, userId: 'alice', text: `message ${i}`, at: T0 - 60_000 + i, hidden: false }));
      const { backend } = await setup('alice', {
        room: {
          members: [{ userId: 'alice', at: 0 }],
          chat: [...chat, { id: 'b', userId: 'bob', text: 'not hers', at: T0, hidden: false }],
          gifts: [{ id: 'g1', userId: 'alice', giftId: 'rocket', giftName: 'Rocket', count: 1, unitPrice: 520, at: T0 }],
        },
      });
      // Before the answer: a visible loading state, no level yet.
      expect(q('user-profile')!.dataset.state).toBe('loading');
      expect(q('user-card-loading')!.textContent).toBe('Loading this user…');
      expect(q('user-level')).toBeNull();
      await loaded();

      expect(backend.calls.filter((c) => c.method === 'userCard').map((c) => c.args)).toEqual([['alice']]);
      const card = await backend.userCard('alice');
      expect(card.level).toBeGreaterThan(1);
      expect(q('user-level')!.dataset.level).toBe(String(card.level));
      expect(q('user-level')!.textContent).toBe(`Level ${card.level}`);
      expect(q('user-stat-messages')!.textContent).toBe('12');
      expect(q('user-stat-gifts')!.textContent).toBe('520');
      expect(q('user-stat-likes')!.textContent).toBe('0');
      expect(q('user-stat-online')!.textContent).toBe('0 s');
      expect(q('user-seen')!.textContent).toContain(`First seen ${formatStamp(T0 - 60_000, T0)}`);
      expect(q('user-seen')!.textContent).toContain(`Last seen ${formatStamp(T0, T0)}`);
      expect(qa('user-message').map((li) => li.querySelector('.text')!.textContent)).toEqual(chat.map((c) => c.text));
      expect(q('user-actions')!.textContent).toContain('Nothing done about this user yet');
    });

    it('lists past actions newest first with actor, action, reason and duration', async () => {
      const { press } = await setup('alice', {}, async (backend) => {
        await backend.moderate({ type: 'mute', userId: 'alice', seconds: 3600, untilEndOfStream: false, reason: 'spamming links' });
        await backend.moderate({ type: 'unmute', userId: 'alice', reason: '' });
        await backend.moderate({ type: 'kick', userId: 'someone', reason: '' });
      });
      await loaded();
      expect(qa('user-action').map((r) => r.dataset.action)).toEqual(['unmute', 'mute']);
      type('mute-reason', 'again');
      await press('user-kick');
      await vi.waitFor(() => expect(qa('user-action')).toHaveLength(3));
      flushSync();
      const rows = qa('user-action');
      expect(rows.map((r) => r.dataset.action)).toEqual(['kick', 'unmute', 'mute']);
      expect(rows[0].textContent).toContain('anchor');
      expect(rows[0].textContent).toContain('Reason: again');
      expect(rows[2].textContent).toContain('Mute');
      expect(rows[2].textContent).toContain('1 h');
      expect(rows[2].textContent).toContain('Reason: spamming links');
      // A kick has no end: the card says blocked, without a date.
      expect(q('user-card-blocked')!.textContent).toBe('Blocked from the room');
    });

    it('reloads after a successful action from the card, not after a failed one', async () => {
      const { backend, press, ban } = await setup();
      await loaded();
      const loads = () => backend.calls.filter((c) => c.method === 'userCard').length;
      expect(loads()).toBe(1);
      choose('ban-duration', '3600');
      await ban();
      await vi.waitFor(() => expect(loads()).toBe(2));
      await vi.waitFor(() => expect(qa('user-action').map((r) => r.dataset.action)).toEqual(['ban']));
      expect(q('user-card-blocked')!.textContent).toContain('Blocked from the room until');

      backend.failNext('moderate', { code: 'forbidden', message: 'no' });
      await press('user-kick');
      await new Promise((r) => setTimeout(r, 5));
      expect(loads()).toBe(2);
    });

    it('shows a load failure with a retry that works', async () => {
      const ctx = await connectedRoom();
      ctx.backend.failNext('userCard', { code: 'offline', message: 'the room store is unreachable' });
      app = mount(UserCard, { target: document.body, props: { userId: 'zoe', room: ctx.room, onclose: vi.fn() } });
      await loaded();
      expect(q('user-profile')!.dataset.state).toBe('error');
      expect(q('user-card-load-error')!.textContent).toBe('the room store is unreachable');
      expect(q<HTMLButtonElement>('user-note-save')!.disabled).toBe(true); // no overwriting a note it could not read
      expect(q<HTMLTextAreaElement>('user-note')!.disabled).toBe(true);
      q('user-card-retry')!.click();
      await vi.waitFor(() => expect(q('user-profile')!.dataset.state).toBe('ready'));
      flushSync();
      expect(q('user-card-load-error')).toBeNull();
      expect(q('user-seen')!.textContent).toContain('Not seen in this room yet');
      expect(q('user-level')!.textContent).toBe('Level 1');
    });
  });

  describe('strikes', () => {
    it('shows the strikes and this stream’s messages, and what the next strike does, from the ladder', async () => {
      const session = { id: 1, startedAt: T0 - 1000, endedAt: null, peakOnline: 0, messages: 0, likes: 0, giftValue: 0 };
      const chat = [
        { id: 'a', userId: 'alice', text: 'last week', at: T0 - 86_400_000, hidden: false },
        { id: 'b', userId: 'alice', text: 'tonight', at: T0 - 500, hidden: false },
      ];
      await setup('alice', { room: { members: [{ userId: 'alice', at: 0 }], session, chat } }, (b) =>
        b.moderate({ type: 'strike', userId: 'alice', reason: '' }),
      );
      await loaded();
      expect(q('user-stream-messages')!.textContent!.trim()).toBe('1 this stream');
      expect(q('user-stat-messages')!.textContent).toBe('2');
      expect(q('user-strikes')!.textContent).toBe('Strikes: 1');
      expect(q('user-next-strike')!.textContent).toBe('Next strike: mute for 10 min'); // the default ladder's step 2
    });

    it('gives a strike with the reason typed, then shows the new count and the step after it', async () => {
      const { sent, press, room, backend } = await setup();
      await loaded();
      expect(q('user-strikes')!.textContent).toBe('Strikes: 0');
      expect(q('user-next-strike')!.textContent).toBe('Next strike: a warning');
      type('mute-reason', ' spam links ');
      await press('user-strike');
      expect(sent()).toEqual([{ type: 'strike', userId: 'alice', reason: 'spam links' }]);
      await vi.waitFor(() => expect(q('user-strikes')!.textContent).toBe('Strikes: 1'));
      expect(q('user-next-strike')!.textContent).toBe('Next strike: mute for 10 min');

      // The hint follows the room's ladder, in the anchor's language; past its end the last step repeats.
      await room.setStrikeLadder({ steps: [{ type: 'ban', seconds: 7 * 86400 }], windowSecs: 3600, fromFilter: false });
      flushSync();
      expect(q('user-next-strike')!.textContent).toBe('Next strike: ban for 7 d');

      backend.failNext('moderate', { code: 'rateLimited', message: 'too many actions; wait a moment' });
      await press('user-strike');
      expect(q('user-card-error')!.textContent).toBe('too many actions; wait a moment');
    });
  });

  describe('note', () => {
    it('shows the saved note, saves an edit, and shows a rejection in place', async () => {
      const { backend } = await setup('alice', {}, (b) => b.setNote('alice', 'regular since 2023'));
      await loaded();
      const note = q<HTMLTextAreaElement>('user-note')!;
      const save = q<HTMLButtonElement>('user-note-save')!;
      expect(note.value).toBe('regular since 2023');
      expect(save.disabled).toBe(true); // nothing to save

      type('user-note', 'regular since 2023; 常来送礼');
      expect(save.disabled).toBe(false);
      expect(q('user-note-bytes')!.textContent).toBe(`${new TextEncoder().encode('regular since 2023; 常来送礼').length} / 2000 bytes`);
      backend.failNext('setNote', { code: 'offline', message: 'could not reach the room' });
      save.click();
      await vi.waitFor(() => expect(q('user-note-error')).not.toBeNull());
      expect(q('user-note-error')!.textContent).toContain('could not reach the room');
      expect(q('user-note-saved')).toBeNull();
      expect(note.value).toBe('regular since 2023; 常来送礼'); // kept for another try

      save.click();
      await vi.waitFor(() => expect(q('user-note-saved')).not.toBeNull());
      expect(q('user-note-saved')!.textContent).toBe('Note saved');
      expect(q('user-note-error')).toBeNull();
      expect(save.disabled).toBe(true);
      expect(backend.calls.filter((c) => c.method === 'setNote').map((c) => c.args)).toEqual([
        ['alice', 'regular since 2023; 常来送礼'],
        ['alice', 'regular since 2023; 常来送礼'],
      ]);
      expect((await backend.userCard('alice')).note).toBe('regular since 2023; 常来送礼');
    });

    it('counts the note in bytes and will not send one over 2000', async () => {
      await setup();
      await loaded();
      type('user-note', '公'.repeat(667));
      expect(q('user-note-bytes')!.textContent).toBe('2001 / 2000 bytes');
      expect(q('user-note-bytes')!.dataset.over).toBe('true');
      expect(q<HTMLButtonElement>('user-note-save')!.disabled).toBe(true);
      type('user-note', '公'.repeat(666));
      expect(q('user-note-bytes')!.dataset.over).toBe('false');
      expect(q<HTMLButtonElement>('user-note-save')!.disabled).toBe(false);
    });

    it('a reload after an action keeps a note being typed', async () => {
      const { press } = await setup();
      await loaded();
      type('user-note', 'half-written');
      await press('user-mute');
      await vi.waitFor(() => expect(qa('user-action')).toHaveLength(1));
      expect(q<HTMLTextAreaElement>('user-note')!.value).toBe('half-written');
    });
  });

  describe('quick mutes, the ban question and shortcuts', () => {
    /** A keydown at `target` (the page by default), as the keyboard sends it. */
    function key(k: string, target: EventTarget = document.body, init: KeyboardEventInit = {}) {
      const event = new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init });
      target.dispatchEvent(event);
      flushSync();
      return event;
    }
    const settled = async () => {
      await vi.waitFor(() => expect(q('user-card')!.getAttribute('aria-busy')).toBe('false'));
      flushSync();
    };

    it('mutes for a preset in one click with the reason; each preset and action shows its key', async () => {
      const { sent, press } = await setup();
      const presets = qa('user-mute-preset');
      expect(presets.map((b) => b.dataset.seconds)).toEqual(['60', '600', '3600', '86400']);
      expect(presets.map((b) => b.textContent!.replace(/\s+/g, ' ').trim())).toEqual(['1 min 1', '10 min 2', '1 h 3', '1 d 4']);
      expect(presets[1].title).toBe('Mute for 10 minutes (2)');
      expect(q('user-kick')!.title).toBe('Kick (K)');
      expect(q('user-ban')!.querySelector('kbd')!.textContent).toBe('B');
      type('mute-reason', 'caps spam');
      await press('user-mute-preset');
      expect(sent()).toEqual([{ type: 'mute', userId: 'alice', seconds: 60, untilEndOfStream: false, reason: 'caps spam' }]);
    });

    it('asks before banning: Cancel or Escape takes the question back and sends nothing', async () => {
      const { sent, onclose } = await setup();
      choose('ban-duration', '3600');
      q('user-ban')!.click();
      flushSync();
      expect(q('user-ban-question')!.textContent).toContain('Ban alice for 1 hour?');
      await vi.waitFor(() => expect(document.activeElement).toBe(q('user-ban-confirm'))); // Enter confirms
      q('user-ban-cancel')!.click();
      flushSync();
      expect(q('user-ban-question')).toBeNull();

      key('b');
      expect(q('user-ban-question')).not.toBeNull();
      key('Escape');
      expect(q('user-ban-question')).toBeNull();
      expect(onclose).not.toHaveBeenCalled(); // the first Escape only took the question back
      expect(sent()).toEqual([]);
      key('Escape');
      expect(onclose).toHaveBeenCalledTimes(1);
    });

    it('keys 1–4 mute for the presets, K kicks, U lifts the mute and then the kick, B bans once confirmed', async () => {
      const { sent, backend, press } = await setup();
      await loaded();
      key('3');
      await settled();
      expect(sent().at(-1)).toEqual({ type: 'mute', userId: 'alice', seconds: 3600, untilEndOfStream: false, reason: '' });
      expect(q('user-card')!.dataset.muted).toBe('true');

      key('U', document.body, { shiftKey: true }); // capitals (Shift, Caps Lock) work too
      await settled();
      expect(sent().at(-1)).toEqual({ type: 'unmute', userId: 'alice', reason: '' });

      key('k');
      await settled();
      expect(sent().at(-1)).toEqual({ type: 'kick', userId: 'alice', reason: '' });
      // The card reloads after each action; once it knows about the kick, U lifts the kick's block.
      await vi.waitFor(() => expect(backend.calls.filter((c) => c.method === 'userCard')).toHaveLength(4));
      await vi.waitFor(() => expect(q('user-card-blocked')!.textContent).toBe('Blocked from the room'));
      key('u');
      await settled();
      expect(sent().at(-1)).toEqual({ type: 'unblock', userId: 'alice' });

      const before = sent().length;
      key('b');
      expect(sent()).toHaveLength(before); // only the question so far
      await press('user-ban-confirm');
      expect(sent().at(-1)).toEqual({ type: 'ban', userId: 'alice', seconds: 86400, reason: '' });
      expect(q('user-card')!.dataset.blocked).toBe('true');
    });

    it('N focuses the note; no shortcut fires while typing in the reason or the note', async () => {
      const { sent } = await setup();
      await loaded();
      const event = key('n');
      expect(event.defaultPrevented).toBe(true); // the N is not typed into the note
      expect(document.activeElement).toBe(q('user-note'));
      key('k', q('user-note')!);
      key('1', q('mute-reason')!);
      key('b', q('mute-reason')!);
      await new Promise((r) => setTimeout(r, 5));
      expect(sent()).toEqual([]);
      expect(q('user-ban-question')).toBeNull();
      key('1', document.body, { ctrlKey: true }); // not a card key
      expect(sent()).toEqual([]);
    });

    it('"Only this user in the chat" filters the chat to them and closes the card', async () => {
      const { onOnlyUser, onclose } = await setup('小龙女');
      q('user-filter-chat')!.click();
      expect(onOnlyUser).toHaveBeenCalledWith('小龙女');
      expect(onclose).toHaveBeenCalledTimes(1);
    });
  });
});
