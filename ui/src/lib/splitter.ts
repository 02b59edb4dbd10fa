// Why: the arithmetic of the splitter between the chat and the side column, apart from the pointer
// and the DOM so it is tested: the side column's width is what is stored (the chat takes the rest, so a
// wider window widens the chat), always clamped so that both columns keep their minimum at the current
// width; the keys follow the ARIA window-splitter pattern, where the separator's value is the primary
// pane's (the chat's) width.
import { forgetItem, storeItem, storedItem } from './storage';

export interface SplitLimits {
  /** Narrowest chat column (the filter bar wraps, lines stay readable). */
  minChat: number;
  /** Narrowest side column (its tab strip and forms still fit). */
  minSide: number;
  /** The splitter's own width between the columns. */
  gutter: number;
  /** The side column's width until the anchor drags it, and after a double-click. */
  defaultSide: number;
  /** One arrow key press. */
  step: number;
  /** One arrow key press with Shift, or Page Up/Down. */
  bigStep: number;
}

export const SPLIT: SplitLimits = {
  minChat: 360,
  minSide: 380,
  gutter: 10,
  defaultSide: 400,
  step: 16,
  bigStep: 80,
};

export const SIDE_WIDTH_KEY = 'anchordesk.sideWidth';

/** The widest the side column may be when the two columns share `container` px. */
export function maxSide(container: number, limits: SplitLimits = SPLIT): number {
  return Math.max(limits.minSide, Math.floor(container - limits.gutter - limits.minChat));
}

/** `side` within the limits at this container width (a container too narrow for both minimums gives the side its minimum). */
export function clampSide(side: number, container: number, limits: SplitLimits = SPLIT): number {
  const value = Number.isFinite(side) ? Math.round(side) : limits.defaultSide;
  return Math.min(Math.max(value, limits.minSide), maxSide(container, limits));
}

/** The chat column's width next to a side column of `side` px. */
export function chatWidth(side: number, container: number, limits: SplitLimits = SPLIT): number {
  return Math.max(0, Math.round(container - limits.gutter - side));
}

/** The side width after dragging the splitter `dx` px to the right from where it was at `startSide`. */
export function sideAfterDrag(startSide: number, dx: number, container: number, limits: SplitLimits = SPLIT): number {
  return clampSide(startSide - dx, container, limits);
}

/**
 * The side width after a key on the separator, or null when the key is not the splitter's. Left moves
 * the splitter left (a narrower chat, a wider side column); Home gives the chat its minimum, End its
 * maximum.
 */
export function sideAfterKey(
  key: string,
  shift: boolean,
  side: number,
  container: number,
  limits: SplitLimits = SPLIT,
): number | null {
  const step = shift ? limits.bigStep : limits.step;
  switch (key) {
    case 'ArrowLeft':
      return clampSide(side + step, container, limits);
    case 'ArrowRight':
      return clampSide(side - step, container, limits);
    case 'PageUp':
      return clampSide(side + limits.bigStep, container, limits);
    case 'PageDown':
      return clampSide(side - limits.bigStep, container, limits);
    case 'Home':
      return maxSide(container, limits);
    case 'End':
      return limits.minSide;
    default:
      return null;
  }
}

/** The stored side width, or null when none (or nonsense) is stored or storage is unavailable. */
export function loadSide(storage: Pick<Storage, 'getItem'> | null | undefined): number | null {
  const raw = storedItem(storage, SIDE_WIDTH_KEY);
  if (raw === null) return null;
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? Math.round(n) : null;
}

/** Remembers the side width; `null` forgets it (back to the default). Storage failures are ignored. */
export function saveSide(storage: Pick<Storage, 'setItem' | 'removeItem'> | null | undefined, side: number | null): void {
  if (side === null) forgetItem(storage, SIDE_WIDTH_KEY);
  else storeItem(storage, SIDE_WIDTH_KEY, String(Math.round(side)));
}
