// Why: the level lookups must stay gentle however busy the chat is — a few per tick, newest wishes
// first, never the same viewer twice at once, failures left alone for a while, stale levels refreshed —
// and the book must stay bounded.
import { describe, expect, it } from 'vitest';
import { LevelBook, type LevelBookOptions } from './levels';
import { fixedClock } from './test-support';

function setup(over: Partial<LevelBookOptions> = {}) {
  const clock = fixedClock(0);
  const asked: string[] = [];
  const pending = new Map<string, { resolve: (level: number) => void; reject: (e: unknown) => void }>();
  const learnt: Array<[string, number]> = [];
  const forgotten: string[] = [];
  const book = new LevelBook({
    clock,
    lookup: (userId) => {
      asked.push(userId);
      return new Promise((resolve, reject) => pending.set(userId, { resolve, reject }));
    },
    onLevel: (userId, level) => learnt.push([userId, level]),
    onForget: (userId) => forgotten.push(userId),
    ...over,
  });
  const answer = async (userId: string, level: number | Error) => {
    const p = pending.get(userId)!;
    pending.delete(userId);
    if (level instanceof Error) p.reject(level);
    else p.resolve(level);
    await Promise.resolve();
    await Promise.resolve();
  };
  return { book, clock, asked, learnt, forgotten, answer };
}

describe('LevelBook', () => {
  it('asks about the most recently wanted viewers first, a few per drain, within the concurrency', async () => {
    const { book, asked, answer, learnt } = setup({ perDrain: 4, concurrency: 2 });
    for (const u of ['a', 'b', 'c', 'a', 'd']) book.want(u);
    expect(book.waiting).toBe(4); // 'a' wanted twice waits once (moved to the newest end)
    book.drain();
    expect(asked).toEqual(['d', 'a']); // newest first; concurrency 2
    book.drain();
    expect(asked).toEqual(['d', 'a']); // both still in flight
    await answer('a', 7);
    expect(learnt).toEqual([['a', 7]]);
    expect(book.get('a')).toBe(7);
    book.want('a'); // known and fresh: not asked again
    book.drain();
    expect(asked).toEqual(['d', 'a', 'c']);
  });

  it('keeps only the newest wishes when the chat outruns it', () => {
    const { book, asked } = setup({ queueCap: 3, perDrain: 10, concurrency: 10 });
    for (let i = 0; i < 100; i++) book.want(`u${i}`);
    expect(book.waiting).toBe(3);
    book.drain();
    expect(asked).toEqual(['u99', 'u98', 'u97']);
  });

  it('does not ask about a viewer in flight again; refreshes a stale level; leaves a failure alone for a while', async () => {
    const { book, clock, asked, answer } = setup({ staleMs: 60_000, retryMs: 30_000 });
    book.want('a');
    book.drain();
    book.want('a');
    book.drain();
    expect(asked).toEqual(['a']);
    await answer('a', 3);

    clock.advance(61_000);
    book.want('a');
    book.drain();
    expect(asked).toEqual(['a', 'a']);
    await answer('a', new Error('offline'));
    expect(book.get('a')).toBe(3); // the old level stays shown
    book.want('a');
    book.drain();
    expect(asked).toEqual(['a', 'a']);
    clock.advance(31_000);
    book.want('a');
    book.drain();
    expect(asked).toEqual(['a', 'a', 'a']);
  });

  it('takes levels from user cards, tells only changes, and forgets the oldest past its cap', () => {
    const { book, learnt, forgotten, asked } = setup({ cap: 2 });
    book.set('a', 1);
    book.set('a', 1);
    book.set('b', 2);
    book.set('c', 3);
    expect(learnt).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect(forgotten).toEqual(['a']);
    expect([book.get('a'), book.get('b'), book.get('c'), book.size]).toEqual([undefined, 2, 3, 2]);
    book.want('b');
    book.drain();
    expect(asked).toEqual([]); // a card just told us
  });
});
