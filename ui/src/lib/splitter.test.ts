// Why: the splitter must keep both columns usable at any window width (1280×800 included), move the
// way the ARIA window-splitter pattern says for each key, and remember only sensible widths.
import { describe, expect, it } from 'vitest';
import {
  SIDE_WIDTH_KEY,
  SPLIT,
  chatWidth,
  clampSide,
  loadSide,
  maxSide,
  saveSide,
  sideAfterDrag,
  sideAfterKey,
} from './splitter';

/** The two columns' share of a 1280 px window (the main area has 10 px padding each side). */
const W1280 = 1280 - 20;

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

describe('splitter', () => {
  it('keeps the chat and the side column at their minimums at 1280 px, and the default fits', () => {
    expect(clampSide(SPLIT.defaultSide, W1280)).toBe(SPLIT.defaultSide);
    expect(maxSide(W1280)).toBe(W1280 - SPLIT.gutter - SPLIT.minChat);
    expect(clampSide(5000, W1280)).toBe(maxSide(W1280));
    expect(chatWidth(clampSide(5000, W1280), W1280)).toBe(SPLIT.minChat);
    expect(clampSide(10, W1280)).toBe(SPLIT.minSide);
    expect(clampSide(Number.NaN, W1280)).toBe(SPLIT.defaultSide);
  });

  it('gives the side column its minimum when the window is too narrow for both', () => {
    expect(clampSide(600, 500)).toBe(SPLIT.minSide);
    expect(maxSide(0)).toBe(SPLIT.minSide);
  });

  it('drags: moving right widens the chat, within the limits', () => {
    expect(sideAfterDrag(400, 50, W1280)).toBe(SPLIT.minSide); // 350 is under the side's minimum
    expect(sideAfterDrag(500, 60, W1280)).toBe(440);
    expect(sideAfterDrag(500, -60, W1280)).toBe(560);
    expect(sideAfterDrag(500, -5000, W1280)).toBe(maxSide(W1280));
  });

  it('keys: arrows step (Shift and Page keys by more), Home gives the chat its least, End its most', () => {
    expect(sideAfterKey('ArrowLeft', false, 500, W1280)).toBe(500 + SPLIT.step);
    expect(sideAfterKey('ArrowRight', false, 500, W1280)).toBe(500 - SPLIT.step);
    expect(sideAfterKey('ArrowLeft', true, 500, W1280)).toBe(500 + SPLIT.bigStep);
    expect(sideAfterKey('PageDown', false, 500, W1280)).toBe(500 - SPLIT.bigStep);
    expect(sideAfterKey('Home', false, 500, W1280)).toBe(maxSide(W1280));
    expect(sideAfterKey('End', false, 500, W1280)).toBe(SPLIT.minSide);
    expect(sideAfterKey('ArrowRight', false, SPLIT.minSide, W1280)).toBe(SPLIT.minSide);
    expect(sideAfterKey('ArrowUp', false, 500, W1280)).toBeNull();
    expect(sideAfterKey('a', false, 500, W1280)).toBeNull();
  });

  it('remembers a width, forgets it on reset, and ignores junk and broken storage', () => {
    const storage = memoryStorage();
    expect(loadSide(storage)).toBeNull();
    saveSide(storage, 512.4);
    expect(storage.data.get(SIDE_WIDTH_KEY)).toBe('512');
    expect(loadSide(storage)).toBe(512);
    saveSide(storage, null);
    expect(loadSide(storage)).toBeNull();
    expect(loadSide(memoryStorage({ [SIDE_WIDTH_KEY]: 'wide' }))).toBeNull();
    expect(loadSide(memoryStorage({ [SIDE_WIDTH_KEY]: '-3' }))).toBeNull();
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    expect(loadSide(broken)).toBeNull();
    expect(() => saveSide(broken, 500)).not.toThrow();
    expect(loadSide(null)).toBeNull();
  });
});
