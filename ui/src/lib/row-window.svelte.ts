// Why: a scrolling list of rows that keeps only its window in the DOM (see windowing.ts), follows the
// end where new rows arrive while the view is there — the chat's bottom, the gift list's top — and
// otherwise holds what the reader is looking at in place, whatever is added, trimmed or re-measured
// around it. The chat and the gift feed share it; each renders `shown` between two spacers and reports
// scrolls. Heights come from a ResizeObserver on the rendered rows (after layout, never forcing one);
// where there is none (unit tests) the estimate stands in and the window is as tall as the page.
import { untrack } from 'svelte';
import { RowHeights, anchorAt, rowTops, topFor, windowAt, type Anchor, type RowWindow as Range } from './windowing';

export interface RowWindowOptions<R> {
  /** A row's stable key (the rows carry it as `data-key` too). */
  key: (row: R) => string;
  /** The end new rows arrive at, which the view follows while it is there. */
  follow: 'top' | 'bottom';
  /** Padding above the first row and below the last, inside the scroller (px). */
  pad?: number;
  /** Rows rendered beyond the view, above and below (px): a quick scroll finds rows, not a gap. */
  overscan?: number;
  /**
   * The same while following (px; default a quarter of `overscan`): then every new row is drawn as it
   * arrives and pushes one out at the far side, so a smaller margin means fewer rows drawn per burst —
   * and the first scroll away from the end still finds rows.
   */
  followingOverscan?: number;
  /** Within this many pixels of the followed end counts as there. */
  stickPx?: number;
  /** When measurements reach the window (default: the next animation frame). */
  schedule?: (run: () => void) => void;
}

/** Remembered heights past this many are pruned to the rows still listed. */
const PRUNE_OVER = 1000;

export class RowWindow<R> {
  /** The view is at the followed end and stays there as rows arrive. */
  following = $state(true);
  // Initialised here as well as in the constructor: the deriveds below are declared before it runs.
  readonly follow: 'top' | 'bottom' = 'bottom';
  readonly pad: number = 0;
  readonly overscan: number = 320;
  readonly followingOverscan: number = 80;
  readonly stickPx: number = 32;

  #anchor = $state.raw<Anchor | null>(null);
  /** The scroller's height; 0 until measured. */
  #viewHeight = $state(0);
  /** Bumped when a measurement changes a height the layout uses. */
  #version = $state(0);
  #el = $state<HTMLElement | null>(null);
  /** Set by the constructor (declared here, before the deriveds that read it). */
  #rows: () => readonly R[] = () => [];
  #key: (row: R) => string = String;
  readonly #heights = new RowHeights();
  readonly #rowObserver: ResizeObserver | null;

  /** Where each row starts in the list, and (last) the list's height. */
  readonly tops: Float64Array = $derived.by(() => {
    void this.#version;
    return rowTops(this.#rows(), this.#key, this.#heights);
  });

  /** The view's height: as measured, else the page's (no layout yet, or none at all). */
  readonly viewport: number = $derived(
    this.#viewHeight > 0 ? this.#viewHeight : typeof window === 'undefined' ? 800 : window.innerHeight,
  );

  /** Where the view starts, in list coordinates: the followed end, else the anchor's place. */
  readonly viewTop: number = $derived.by(() => {
    const rows = this.#rows();
    const tops = this.tops;
    const bottom = Math.max(0, tops[rows.length] + 2 * this.pad - this.viewport) - this.pad;
    const top = -this.pad;
    if (this.following || this.#anchor === null) return this.follow === 'top' ? top : bottom;
    // The anchored row is gone (trimmed, or filtered out): the oldest rows left, as a plain list would.
    return topFor(rows, this.#key, tops, this.#anchor) ?? (this.follow === 'top' ? bottom : top);
  });

  /** The rows in the DOM and the spacers around them. */
  readonly range: Range = $derived(
    windowAt(this.tops, this.viewTop, this.viewport, this.following ? this.followingOverscan : this.overscan),
  );
  readonly shown: readonly R[] = $derived(this.#rows().slice(this.range.start, this.range.end));

  /** The scroller's offset as last seen or set (reading it back would force a layout). */
  #scrollY = 0;
  /** Whether following was on when the scroll effect last ran. */
  #wasFollowing = true;
  /** The scroller's height as last observed, applied with the next frame. */
  #observedHeight = 0;
  #bumpPending = false;
  readonly #schedule: (run: () => void) => void;

  /** Create during a component's initialisation (it owns effects). */
  constructor(rows: () => readonly R[], options: RowWindowOptions<R>) {
    this.#rows = rows;
    this.#key = options.key;
    this.follow = options.follow;
    this.pad = options.pad ?? 0;
    this.overscan = options.overscan ?? 320;
    this.followingOverscan = options.followingOverscan ?? this.overscan / 4;
    this.stickPx = options.stickPx ?? 32;
    this.#schedule = options.schedule ?? nextFrame;
    this.#rowObserver = typeof ResizeObserver === 'function' ? new ResizeObserver((entries) => this.#resized(entries)) : null;

    // Once the window's rows are in the DOM and the view is anchored: back to the anchor (nothing to
    // do unless rows above it changed). Following the bottom is the row observer's job (it sees the
    // new height after layout, so pinning there forces no layout) — here only when following starts
    // again, or when there is no observer. Following the top needs nothing: rows arriving there push
    // the rest down.
    $effect(() => {
      const el = this.#el;
      const top = this.viewTop + this.pad;
      const following = this.following;
      void this.range;
      if (!el) return;
      untrack(() => {
        if (following) {
          if (this.follow === 'bottom' && (!this.#wasFollowing || this.#rowObserver === null)) el.scrollTop = el.scrollHeight;
        } else if (Math.abs(this.#scrollY - top) >= 1) {
          el.scrollTop = top;
          this.#scrollY = top;
        }
        this.#wasFollowing = following;
      });
    });
    $effect(() => () => this.#rowObserver?.disconnect());
  }

  /** Rows' measured heights (key, px); the window follows at once. */
  record(sizes: Iterable<readonly [string, number]>): void {
    if (this.#learn(sizes)) this.#version++;
  }

  /** Forget measured heights (the rows now read differently: another language, another width). */
  remeasure(): void {
    this.#heights.clear();
    this.#version++;
  }

  /** Follow the newest rows again (jump to them). */
  toEnd(): void {
    this.following = true;
    this.#anchor = null;
  }

  /** Stop following and hold the view where it is (as if the reader had scrolled there). */
  hold(): void {
    const el = this.#el;
    if (!this.following || !el) return;
    const top = el.scrollTop;
    this.#scrollY = top;
    const rows = untrack(this.#rows);
    this.following = false;
    this.#anchor = anchorAt(rows, this.#key, rowTops(rows, this.#key, this.#heights), top - this.pad);
  }

  /** The scroll handler: follows again at the end, else anchors the view. Returns whether at the end. */
  readonly onScroll = (): boolean => {
    const el = this.#el;
    if (!el) return this.following;
    const top = el.scrollTop;
    this.#scrollY = top;
    const atEnd = this.follow === 'bottom' ? el.scrollHeight - top - el.clientHeight <= this.stickPx : top <= this.stickPx;
    this.following = atEnd;
    // Fresh tops, not the derived ones: heights learnt since the last frame already shape the layout.
    const rows = untrack(this.#rows);
    this.#anchor = atEnd ? null : anchorAt(rows, this.#key, rowTops(rows, this.#key, this.#heights), top - this.pad);
    return atEnd;
  };

  /** Attach to each rendered row (it must carry `data-key`). */
  readonly measure = (row: HTMLElement): (() => void) => {
    // The border box: the holder's spacers are its padding, and they change the scroll height too.
    this.#rowObserver?.observe(row, { box: 'border-box' });
    return () => this.#rowObserver?.unobserve(row);
  };

  /** Attach to the element holding the rows and spacers: any change in its height re-pins the bottom. */
  readonly content = (el: HTMLElement): (() => void) => this.measure(el);

  /** Attach to the scroller: its height sizes the window, a new width re-wraps the rows. */
  readonly scroller = (el: HTMLElement): (() => void) => {
    this.#el = el;
    let observer: ResizeObserver | null = null;
    if (typeof ResizeObserver === 'function') {
      let width = -1;
      observer = new ResizeObserver(([entry]) => {
        if (width >= 0 && Math.abs(entry.contentRect.width - width) >= 0.5) this.#heights.clear();
        width = entry.contentRect.width;
        this.#observedHeight = el.clientHeight;
        if (this.following && this.follow === 'bottom') el.scrollTop = el.scrollHeight;
        this.#bumpLater();
      });
      observer.observe(el);
    }
    return () => {
      observer?.disconnect();
      this.#el = null;
    };
  };

  /** Remembers heights; returns whether one the layout uses changed. */
  #learn(sizes: Iterable<readonly [string, number]>): boolean {
    let changed = false;
    for (const [key, height] of sizes) if (key !== '' && this.#heights.set(key, height)) changed = true;
    this.#heights.prune(untrack(this.#rows), this.#key, PRUNE_OVER);
    return changed;
  }

  /**
   * The row observer's report, after layout and before paint. The view is corrected here and now, on
   * the DOM as laid out (cheap: nothing is dirty): pinned to the bottom while following it, else moved
   * by however much the rows above the anchor grew or shrank. The window itself follows with the next
   * frame: changing the DOM from inside an observer callback would leave new rows' first reports
   * for a later frame (a "loop" error).
   */
  #resized(entries: ResizeObserverEntry[]): void {
    const el = this.#el;
    const sizes: Array<[string, number]> = [];
    for (const entry of entries) {
      const key = (entry.target as HTMLElement).dataset.key;
      if (key) sizes.push([key, entry.borderBoxSize?.[0]?.blockSize ?? entry.target.getBoundingClientRect().height]);
    }
    if (el && this.following) {
      if (this.follow === 'bottom') el.scrollTop = el.scrollHeight;
    } else if (el && this.#anchor !== null && sizes.length > 0) {
      const shift = this.#shiftAbove(this.#anchor, sizes);
      if (Math.abs(shift) >= 0.5) {
        this.#scrollY += shift;
        el.scrollTop = this.#scrollY;
      }
    }
    if (this.#learn(sizes)) this.#bumpLater();
  }

  /** How much the rows before the anchor's row change the layout by, measured now against before. */
  #shiftAbove(anchor: Anchor, sizes: ReadonlyArray<readonly [string, number]>): number {
    const rows = untrack(this.#rows);
    const index = new Map<string, number>();
    for (let i = 0; i < rows.length; i++) index.set(this.#key(rows[i]), i);
    const at = index.get(anchor.key);
    if (at === undefined) return 0;
    let shift = 0;
    for (const [key, height] of sizes) {
      const i = index.get(key);
      if (i !== undefined && i < at) shift += height - this.#heights.get(key);
    }
    return shift;
  }

  #bumpLater(): void {
    if (this.#bumpPending) return;
    this.#bumpPending = true;
    this.#schedule(() => {
      this.#bumpPending = false;
      this.#viewHeight = this.#observedHeight;
      this.#version++;
    });
  }
}

function nextFrame(run: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
  else setTimeout(run, 16);
}
