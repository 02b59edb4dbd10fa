// @vitest-environment jsdom
// Why: the strike ladder editor must show the room's ladder, turn the anchor's edits (kinds, typed
// durations, order, window, the filter switch) into exactly the ladder the room gets, say per field
// what is wrong and keep Save off meanwhile, allow at most ten steps, show the room's refusal in
// place, and follow the room's ladder until edited (saying when it changed under an edit).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { StrikeLadder } from '../lib/bindings';
import { DEFAULT_LADDER } from '../lib/strikes';
import { connectedRoom } from '../lib/test-support';
import LadderPanel from './LadderPanel.svelte';

let app: Record<string, unknown> | null = null;

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

const q = <T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = document) =>
  root.querySelector<T>(`[data-testid="${id}"]`);
const qa = <T extends HTMLElement = HTMLElement>(id: string) => [...document.querySelectorAll<T>(`[data-testid="${id}"]`)];
const steps = () => qa('ladder-step');
const step = (i: number) => steps()[i];
const kinds = () => steps().map((s) => s.dataset.kind);

function choose(select: HTMLSelectElement, value: string) {
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  flushSync();
}

function type(input: HTMLInputElement, value: string) {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

function click(el: HTMLElement) {
  el.click();
  flushSync();
}

async function setup(ladder: StrikeLadder = DEFAULT_LADDER) {
  const ctx = await connectedRoom({ room: { strikeLadder: ladder } });
  app = mount(LadderPanel, { target: document.body, props: { room: ctx.room } });
  flushSync();
  const save = () => q<HTMLButtonElement>('ladder-save')!;
  const saved = () => ctx.backend.calls.filter((c) => c.method === 'setStrikeLadder').map((c) => c.args[0]);
  const frame = () => {
    ctx.frames.frame();
    flushSync();
  };
  return { ...ctx, save, saved, frame };
}

describe('LadderPanel', () => {
  it('shows the room’s ladder: kinds, durations as typed text, the window in hours, the filter switch', async () => {
    const { save } = await setup();
    expect(q('ladder-editor')).not.toBeNull();
    expect(kinds()).toEqual(['warn', 'mute', 'muteUntilEndOfStream', 'ban']);
    expect(steps().map((s) => s.textContent)).toEqual([
      expect.stringContaining('Step 1'),
      expect.stringContaining('Step 2'),
      expect.stringContaining('Step 3'),
      expect.stringContaining('Step 4'),
    ]);
    expect(qa<HTMLInputElement>('ladder-duration').map((i) => i.value)).toEqual(['10m', '30d']);
    expect(qa('ladder-duration-reading').map((p) => p.textContent!.trim())).toEqual(['= 10 min', '= 30 d']);
    expect(q<HTMLSelectElement>('ladder-kind', step(0))!.value).toBe('warn');
    expect([...q<HTMLSelectElement>('ladder-kind')!.options].map((o) => o.textContent)).toEqual([
      'Warn',
      'Mute',
      'Mute until the stream ends',
      'Kick',
      'Ban',
    ]);
    expect(q<HTMLInputElement>('ladder-window')!.value).toBe('24');
    expect(q<HTMLInputElement>('ladder-from-filter')!.checked).toBe(true);
    expect(save().disabled).toBe(true); // nothing to save yet
  });

  it('saves the edited ladder exactly, says so, and follows the room again', async () => {
    const { save, saved, room } = await setup();
    choose(q<HTMLSelectElement>('ladder-kind', step(0))!, 'mute'); // gets a duration field
    type(q<HTMLInputElement>('ladder-duration', step(0))!, '90');
    type(q<HTMLInputElement>('ladder-duration', step(1))!, '1h 30m');
    expect(q('ladder-duration-reading', step(1))!.textContent!.trim()).toBe('= 1 h 30 min');
    click(q('ladder-remove', step(2))!);
    click(q('ladder-up', step(2))!); // the ban before the second mute
    type(q<HTMLInputElement>('ladder-window')!, '1.5');
    click(q<HTMLInputElement>('ladder-from-filter')!);
    expect(q('ladder-dirty')!.textContent).toBe('Unsaved changes');
    expect(save().disabled).toBe(false);

    click(save());
    await vi.waitFor(() => expect(q('ladder-saved')).not.toBeNull());
    const ladder = {
      steps: [{ type: 'mute', seconds: 90 }, { type: 'ban', seconds: 2592000 }, { type: 'mute', seconds: 5400 }],
      windowSecs: 5400,
      fromFilter: false,
    };
    expect(saved()).toEqual([ladder]);
    expect(room.strikeLadder).toEqual(ladder);
    expect(q('ladder-saved')!.textContent).toBe('Strike ladder saved');
    expect(q('ladder-dirty')).toBeNull();
    expect(save().disabled).toBe(true);
    expect(qa<HTMLInputElement>('ladder-duration').map((i) => i.value)).toEqual(['1m30s', '30d', '1h30m']); // the room’s, as typed text
  });

  it('says what is wrong with a duration or the window, in place, and keeps Save off', async () => {
    const { save, saved } = await setup();
    const mute = () => q<HTMLInputElement>('ladder-duration', step(1))!;
    for (const [text, message] of [
      ['', 'Enter a duration'],
      ['ten minutes', 'Not a duration: use e.g. 10m, 1h, 7d, or seconds'],
      ['0m', 'At least 1 second'],
      ['99999999999', 'Too long'],
    ]) {
      type(mute(), text);
      expect(q('ladder-duration-error', step(1))!.textContent!.trim()).toBe(message);
      expect(mute().getAttribute('aria-invalid')).toBe('true');
      expect(save().disabled).toBe(true);
    }
    type(mute(), '15m');
    expect(q('ladder-duration-error')).toBeNull();
    expect(save().disabled).toBe(false);

    type(q<HTMLInputElement>('ladder-window')!, 'a day');
    expect(q('ladder-window-error')!.textContent).toBe('Enter a number of hours');
    expect(save().disabled).toBe(true);
    type(q<HTMLInputElement>('ladder-window')!, '0.001');
    expect(q('ladder-window-error')!.textContent).toBe('At least 1 minute');
    type(q<HTMLInputElement>('ladder-window')!, '2');
    expect(q('ladder-window-error')).toBeNull();

    for (let i = 0; i < 4; i++) click(q('ladder-remove')!);
    expect(steps()).toHaveLength(0);
    expect(q('ladder-empty')!.textContent).toBe('Add at least one step');
    expect(save().disabled).toBe(true);
    expect(saved()).toEqual([]);
  });

  it('adds steps up to ten, then says so', async () => {
    await setup();
    const add = () => q<HTMLButtonElement>('ladder-add')!;
    while (!add().disabled) click(add());
    expect(steps()).toHaveLength(10);
    expect(kinds().slice(4)).toEqual(Array(6).fill('ban')); // each a copy of the last
    expect(q('ladder-full')!.textContent).toBe('At most 10 steps');
    expect(q<HTMLButtonElement>('ladder-up', step(0))!.disabled).toBe(true);
    expect(q<HTMLButtonElement>('ladder-down', step(9))!.disabled).toBe(true);
  });

  it('shows the room’s refusal in place and keeps the edit', async () => {
    const { save, backend } = await setup();
    type(q<HTMLInputElement>('ladder-duration', step(1))!, '5m');
    backend.failNext('setStrikeLadder', { code: 'forbidden', message: 'only the owner may change the ladder' });
    click(save());
    await vi.waitFor(() => expect(q('ladder-error')).not.toBeNull());
    expect(q('ladder-error')!.textContent).toBe('only the owner may change the ladder');
    expect(q<HTMLInputElement>('ladder-duration', step(1))!.value).toBe('5m');
    expect(save().disabled).toBe(false);
  });

  it('follows the room’s ladder until edited; then keeps the edit and says the room changed', async () => {
    const { backend, frame } = await setup();
    const other: StrikeLadder = { steps: [{ type: 'kick' }], windowSecs: 600, fromFilter: true };
    backend.push({ type: 'strikeLadder', ...other });
    frame();
    expect(kinds()).toEqual(['kick']);
    expect(q<HTMLInputElement>('ladder-window')!.value).toBe('0.1667');

    click(q('ladder-add')!);
    backend.push({ type: 'strikeLadder', ...DEFAULT_LADDER });
    frame();
    expect(kinds()).toEqual(['kick', 'kick']);
    expect(q('ladder-changed')).not.toBeNull();

    click(q('ladder-discard')!);
    expect(kinds()).toEqual(['warn', 'mute', 'muteUntilEndOfStream', 'ban']);
    expect(q('ladder-changed')).toBeNull();
    expect(q('ladder-dirty')).toBeNull();
  });
});
