// Why: the chat keeps up to 500 rows, but a screen shows thirty. Putting all of them in the DOM made a
// 1,000 msg/s room spend most of each frame in style, layout and node churn (≈6,000 elements, a forced
// layout of all of them per flush). So the feed renders a window: the rows in view plus a margin, with
// spacers standing in for the rest. Rows differ in height (long lines wrap, moderator rows carry a
// rule, an error adds a line), so heights are measured as rows render and remembered by row key;
// unmeasured rows count at an estimate (the mean of the first rows measured). The reading position is
// kept as an anchor — a row and how far into it the view starts — so trimming rows above, or learning
// their real height, never moves what the anchor is reading. Plain TypeScript over numbers and keys:
// the component feeds it measurements and scroll positions; no DOM here.

/** A row's height until it is measured, before any row has been: one line of chat. */
export const DEFAULT_ROW_HEIGHT = 26;

/** How many measurements the estimate learns from; then it holds still (so spacers do not drift). */
const ESTIMATE_SAMPLES = 64;

/** Measured row heights by key, and the estimate for rows not measured yet. */
export class RowHeights {
  #known = new Map<string, number>();
  #estimate: number;
  #sum = 0;
  #samples = 0;

  constructor(estimate = DEFAULT_ROW_HEIGHT) {
    if (!(estimate > 0)) throw new RangeError(`estimate must be > 0, got ${estimate}`);
    this.#estimate = estimate;
  }

  /** The height a row takes in the layout: measured, or the estimate. */
  get(key: string): number {
    return this.#known.get(key) ?? this.#estimate;
  }

  has(key: string): boolean {
    return this.#known.has(key);
  }

  get estimate(): number {
    return this.#estimate;
  }

  get size(): number {
    return this.#known.size;
  }

  /**
   * Records a measured height; returns whether any row's height as `get` reports it changed (this
   * row's, or every unmeasured row's through the estimate). Sub-pixel jitter below 0.1 px is ignored.
   */
  set(key: string, height: number): boolean {
    if (!(height >= 0) || !Number.isFinite(height)) return false;
    const before = this.get(key);
    let changed = false;
    if (!this.#known.has(key) && this.#samples < ESTIMATE_SAMPLES && height > 0) {
      this.#sum += height;
      this.#samples++;
      const estimate = this.#sum / this.#samples;
      changed = Math.abs(estimate - this.#estimate) >= 0.1;
      this.#estimate = estimate;
    }
    this.#known.set(key, height);
    return changed || Math.abs(height - before) >= 0.1;
  }

  /** Forget every measurement (the width changed: lines wrap differently). The estimate stays. */
  clear(): void {
    this.#known.clear();
  }

  /** Forget rows no longer in `keep` (trimmed), once there are more than `over` remembered. */
  prune<R>(keep: readonly R[], keyOf: (row: R) => string, over: number): void {
    if (this.#known.size <= over) return;
    const live = new Set(keep.map(keyOf));
    for (const key of this.#known.keys()) if (!live.has(key)) this.#known.delete(key);
  }
}

/** `tops[i]`: where row `i` starts, from the list's top; `tops[n]`: the whole list's height. */
export function rowTops<R>(rows: readonly R[], keyOf: (row: R) => string, heights: RowHeights): Float64Array {
  const tops = new Float64Array(rows.length + 1);
  let y = 0;
  for (let i = 0; i < rows.length; i++) {
    tops[i] = y;
    y += heights.get(keyOf(rows[i]));
  }
  tops[rows.length] = y;
  return tops;
}

/** The row at height `y` (the last row whose top is at or above it), clamped into the list; -1 if empty. */
export function rowAt(tops: ArrayLike<number>, y: number): number {
  const n = tops.length - 1;
  if (n <= 0) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tops[mid] <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Rows `start..end` (end exclusive) are rendered; the spacers take `before` and `after` pixels. */
export interface RowWindow {
  start: number;
  end: number;
  before: number;
  after: number;
}

/**
 * The rows to render for a view of `height` pixels starting at `top` (list coordinates), with
 * `overscan` pixels more above and below so a quick scroll does not show blank space.
 */
export function windowAt(tops: ArrayLike<number>, top: number, height: number, overscan: number): RowWindow {
  const n = tops.length - 1;
  const total = tops[n] ?? 0;
  if (n <= 0) return { start: 0, end: 0, before: 0, after: 0 };
  const start = rowAt(tops, top - overscan);
  const end = Math.min(n, rowAt(tops, top + height + overscan) + 1);
  return { start, end, before: tops[start], after: total - tops[end] };
}

/** What the reader is looking at: the row at the view's top, and how far into it the view starts. */
export interface Anchor {
  key: string;
  offset: number;
}

/** The anchor for a view starting at `top` (list coordinates); null for an empty list. */
export function anchorAt<R>(rows: readonly R[], keyOf: (row: R) => string, tops: ArrayLike<number>, top: number): Anchor | null {
  const i = rowAt(tops, top);
  if (i < 0) return null;
  return { key: keyOf(rows[i]), offset: top - tops[i] };
}

/**
 * Where the view must start (list coordinates) for `anchor` to stay where it was; null when its row is
 * gone (trimmed, or filtered out).
 */
export function topFor<R>(rows: readonly R[], keyOf: (row: R) => string, tops: ArrayLike<number>, anchor: Anchor): number | null {
  // The list is bounded (the feed's cap): a scan costs less than keeping an index up to date.
  for (let i = 0; i < rows.length; i++) if (keyOf(rows[i]) === anchor.key) return tops[i] + anchor.offset;
  return null;
}
