// Why: big-gift alerts without a DOM. A gift is "big" by its value (count × unit price, in coins) when
// it has a price, else by its count; a click streak reaches the console as several merged lines (one
// per 20 clicks, Rust: `room::gifts`), so lines of the same gift from the same viewer that follow each
// other closely add up to one combo, and the combo's total is what counts. Each combo alerts once:
// while its alert is showing or waiting, later lines update its count instead of adding another. Alerts
// show one at a time, each for a few seconds (less while others wait), queued in arrival order and
// bounded, so a storm of gifts cannot bury the anchor. Only live gifts are offered here (the room
// leaves out what a snapshot brings: see `Room.onLiveGift`). The anchor's choices (on/off, thresholds,
// sound) persist in localStorage; a junk or missing entry falls back to the defaults.
import type { GiftLine } from './bindings';
import type { MessageKey } from './i18n';
import { storeItem } from './storage';

export interface AlertPrefs {
  /** Alerts on or off. */
  enabled: boolean;
  /** A priced gift (or combo) is big from this many coins. */
  minValue: number;
  /** A gift without a price (unit price 0) is big from this many gifts. */
  minCount: number;
  /** A chime when an alert shows. */
  sound: boolean;
}

/**
 * 520 coins (it sounds like "I love you" in Chinese: a classic big gift) and 99 unpriced gifts; the
 * chime starts off, since OBS capturing desktop audio would put it on the stream.
 */
export const DEFAULT_ALERT_PREFS: Readonly<AlertPrefs> = { enabled: true, minValue: 520, minCount: 99, sound: false };

export const ALERT_PREFS_KEY = 'anchordesk.giftAlerts';
/** The highest threshold accepted (far above any gift; keeps the field's number exact). */
export const THRESHOLD_MAX = 1_000_000_000;

/**
 * Lines of one combo follow each other within this: a streak's clicks are at most 1 s apart and merged
 * 20 to a line (Rust: `STREAK_GAP`, `STREAK_BATCH`), so its lines can be up to 20 s apart.
 */
export const COMBO_GAP_MS = 21_000;
/** How long an alert shows when nothing waits behind it, and when others wait. */
export const SHOW_MS = 6_000;
export const SHOW_BUSY_MS = 3_000;
/** After the pointer leaves (or focus moves on), an alert stays this much longer. */
export const RESUME_MS = 2_000;
/** Alerts waiting at most; beyond, the oldest waiting one goes (the gift feed still lists it). */
export const MAX_WAITING = 10;

function isThreshold(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= THRESHOLD_MAX;
}

/** The stored choices, each field checked; anything unreadable falls back to its default. */
export function readAlertPrefs(storage: Pick<Storage, 'getItem'> | null | undefined): AlertPrefs {
  let raw: unknown = null;
  try {
    raw = JSON.parse(storage?.getItem(ALERT_PREFS_KEY) ?? 'null');
  } catch {
    raw = null; // unreadable: the defaults
  }
  const r = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const d = DEFAULT_ALERT_PREFS;
  return {
    enabled: typeof r.enabled === 'boolean' ? r.enabled : d.enabled,
    minValue: isThreshold(r.minValue) ? r.minValue : d.minValue,
    minCount: isThreshold(r.minCount) ? r.minCount : d.minCount,
    sound: typeof r.sound === 'boolean' ? r.sound : d.sound,
  };
}

export function writeAlertPrefs(storage: Pick<Storage, 'setItem'> | null | undefined, prefs: AlertPrefs): void {
  storeItem(storage, ALERT_PREFS_KEY, JSON.stringify(prefs));
}

/** A threshold as typed: the number, or the message key saying what to fix. */
export function parseThreshold(text: string): { value: number } | { problem: MessageKey } {
  const t = text.trim().replace(/[,_\s]/g, '');
  if (!/^\d+$/.test(t) || !isThreshold(Number(t))) return { problem: 'giftAlert.problem' };
  return { value: Number(t) };
}

/** Whether `count` gifts at `unitPrice` each are big: by value when priced, else by count. */
export function isBig(prefs: AlertPrefs, count: number, unitPrice: number): boolean {
  return unitPrice > 0 ? count * unitPrice >= prefs.minValue : count >= prefs.minCount;
}

export interface GiftAlert {
  /** Stable while the alert lives (its combo's first line id). */
  key: string;
  userId: string;
  giftId: string;
  giftName: string;
  /** Gifts in the combo so far. */
  count: number;
  /** Coins in the combo so far (0 for an unpriced gift). */
  value: number;
  /** When the combo's latest line arrived (unix ms). */
  at: number;
}

interface Combo {
  key: string;
  count: number;
  value: number;
  last: number;
  /** Its alert was made (showing, waiting or gone): a combo alerts once. */
  alerted: boolean;
}

export interface Timers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface GiftAlertsOptions {
  /** The anchor's current choices (read on every gift, so a change applies at once). */
  prefs: () => AlertPrefs;
  /** Called when an alert starts showing (to play the chime when the anchor wants one). */
  onShow?: (alert: GiftAlert) => void;
  /** Called whenever `current` or `waiting` changed. */
  onChange?: () => void;
  timers?: Timers;
}

/** The queue of big-gift alerts: one showing (`current`), the rest waiting in arrival order. */
export class GiftAlerts {
  #current: GiftAlert | null = null;
  #waiting: GiftAlert[] = [];
  readonly #combos = new Map<string, Combo>();
  readonly #options: GiftAlertsOptions;
  readonly #timers: Timers;
  #timer: unknown = null;
  #paused = false;

  constructor(options: GiftAlertsOptions) {
    this.#options = options;
    this.#timers = options.timers ?? realTimers;
  }

  get current(): GiftAlert | null {
    return this.#current;
  }

  /** How many alerts wait behind the one showing. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * A live gift line: counted into its combo; when the combo is (now) big, alerts — or updates the
   * combo's alert still showing or waiting. Returns that alert, or null.
   */
  offer(line: GiftLine): GiftAlert | null {
    const combo = this.#combo(line);
    const prefs = this.#options.prefs();
    if (!prefs.enabled || !isBig(prefs, combo.count, line.unitPrice)) return null;
    const alert: GiftAlert = {
      key: combo.key,
      userId: line.userId,
      giftId: line.giftId,
      giftName: line.giftName,
      count: combo.count,
      value: combo.value,
      at: line.at,
    };
    if (combo.alerted) {
      if (this.#current?.key === alert.key) this.#current = alert;
      else {
        const i = this.#waiting.findIndex((a) => a.key === alert.key);
        if (i < 0) return null; // its alert came and went: the anchor has seen this combo
        this.#waiting = this.#waiting.map((a, j) => (j === i ? alert : a));
      }
      this.#changed();
      return alert;
    }
    combo.alerted = true;
    if (this.#current === null) this.#show(alert);
    else {
      this.#waiting = [...this.#waiting, alert].slice(-MAX_WAITING);
      this.#changed();
    }
    return alert;
  }

  /** Closes the alert showing; the next one waiting shows. */
  dismiss(): void {
    this.#stopTimer();
    const next = this.#waiting[0] ?? null;
    this.#waiting = this.#waiting.slice(1);
    if (next) this.#show(next);
    else {
      this.#current = null;
      this.#changed();
    }
  }

  /** The pointer is over the alert (or focus is in it): it stays until `resume`. */
  pause(): void {
    this.#paused = true;
    this.#stopTimer();
  }

  /** The pointer left: the alert stays a little longer, then goes. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#current) this.#startTimer(RESUME_MS);
  }

  /** Drops every alert (the window closes). */
  clear(): void {
    this.#stopTimer();
    this.#current = null;
    this.#waiting = [];
    this.#combos.clear();
    this.#changed();
  }

  #combo(line: GiftLine): Combo {
    // Combos that ended long ago are forgotten, so the map holds only recent senders. The map is kept
    // in order of each combo's latest line (moved to the end when it grows), so the ended ones are at
    // its start: a busy room's hundreds of senders are not all looked at for every gift.
    for (const [k, c] of this.#combos) {
      if (line.at - c.last <= COMBO_GAP_MS) break;
      this.#combos.delete(k);
    }
    const id = `${line.userId}\u0000${line.giftId}`;
    let combo = this.#combos.get(id);
    if (!combo || line.at - combo.last > COMBO_GAP_MS) {
      combo = { key: line.id, count: 0, value: 0, last: line.at, alerted: false };
    }
    this.#combos.delete(id);
    this.#combos.set(id, combo);
    combo.count += line.count;
    combo.value += line.count * line.unitPrice;
    combo.last = Math.max(combo.last, line.at);
    return combo;
  }

  #show(alert: GiftAlert): void {
    this.#current = alert;
    this.#options.onShow?.(alert);
    if (!this.#paused) this.#startTimer(this.#waiting.length > 0 ? SHOW_BUSY_MS : SHOW_MS);
    this.#changed();
  }

  #startTimer(ms: number): void {
    this.#stopTimer();
    this.#timer = this.#timers.set(() => {
      this.#timer = null;
      this.dismiss();
    }, ms);
  }

  #stopTimer(): void {
    if (this.#timer !== null) this.#timers.clear(this.#timer);
    this.#timer = null;
  }

  #changed(): void {
    this.#options.onChange?.();
  }
}
