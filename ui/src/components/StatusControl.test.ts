// @vitest-environment jsdom
// Why: the status menu must disable what the status machine forbids, mark the current state, show
// progress while the call runs, and show the rejection's message in place. Ending the stream cannot be
// undone (the room never goes back to live from it), so it alone must ask first and say what happens.
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

describe('StatusControl: ending asks first', () => {
  const endTo = async (status: 'live' | 'replay' = 'live') => {
    let resolve!: () => void;
    const change = vi.fn((to: string) => (to === 'ended' ? new Promise<void>((r) => (resolve = r)) : Promise.resolve()));
    app = mount(StatusControl, { target: document.body, props: { status, change } });
    q('status-toggle')!.click();
    flushSync();
    q('status-option-ended')!.click();
    flushSync();
    return { change, resolve: () => resolve() };
  };

  it('choosing Ended says what happens and changes nothing until confirmed', async () => {
    const { change, resolve } = await endTo();
    expect(change).not.toHaveBeenCalled();
    const confirm = q('status-end-confirm')!;
    expect(confirm.getAttribute('role')).toBe('alertdialog');
    expect(confirm.textContent).toContain('End the stream?');
    expect(confirm.textContent).toContain('cannot go back to Live');
    expect(confirm.textContent).toContain('OBS keeps sending');
    // The safe choice has the focus.
    await vi.waitFor(() => expect(document.activeElement).toBe(q('status-end-cancel')));

    q('status-end-yes')!.click();
    flushSync();
    expect(change).toHaveBeenCalledExactlyOnceWith('ended');
    expect(q('status-end-yes')!.disabled).toBe(true);
    expect(q('status-end-yes')!.textContent!.trim()).toBe('Updating…');
    resolve();
    await vi.waitFor(() => expect(q('status-menu')).toBeNull());
  });

  it('Cancel keeps the status and goes back to the menu', async () => {
    const { change } = await endTo();
    q('status-end-cancel')!.click();
    flushSync();
    expect(q('status-end-confirm')).toBeNull();
    expect(q('status-menu')).not.toBeNull();
    expect(q('status-toggle')!.dataset.status).toBe('live');
    expect(change).not.toHaveBeenCalled();
  });

  it('Escape cancels the confirmation (a second Escape closes the menu); a click elsewhere cancels all', async () => {
    const { change } = await endTo();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    flushSync();
    expect(q('status-end-confirm')).toBeNull();
    expect(q('status-menu')).not.toBeNull();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    flushSync();
    expect(q('status-menu')).toBeNull();

    q('status-toggle')!.click();
    flushSync();
    q('status-option-ended')!.click();
    flushSync();
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    flushSync();
    expect(q('status-menu')).toBeNull();
    expect(change).not.toHaveBeenCalled();
  });

  it('every other change stays one click', async () => {
    const change = vi.fn(async () => {});
    app = mount(StatusControl, { target: document.body, props: { status: 'live', change } });
    q('status-toggle')!.click();
    flushSync();
    q('status-option-paused')!.click();
    flushSync();
    expect(change).toHaveBeenCalledWith('paused');
    expect(q('status-end-confirm')).toBeNull();
  });

  it('ending a replay says the replay goes, not the stream’s totals', async () => {
    await endTo('replay');
    expect(q('status-end-confirm')!.textContent).toContain('instead of the replay');
    expect(q('status-end-confirm')!.textContent).not.toContain('OBS');
  });

  it('a refused end shows the error under the confirmation, which stays for another try', async () => {
    const change = vi.fn(async () => {
      throw { code: 'forbidden', message: 'only the room owner can change its status' };
    });
    app = mount(StatusControl, { target: document.body, props: { status: 'paused', change } });
    q('status-toggle')!.click();
    flushSync();
    q('status-option-ended')!.click();
    flushSync();
    q('status-end-yes')!.click();
    await vi.waitFor(() => expect(q('status-error')).not.toBeNull());
    flushSync();
    expect(q('status-error')!.textContent).toBe('only the room owner can change its status');
    expect(q('status-end-confirm')).not.toBeNull();
    expect(q('status-end-yes')!.disabled).toBe(false);
  });
});
