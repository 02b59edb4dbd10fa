// Why: an editor (the notice, the strike ladder) must follow the room (events from another console)
// until the anchor edits, then keep their edit whatever arrives, say when the room changed meanwhile,
// and follow again after a save.
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

  it('follows and keeps structured values, compared by the given equality', () => {
    let source = { steps: ['warn'] };
    const same = (a: { steps: string[] }, b: { steps: string[] }) => a.steps.join() === b.steps.join();
    const d = new Draft(() => source, same);
    d.input({ steps: ['warn', 'kick'] });
    expect([d.value.steps, d.dirty, d.stale]).toEqual([['warn', 'kick'], true, false]);
    source = { steps: ['warn'] }; // a new object, the same value: not a change
    expect(d.stale).toBe(false);
    source = { steps: ['ban'] };
    expect(d.stale).toBe(true);
    d.input({ steps: ['ban'] }); // equal to the source again: following
    expect(d.dirty).toBe(false);
  });
});
