// @vitest-environment jsdom
// Why: the window is what the reader sees of a feed moving at up to 1,000 lines a second: it must sit
// on the newest rows while following, never move what the reader is looking at while rows are trimmed
// above or turn out taller than estimated, and get its measurements from the layout without changing
// the DOM from inside the observer. Driven here with a stand-in scroller and ResizeObserver, and frames
// run by hand.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { RowWindow } from './row-window.svelte';
import { manualFrames } from './test-support';

interface Row {
  key: string;
}
const rows = (n: number, from = 0): Row[] => Array.from({ length: n }, (_, i) => ({ key: `r${from + i}` }));

/** Stands in for ResizeObserver: the test reports sizes when "layout" would. */
class FakeObserver {
  static all: FakeObserver[] = [];
  observed = new Set<Element>();
  constructor(readonly callback: (entries: ResizeObserverEntry[]) => void) {
    FakeObserver.all.push(this);
  }
  observe(el: Element) {
    this.observed.add(el);
  }
  unobserve(el: Element) {
    this.observed.delete(el);
  }
  disconnect() {
    this.observed.clear();
  }
  report(sizes: Array<[Element, number]>, width = 400) {
    this.callback(
      sizes.map(([target, height]) => ({
        target,
        borderBoxSize: [{ blockSize: height, inlineSize: width }],
        contentRect: { width, height },
      })) as unknown as ResizeObserverEntry[],
    );
  }
}

/** A scroller: `content` is the laid-out height the test says the rows take. */
function scroller(clientHeight: number) {
  const state = { top: 0, content: 0, writes: [] as number[] };
  const el = {
    dataset: {},
    clientHeight,
    get scrollHeight() {
      return Math.max(state.content, clientHeight);
    },
    get scrollTop() {
      return state.top;
    },
    set scrollTop(v: number) {
      state.writes.push(v);
      state.top = Math.max(0, Math.min(v, Math.max(0, state.content - clientHeight)));
    },
  };
  return { el: el as unknown as HTMLElement, state };
}

const rowEl = (key: string) => ({ dataset: { key } }) as unknown as HTMLElement;

let cleanup: (() => void) | null = null;
const realObserver = globalThis.ResizeObserver;

beforeEach(() => {
  FakeObserver.all = [];
  globalThis.ResizeObserver = FakeObserver as unknown as typeof ResizeObserver;
});

afterEach(() => {
  cleanup?.();
  cleanup = null;
  globalThis.ResizeObserver = realObserver;
});

/** A window over `initial` rows (rows measure 26 px; pad 6), attached to a 260 px scroller. */
function setup(initial: Row[], follow: 'top' | 'bottom' = 'bottom') {
  let list = $state.raw(initial);
  const frames = manualFrames();
  const box = scroller(260);
  let win!: RowWindow<Row>;
  cleanup = $effect.root(() => {
    win = new RowWindow(() => list, {
      key: (r) => r.key,
      follow,
      pad: 6,
      overscan: 52,
      followingOverscan: 26,
      schedule: frames.schedule,
    });
  });
  const detach = win.scroller(box.el);
  const [rowObserver, scrollerObserver] = FakeObserver.all;
  const root = cleanup;
  cleanup = () => {
    detach();
    root();
  };
  const layout = () => (box.state.content = win.tops[list.length] + 12);
  // Rows measured so far were all 26 px: the estimate is settled (the first measurements teach it).
  win.record(Array.from({ length: 64 }, (_, i) => [`warm${i}`, 26] as const));
  flushSync();
  layout();
  return {
    win,
    box,
    frames,
    rowObserver,
    scrollerObserver,
    layout,
    set(next: Row[]) {
      list = next;
      flushSync();
      layout();
    },
    /** The user scrolls to `top`. */
    scrollTo(top: number) {
      box.state.top = top;
      win.onScroll();
      flushSync();
    },
  };
}

describe('RowWindow', () => {
  it('renders only the newest rows that fill the view (and the overscan) while following the bottom', () => {
    const { win, frames, scrollerObserver, box } = setup(rows(500));
    // Until the scroller is measured the page's height stands in; then its own.
    scrollerObserver.report([[box.el, 260]]);
    frames.frame();
    flushSync();
    expect(win.viewport).toBe(260);
    expect(win.following).toBe(true);
    expect(win.shown.at(-1)!.key).toBe('r499');
    // 260 px of view and, while following, 26 px above it, at 26 px a row.
    expect(win.shown.length).toBe(11);
    expect(win.range.before + win.shown.length * 26 + win.range.after).toBe(500 * 26);
    expect(win.range.after).toBe(0);
  });

  it('widens its margin once the reader scrolls away from the end', () => {
    const t = setup(rows(500));
    t.scrollerObserver.report([[t.box.el, 260]]);
    t.frames.frame();
    t.scrollTo(6 + 200 * 26); // row 200 at the top of the view
    expect(t.win.following).toBe(false);
    // 52 px (two rows) above and below the 10 rows in view (and the row starting right at its edge).
    expect(t.win.shown.map((r) => r.key)).toEqual(rows(15, 198).map((r) => r.key));
  });

  it('pins the bottom when the observer reports the rows laid out, without waiting for a frame', () => {
    const { win, box, rowObserver, frames } = setup(rows(50));
    box.state.writes = [];
    const last = rowEl('r49');
    win.measure(last);
    expect(rowObserver.observed.has(last)).toBe(true);
    box.state.content += 30; // the newest line wrapped: the list got taller
    rowObserver.report([[last, 56]]);
    expect(box.state.writes).toEqual([box.state.content]); // to the bottom, at once
    expect(box.state.top).toBe(box.state.content - 260);
    // The window learns the new height with the next frame, not inside the observer's callback.
    const before = win.tops[50];
    flushSync();
    expect(win.tops[50]).toBe(before);
    expect(frames.frame()).toBe(1);
    flushSync();
    expect(win.tops[50]).toBe(before + 30);
  });

  it('stops following when scrolled up, and keeps the line being read in place as older rows are trimmed', () => {
    const t = setup(rows(500));
    t.scrollTo(6 + 300 * 26 + 10); // 10 px into row 300
    expect(t.win.following).toBe(false);
    expect(t.win.shown.map((r) => r.key)).toContain('r300');
    t.box.state.writes = [];
    // 100 new rows arrive and the 100 oldest go.
    t.set(rows(500, 100));
    expect(t.box.state.writes).toEqual([6 + 200 * 26 + 10]);
    expect(t.win.shown.map((r) => r.key)).toContain('r300');
    // Nothing changed above it since: no more writes.
    t.set(rows(510, 100));
    expect(t.box.state.writes).toHaveLength(1);
  });

  it('moves the view with rows above the anchor that turn out taller, in the same frame', () => {
    const t = setup(rows(100));
    t.scrollTo(6 + 50 * 26); // row 50 at the top of the view
    t.box.state.writes = [];
    const above = rowEl('r48');
    const below = rowEl('r52');
    t.rowObserver.report([
      [above, 26 + 40],
      [below, 26 + 100],
    ]);
    // Only the row above counts: the view moves down by its 40 px, at once.
    expect(t.box.state.writes).toEqual([6 + 50 * 26 + 40]);
    t.frames.frame();
    flushSync();
    // The window caught up: the anchor's place is where the view already is (no second move).
    expect(t.win.viewTop + 6).toBe(6 + 50 * 26 + 40);
    expect(t.box.state.writes).toHaveLength(1);
  });

  it('goes to the oldest row left when the one being read is trimmed away, and follows again on request', () => {
    const t = setup(rows(500));
    t.scrollTo(6 + 20 * 26);
    t.set(rows(500, 100)); // rows 0–99 are gone, row 20 with them
    expect(t.box.state.top).toBe(0);
    expect(t.win.shown[0].key).toBe('r100');
    t.win.toEnd();
    flushSync();
    expect(t.win.following).toBe(true);
    expect(t.box.state.top).toBe(t.box.state.content - 260);
    expect(t.win.shown.at(-1)!.key).toBe('r599');
  });

  it('holds the view where it is on request (a keyboard user on a line), and keeps it as rows come and go', () => {
    const t = setup(rows(500));
    t.box.state.top = t.box.state.content - 260; // at the bottom, following
    t.win.hold();
    flushSync();
    expect(t.win.following).toBe(false);
    const reading = t.box.state.top;
    t.box.state.writes = [];
    t.set(rows(500, 50)); // 50 new rows, the 50 oldest gone
    expect(t.box.state.writes).toEqual([reading - 50 * 26]); // the same line, now 50 rows nearer the top
  });

  it('following the top, holds still at the top as rows arrive there, and holds the anchor below', () => {
    const t = setup(rows(200), 'top');
    expect(t.win.shown[0].key).toBe('r0');
    t.box.state.writes = [];
    t.set([...rows(5, 1000), ...rows(200)]); // newest first
    expect(t.box.state.writes).toEqual([]); // at the top: nothing to do
    expect(t.win.shown[0].key).toBe('r1000');
    t.scrollTo(6 + 100 * 26); // reading further down
    expect(t.win.following).toBe(false);
    t.set([...rows(3, 2000), ...rows(5, 1000), ...rows(200)]);
    expect(t.box.state.writes.at(-1)).toBe(6 + 103 * 26);
  });

  it('forgets measured heights when the scroller gets wider (the rows re-wrap)', () => {
    const t = setup(rows(20));
    t.win.record([['r0', 80]]);
    const tall = t.win.tops[1];
    t.scrollerObserver.report([[t.box.el, 260]], 400);
    t.scrollerObserver.report([[t.box.el, 260]], 600);
    t.frames.frame();
    flushSync();
    expect(t.win.tops[1]).not.toBe(tall); // r0 is back to the estimate until measured again
  });
});
