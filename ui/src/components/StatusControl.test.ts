// @vitest-environment jsdom
// Why: the status menu must disable what the status machine forbids, mark the current state, show
// progress while the call runs, and show the rejection's message in place.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { WireError } from '../lib/bindings';
import StatusControl from './StatusControl.svelte';

let app: Record<string, unknown> | null = null;

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

const q = (id: string) => document.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`);

describe('StatusControl', () => {
  it('disables disallowed transitions and shows the error of a rejected change', async () => {
    let reject!: (e: WireError) => void;
    const change = vi.fn(() => new Promise<void>((_, r) => (reject = r)));
    app = mount(StatusControl, { target: document.body, props: { status: 'live', change } });

    const toggle = q('status-toggle')!;
    expect(toggle.dataset.status).toBe('live');
    expect(q('status-option-live')).toBeNull(); // menu closed

    toggle.click();
    flushSync();
    const states = ['upcoming', 'live', 'paused', 'ended', 'replay'];
    const disabled = Object.fromEntries(states.map((s) => [s, q(`status-option-${s}`)!.disabled]));
    expect(disabled).toEqual({ upcoming: true, live: true, paused: false, ended: false, replay: true });
    expect(q('status-option-live')!.dataset.current).toBe('true');
    expect(q('status-option-paused')!.dataset.current).toBe('false');

    q('status-option-paused')!.click();
    flushSync();
    expect(change).toHaveBeenCalledWith('paused');
    expect(toggle.getAttribute('aria-busy')).toBe('true');
    expect(q('status-option-ended')!.disabled).toBe(true); // everything locked while pending

    reject({ code: 'forbidden', message: 'only the room owner can change its status' });
    await vi.waitFor(() => expect(q('status-error')).not.toBeNull());
    flushSync();
    expect(q('status-error')!.textContent).toBe('only the room owner can change its status');
    expect(toggle.dataset.status).toBe('live');
    expect(toggle.getAttribute('aria-busy')).toBe('false');
    expect(q('status-option-ended')!.disabled).toBe(false);
  });

  it('closes the menu after a successful change, and on Escape', async () => {
    const change = vi.fn(async () => {});
    app = mount(StatusControl, { target: document.body, props: { status: 'upcoming', change } });
    q('status-toggle')!.click();
    flushSync();
    q('status-option-live')!.click();
    await vi.waitFor(() => expect(q('status-menu')).toBeNull());
    q('status-toggle')!.click();
    flushSync();
    expect(q('status-menu')).not.toBeNull();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    flushSync();
    expect(q('status-menu')).toBeNull();
  });
});
