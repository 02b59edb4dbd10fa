// Why: a notice field must follow the room (events from another console) until the anchor types, then
// keep their text whatever arrives, say when the room changed meanwhile, and follow again after a save.
import { describe, expect, it } from 'vitest';
import { Draft } from './draft.svelte';

describe('Draft', () => {
  it('follows the source until edited, then keeps the edit', () => {
    let source = 'first';
    const d = new Draft(() => source);
    expect([d.value, d.dirty, d.stale]).toEqual(['first', false, false]);
    source = 'second';
    expect(d.value).toBe('second');

    d.input('mine');
    expect([d.value, d.dirty, d.stale]).toEqual(['mine', true, false]);
    source = 'from another console';
    expect([d.value, d.dirty, d.stale]).toEqual(['mine', true, true]);

    d.reset();
    expect([d.value, d.dirty, d.stale]).toEqual(['from another console', false, false]);
  });

  it('typing the source’s text back is no edit', () => {
    const d = new Draft(() => 'same');
    d.input('same!');
    expect(d.dirty).toBe(true);
    d.input('same');
    expect(d.dirty).toBe(false);
  });
});
