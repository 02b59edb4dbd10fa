// @vitest-environment jsdom
// Why: a command refused because the hub (or Tencent) could not be reached must say so — the
// message says whether it was done — and offer Retry, which runs the same command again: nothing is
// queued behind the user's back. Other refusals show as they are, with no retry. Checked on the box
// itself and through panels that issue room commands against the fake with its link down.
import { describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { failure } from '../lib/failure';
import { byTestId as q, connectedRoom, mountPerTest } from '../lib/test-support';
import ErrorBox from './ErrorBox.svelte';
import HeldQueue from './HeldQueue.svelte';
import WordsPanel from './WordsPanel.svelte';

const show = mountPerTest();

const DOWN = { type: 'reconnecting', attempt: 1, since: 0, reason: 'connection refused' } as const;
const UP = { type: 'connected', role: 'moderator', name: 'mod_alice' } as const;

describe('ErrorBox', () => {
  it('shows a refusal as it is, with its code and no retry', () => {
    show(ErrorBox, { failure: failure({ code: 'forbidden', message: 'not an admin' }, vi.fn()), testid: 'x-error' });
    flushSync();
    expect(q('x-error')!.textContent).toBe('not an admin');
    expect(q('x-error')!.dataset.code).toBe('forbidden');
    expect(q('offline-retry')).toBeNull();
  });

  it('says an offline refusal did not get through and retries the same command', async () => {
    let release = () => {};
    const retry = vi.fn(() => new Promise<void>((r) => (release = r)));
    show(ErrorBox, { failure: failure({ code: 'offline', message: 'cannot reach the hub; this was not done' }, retry), testid: 'x-error' });
    flushSync();
    const box = q('x-error')!;
    expect(box.dataset.code).toBe('offline');
    expect(box.textContent).toContain('Could not get through');
    expect(box.textContent).toContain('cannot reach the hub; this was not done');
    q('offline-retry')!.click();
    flushSync();
    expect(retry).toHaveBeenCalledOnce();
    expect(q<HTMLButtonElement>('offline-retry')!.disabled).toBe(true); // one retry at a time
    release();
    await vi.waitFor(() => expect(q<HTMLButtonElement>('offline-retry')!.disabled).toBe(false));
  });

  it('offers no retry when there is nothing to run again', () => {
    show(ErrorBox, { failure: failure({ code: 'offline', message: 'down' }), testid: 'x-error' });
    flushSync();
    expect(q('x-error')!.dataset.code).toBe('offline');
    expect(q('offline-retry')).toBeNull();
  });
});

describe('a room command while the link is down', () => {
  it('held queue: refused offline on its row; Retry while still down fails again; after reconnecting it goes', async () => {
    const { room, backend } = await connectedRoom({
      team: { me: { name: 'mod_alice', role: 'moderator' } },
      room: { held: [{ id: 1, userId: 'bob', text: 'free coins', pattern: 'free coins', at: 0 }] },
    });
    room.role = 'moderator';
    show(HeldQueue, { room, onUser: () => {} });
    flushSync();
    backend.hubTeam.setConnection(DOWN);
    q('held-approve')!.click();
    await vi.waitFor(() => expect(q('held-error')).not.toBeNull());
    expect(q('held-error')!.dataset.code).toBe('offline');
    expect(q('held-error')!.textContent).toContain('this was not done');
    expect(q('held-line')).not.toBeNull(); // nothing changed

    q('offline-retry')!.click();
    await vi.waitFor(() => expect(backend.calls.filter((c) => c.method === 'resolveHeld')).toHaveLength(2));
    await vi.waitFor(() => expect(q('offline-retry')).not.toBeNull());

    backend.hubTeam.setConnection(UP);
    q('offline-retry')!.click();
    await vi.waitFor(() => expect(q('held-line')).toBeNull());
    expect(q('held-error')).toBeNull();
    expect(backend.calls.filter((c) => c.method === 'resolveHeld').map((c) => c.args)).toEqual([
      [1, true],
      [1, true],
      [1, true],
    ]);
  });

  it('word list: the save is refused offline, the text kept; Retry after reconnecting saves that text', async () => {
    const { room, backend } = await connectedRoom({ team: { me: { name: 'mod_alice', role: 'moderator' } } });
    room.role = 'moderator';
    show(WordsPanel, { room });
    await vi.waitFor(() => expect(q<HTMLTextAreaElement>('words-text')!.value).not.toBe(''));
    const area = q<HTMLTextAreaElement>('words-text')!;
    area.value = 'raid\tdrop';
    area.dispatchEvent(new Event('input'));
    backend.hubTeam.setConnection(DOWN);
    q('words-save')!.click();
    await vi.waitFor(() => expect(q('words-error')?.dataset.code).toBe('offline'));
    expect(area.value).toBe('raid\tdrop');
    backend.hubTeam.setConnection(UP);
    q('offline-retry')!.click();
    await vi.waitFor(() => expect(q('words-notice')).not.toBeNull());
    expect(await backend.words()).toEqual([{ pattern: 'raid', action: 'drop' }]);
  });
});
