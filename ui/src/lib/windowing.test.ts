// Why: the chat's window decides which rows exist in the DOM and where the reader's view goes when rows
// above change; an off-by-one here shows as a gap, a missing row or a jump, so the arithmetic is
// pinned down without a browser.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ROW_HEIGHT, RowHeights, anchorAt, rowAt, rowTops, topFor, windowAt } from './windowing';

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ key: `r${from + i}` }));
const key = (row: { key: string }) => row.key;

describe('RowHeights', () => {
  it('estimates unmeasured rows from the first measured ones, then holds the estimate still', () => {
    const h = new RowHeights();
    expect(h.get('a')).toBe(DEFAULT_ROW_HEIGHT);
    expect(h.set('a', 30)).toBe(true); // the estimate moved: every unmeasured row changed
    expect(h.estimate).toBe(30);
    h.set('b', 20);
    expect(h.estimate).toBe(25);
    expect(h.get('unmeasured')).toBe(25);
    for (let i = 0; i < 200; i++) h.set(`x${i}`, 100);
    // Only the first 64 measurements teach it: (30 + 20 + 62 × 100) / 64.
    expect(h.estimate).toBeCloseTo((30 + 20 + 62 * 100) / 64);
  });

  it("reports a change only when a row's height as used moves by 0.1 px or more", () => {
    const h = new RowHeights(26);
    for (let i = 0; i < 64; i++) h.set(`warm${i}`, 26); // the estimate is settled
    expect(h.set('a', 26)).toBe(false); // measured as estimated
    expect(h.set('a', 26.05)).toBe(false);
    expect(h.set('a', 40)).toBe(true);
    expect(h.get('a')).toBe(40);
    expect(h.set('a', Number.NaN)).toBe(false);
    expect(h.get('a')).toBe(40);
  });

  it('forgets everything on clear, and only trimmed rows on prune past the limit', () => {
    const h = new RowHeights();
    h.set('a', 30);
    h.set('b', 30);
    h.set('c', 30);
    h.prune([{ key: 'a' }], key, 5);
    expect(h.size).toBe(3); // under the limit: nothing pruned
    h.prune([{ key: 'a' }], key, 2);
    expect([h.has('a'), h.has('b'), h.has('c')]).toEqual([true, false, false]);
    h.clear();
    expect(h.size).toBe(0);
    expect(h.estimate).toBe(30); // what rows are like is still known
  });

  it('rejects a nonsense estimate', () => {
    expect(() => new RowHeights(0)).toThrow(RangeError);
  });
});

describe('rowTops and rowAt', () => {
  it('stacks measured and estimated heights', () => {
    const h = new RowHeights(20);
    h.set('r1', 50);
    // The first measurement also teaches the estimate: now 50 for every unmeasured row.
    expect([...rowTops(rows(3), key, h)]).toEqual([0, 50, 100, 150]);
  });

  it('finds the row at a height, clamped into the list', () => {
    const tops = [0, 10, 30, 60]; // three rows: 10, 20 and 30 px
    expect(rowAt(tops, -5)).toBe(0);
    expect(rowAt(tops, 0)).toBe(0);
    expect(rowAt(tops, 9.9)).toBe(0);
    expect(rowAt(tops, 10)).toBe(1);
    expect(rowAt(tops, 59)).toBe(2);
    expect(rowAt(tops, 500)).toBe(2);
    expect(rowAt([0], 0)).toBe(-1);
  });
});

describe('windowAt', () => {
  const tops = rowTops(rows(100), key, new RowHeights(10)); // 100 rows of 10 px

  it('covers the view and the overscan on both sides, and the spacers make up the rest', () => {
    const w = windowAt(tops, 500, 100, 30);
    expect(w).toEqual({ start: 47, end: 64, before: 470, after: 360 });
    // Spacers and rendered rows add up to the whole list.
    expect(w.before + (tops[w.end] - tops[w.start]) + w.after).toBe(1000);
  });

  it('stops at the ends of the list', () => {
    expect(windowAt(tops, -6, 100, 30)).toEqual({ start: 0, end: 13, before: 0, after: 870 });
    expect(windowAt(tops, 950, 100, 30)).toEqual({ start: 92, end: 100, before: 920, after: 0 });
    expect(windowAt([0], 0, 100, 30)).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });
});

describe('anchors', () => {
  it('names the row at the view top and the distance into it, and finds the place again after a trim', () => {
    const h = new RowHeights(10);
    const before = rows(100);
    const anchor = anchorAt(before, key, rowTops(before, key, h), 505)!;
    expect(anchor).toEqual({ key: 'r50', offset: 5 });
    // The 20 oldest rows go: the same row now starts 200 px higher, and so must the view.
    const after = before.slice(20);
    expect(topFor(after, key, rowTops(after, key, h), anchor)).toBe(305);
  });

  it('follows a row that grew above the anchor', () => {
    const h = new RowHeights(10);
    for (let i = 0; i < 64; i++) h.set(`warm${i}`, 10);
    const list = rows(10);
    const anchor = anchorAt(list, key, rowTops(list, key, h), 52)!;
    h.set('r2', 40); // a line above wrapped onto more lines
    expect(topFor(list, key, rowTops(list, key, h), anchor)).toBe(82);
  });

  it('has no place for a row that is gone, and no anchor in an empty list', () => {
    const list = rows(10);
    const tops = rowTops(list, key, new RowHeights(10));
    expect(topFor(list, key, tops, { key: 'gone', offset: 0 })).toBeNull();
    expect(anchorAt([], key, [0], 0)).toBeNull();
  });
});
