// @vitest-environment jsdom
// Why: the user card must turn its controls into exactly the ModAction the room expects — a mute
// with its reason, "until the end of this stream", a ban with its own duration, unban, unblock —
// and show a rejection in place.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { ModAction } from '../lib/bindings';
import { connectedRoom } from '../lib/test-support';
import UserCard from './UserCard.svelte';

let app: Record<string, unknown> | null = null;

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

const q = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);

function choose(id: string, value: string) {
  const select = q<HTMLSelectElement>(id)!;
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  flushSync();
}

function type(id: string, value: string) {
  const input = q<HTMLInputElement>(id)!;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

async function setup(userId = 'alice') {
  const ctx = await connectedRoom({ room: { members: [{ userId, at: 0 }] } });
  app = mount(UserCard, { target: document.body, props: { userId, room: ctx.room, onclose: vi.fn() } });
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
  return { ...ctx, sent, press };
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
    const { sent, press } = await setup();
    const bans = q<HTMLSelectElement>('ban-duration')!;
    expect([...bans.options].map((o) => o.value)).toEqual(['3600', '86400', '604800', '2592000']);
    expect([...bans.options].map((o) => o.textContent)).toEqual(['1 hour', '24 hours', '7 days', '30 days']);
    expect(bans.value).toBe('86400');
    expect(q('user-unblock')).toBeNull();

    type('mute-reason', 'harassment');
    choose('ban-duration', '604800');
    await press('user-ban');
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
    const { backend, sent, press } = await setup();
    type('mute-reason', 'appeal accepted');
    await press('user-unmute');
    expect(sent().at(-1)).toEqual({ type: 'unmute', userId: 'alice', reason: 'appeal accepted' });

    backend.failNext('moderate', { code: 'forbidden', message: 'this edition cannot ban' });
    await press('user-ban');
    expect(q('user-card-error')!.textContent).toBe('this edition cannot ban');
    expect(q('user-card')!.dataset.blocked).toBe('false');
  });
});
