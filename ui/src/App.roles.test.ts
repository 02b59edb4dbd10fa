// @vitest-environment jsdom
// Why: the hub refuses (and audits) what a role does not allow, so the console must not offer it: a
// moderator gets the chat actions but not the room's status, notice, broadcast, strike ladder or the
// stream desk (whose push address must not even be asked for); a viewer-only console reads everything
// and changes nothing, and says so in the header. The whole window against the fake, which enforces
// the same matrix, so a control left on would show up as a refusal here.
import { describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import App from './App.svelte';
import type { Role } from './lib/bindings';
import { FakeBackend } from './lib/fake-backend';
import { Room } from './lib/room.svelte';
import { byTestId as q, fixedClock, manualFrames, mountPerTest } from './lib/test-support';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const show = mountPerTest();
const disabled = (id: string) => q<HTMLButtonElement>(id)!.disabled;

async function openAs(role: Role, name: string) {
  const clock = fixedClock(T0);
  const frames = manualFrames();
  const backend = new FakeBackend({
    seed: 5,
    clock,
    info: { mode: 'remote' },
    team: { me: { name, role } },
    room: {
      status: 'live',
      chat: [{ id: '1', userId: 'alice', text: 'hello', at: T0, hidden: false }],
      held: [{ id: 1, userId: 'bob', text: 'free coins', pattern: 'free coins', at: T0 }],
    },
  });
  const room = new Room({ backend, clock, schedule: frames.schedule, retryDelayMs: 0, sleep: async () => {} });
  show(App, { room });
  await vi.waitFor(() => expect(room.connection).toBe('connected'));
  await vi.waitFor(() => expect(room.role).toBe(role));
  await vi.waitFor(() => expect(room.info).not.toBeNull());
  flushSync();
  const tab = async (id: string) => {
    q(`tab-${id}`)!.click();
    flushSync();
    await Promise.resolve();
    flushSync();
  };
  return { backend, room, tab };
}

/** The header's who-am-I chip says `words`, for `name` as `role`. */
function expectMe(role: Role, name: string, words: string) {
  const me = q('hub-me')!;
  expect([me.dataset.role, me.dataset.name]).toEqual([role, name]);
  expect(me.textContent).toContain(words);
  return me;
}

describe('a moderator’s console', () => {
  it('says who it is, and keeps the owner’s controls off, saying why', async () => {
    const { backend, tab } = await openAs('moderator', 'mod_alice');
    expectMe('moderator', 'mod_alice', 'Moderator');
    expect(q('mode-badge')).toBeNull(); // the chip takes its place

    expect(disabled('status-toggle')).toBe(true);
    expect(q('status-toggle')!.title).toBe('Only the owner can change the room’s status');
    expect(disabled('mute-all-toggle')).toBe(false);

    await tab('stream');
    expect(q('go-live-owner-only')!.textContent).toContain('Only the owner can use the stream desk');
    expect(q('push-server')).toBeNull();
    expect(q('tab-stream')!.title).toContain('Only the owner can use the stream desk');

    await tab('room');
    expect(disabled('notice-save')).toBe(true);
    expect(q<HTMLTextAreaElement>('notice-text')!.readOnly).toBe(true);
    expect(disabled('broadcast-send')).toBe(true);
    expect(q('broadcast-send')!.title).toBe('Only the owner can broadcast to every room');
    expect(q<HTMLInputElement>('lottery-keyword')!.readOnly).toBe(false);

    await tab('held');
    expect(disabled('held-approve')).toBe(false);

    await tab('words');
    await vi.waitFor(() => expect(q<HTMLTextAreaElement>('words-text')!.value).not.toBe(''));
    expect(disabled('words-save')).toBe(false);
    expect(disabled('ladder-save')).toBe(true);

    // Nothing the hub would refuse was asked: no refusal in the audit log.
    expect(backend.calls.some((c) => c.method === 'streamAddress')).toBe(false);
    expect(backend.snapshot().audit.filter((l) => l.action === 'refused')).toEqual([]);
  });
});

describe('a viewer-only console', () => {
  it('reads everything, changes nothing, and says "View only"', async () => {
    const { backend, tab } = await openAs('viewer', 'prod_bo');
    expect(expectMe('viewer', 'prod_bo', 'View only').title).toContain('cannot change anything');

    expect(disabled('status-toggle')).toBe(true);
    expect(disabled('mute-all-toggle')).toBe(true);
    expect(q('mute-all-toggle')!.title).toBe('View only: this console cannot moderate viewers');

    await tab('held');
    expect(q('held-line')).not.toBeNull(); // it sees the queue
    expect(disabled('held-approve')).toBe(true);
    expect(disabled('held-reject')).toBe(true);

    await tab('words');
    await vi.waitFor(() => expect(q<HTMLTextAreaElement>('words-text')!.value).not.toBe(''));
    expect(q<HTMLTextAreaElement>('words-text')!.readOnly).toBe(true);
    expect(disabled('words-save')).toBe(true);

    await tab('room');
    expect(q<HTMLInputElement>('lottery-keyword')!.readOnly).toBe(true);
    expect(disabled('lottery-open')).toBe(true);

    q('chat-user')!.click();
    await vi.waitFor(() => expect(q('user-profile')?.dataset.state).toBe('ready'));
    flushSync();
    expect(q('role-denied')).not.toBeNull();
    for (const id of ['user-mute', 'user-kick', 'user-ban', 'user-strike']) expect(disabled(id), id).toBe(true);
    expect(q<HTMLTextAreaElement>('user-note')!.readOnly).toBe(true);
    // A shortcut does nothing either.
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'k', bubbles: true }));
    await Promise.resolve();
    expect(backend.calls.some((c) => c.method === 'moderate')).toBe(false);
    expect(backend.snapshot().audit.filter((l) => l.action === 'refused')).toEqual([]);
  });
});
