// @vitest-environment jsdom
// Why: the held queue must send the right decision, drop a row once it is resolved (here or by
// another moderator), lock a row while its request runs, and show a rejection on its row.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { HeldLine } from '../lib/bindings';
import { connectedRoom } from '../lib/test-support';
import HeldQueue from './HeldQueue.svelte';

let app: Record<string, unknown> | null = null;

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

const q = <T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = document) =>
  root.querySelector<T>(`[data-testid="${id}"]`);
const rows = () => [...document.querySelectorAll<HTMLElement>('[data-testid="held-line"]')];
const row = (id: number) => document.querySelector<HTMLElement>(`[data-testid="held-line"][data-held-id="${id}"]`)!;

const HELD: HeldLine[] = [
  { id: 1, userId: 'bob', text: 'free coins here', pattern: 'free coins', at: Date.UTC(2025, 0, 1, 12) },
  { id: 2, userId: '지민이', text: '아 시 발', pattern: '시발', at: Date.UTC(2025, 0, 1, 12, 1) },
  { id: 3, userId: 'さくら_jp', text: 'ﾊﾞｶ', pattern: 'バカ', at: Date.UTC(2025, 0, 1, 12, 2) },
];

async function setup() {
  const ctx = await connectedRoom({ room: { held: HELD } });
  const onUser = vi.fn();
  app = mount(HeldQueue, { target: document.body, props: { room: ctx.room, onUser } });
  flushSync();
  return { ...ctx, onUser };
}

describe('HeldQueue', () => {
  it('lists each held message with its sender, text and rule, oldest first', async () => {
    await setup();
    expect(rows().map((r) => r.dataset.heldId)).toEqual(['1', '2', '3']);
    expect(row(2).textContent).toContain('지민이');
    expect(row(2).textContent).toContain('아 시 발');
    expect(row(2).textContent).toContain('Rule: 시발');
  });

  it('approves: locks the row in flight, sends the decision, removes the row', async () => {
    const { backend } = await setup();
    const release = backend.holdNext('resolveHeld');
    q('held-approve', row(1))!.click();
    flushSync();
    expect(q<HTMLButtonElement>('held-approve', row(1))!.disabled).toBe(true);
    expect(q<HTMLButtonElement>('held-reject', row(1))!.disabled).toBe(true);
    expect(q<HTMLButtonElement>('held-approve', row(2))!.disabled).toBe(false); // other rows stay usable
    release();
    await vi.waitFor(() => expect(rows().map((r) => r.dataset.heldId)).toEqual(['2', '3']));
    expect(backend.calls.at(-1)).toEqual({ method: 'resolveHeld', args: [1, true] });
  });

  it('rejects: removes the row', async () => {
    const { backend } = await setup();
    q('held-reject', row(3))!.click();
    await vi.waitFor(() => expect(rows().map((r) => r.dataset.heldId)).toEqual(['1', '2']));
    expect(backend.calls.at(-1)).toEqual({ method: 'resolveHeld', args: [3, false] });
  });

  it('shows a failure on its row and keeps the row; a retry can succeed', async () => {
    const { backend } = await setup();
    backend.failNext('resolveHeld', { code: 'offline', message: 'Tencent IM is unreachable; retry' });
    q('held-approve', row(2))!.click();
    await vi.waitFor(() => expect(q('held-error', row(2))).not.toBeNull());
    expect(q('held-error', row(2))!.textContent).toContain('Tencent IM is unreachable; retry');
    expect(q('held-error', row(1))).toBeNull();
    expect(rows()).toHaveLength(3);
    expect(q<HTMLButtonElement>('held-approve', row(2))!.disabled).toBe(false);

    q('held-approve', row(2))!.click();
    await vi.waitFor(() => expect(rows().map((r) => r.dataset.heldId)).toEqual(['1', '3']));
  });

  it('drops rows resolved elsewhere (heldResolved) and adds newly held ones', async () => {
    const { backend, frames } = await setup();
    backend.push({ type: 'heldResolved', id: 1, approved: false, actor: 'mod_mei' });
    backend.send('ava_rose', 'FREE COINS');
    frames.frame();
    flushSync();
    expect(rows().map((r) => r.dataset.heldId)).toEqual(['2', '3', '4']);
    for (const id of [2, 3, 4]) backend.push({ type: 'heldResolved', id, approved: true, actor: 'mod_mei' });
    frames.frame();
    flushSync();
    expect(rows()).toEqual([]);
    expect(q('held-queue')!.textContent).toContain('Nothing is waiting for review');
  });

  it('opens the user card from the sender', async () => {
    const { onUser } = await setup();
    row(2).querySelector<HTMLButtonElement>('.user-link')!.click();
    expect(onUser).toHaveBeenCalledWith('지민이');
  });
});
