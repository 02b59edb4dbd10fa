// Why: the few time rules the UI needs (clock times, mute remaining time, "permanent" mutes) as pure
// functions, so they read the same in every panel and can be tested without a DOM.

/** Mute seconds meaning "permanent" (u32::MAX, as the Rust side reads it). */
export const PERMANENT_MUTE_SECONDS = 4294967295;

/** The mute durations offered on the user card, in seconds. */
export const MUTE_DURATIONS = [10, 60, 600, 3600, 86400, PERMANENT_MUTE_SECONDS] as const;
export type MuteDuration = (typeof MUTE_DURATIONS)[number];

/** The duration select's extra choice: muted until the stream ends (the room lifts it then). */
export const END_OF_STREAM = 'eos';
export type MuteChoice = MuteDuration | typeof END_OF_STREAM;

/**
 * Seconds sent with an until-end-of-stream mute. The room replaces them with its own bound, but 0
 * would read as "no duration", so send a day (the room's default bound).
 */
export const END_OF_STREAM_MUTE_SECONDS = 86400;

/** The ban durations offered on the user card: 1 h, 24 h, 7 d, 30 d. */
export const BAN_DURATIONS = [3600, 86400, 604800, 2592000] as const;
export type BanDuration = (typeof BAN_DURATIONS)[number];

const TEN_YEARS_SECONDS = 10 * 365 * 24 * 3600;

/** A mute ending `untilSec` (unix seconds) reads as permanent when it is ≥ 10 years away. */
export function isPermanentMute(untilSec: number, nowMs: number): boolean {
  return untilSec - Math.floor(nowMs / 1000) >= TEN_YEARS_SECONDS;
}

/** Whether a mute ending at `untilSec` is still running at `nowMs`. */
export function isMuteActive(untilSec: number, nowMs: number): boolean {
  return untilSec * 1000 > nowMs;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Local wall-clock time `HH:MM:SS` of a unix-ms instant. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Remaining time as `M:SS` or `H:MM:SS` (hours not wrapped at 24), never negative. */
export function formatRemaining(untilSec: number, nowMs: number): string {
  const total = Math.max(0, Math.ceil(untilSec - nowMs / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s)}` : `${m}:${pad2(s)}`;
}

export type DurationUnit = 'days' | 'hours' | 'minutes' | 'seconds';

/**
 * A duration as its two largest non-zero units (`[{days: 7}]`, `[{hours: 1}, {minutes: 30}]`), for
 * the audit log; `null` for a permanent mute (u32::MAX seconds).
 */
export function splitDuration(seconds: number): Array<{ unit: DurationUnit; n: number }> | null {
  if (seconds >= PERMANENT_MUTE_SECONDS) return null;
  const s = Math.max(0, Math.floor(seconds));
  const all: Array<{ unit: DurationUnit; n: number }> = [
    { unit: 'days', n: Math.floor(s / 86400) },
    { unit: 'hours', n: Math.floor((s % 86400) / 3600) },
    { unit: 'minutes', n: Math.floor((s % 3600) / 60) },
    { unit: 'seconds', n: s % 60 },
  ];
  const first = all.findIndex((p) => p.n > 0);
  if (first < 0) return [{ unit: 'seconds', n: 0 }];
  return all.slice(first, first + 2).filter((p) => p.n > 0);
}

/** `HH:MM:SS` for an instant on the same local day as `nowMs`, else `YYYY-MM-DD HH:MM`. */
export function formatStamp(ms: number, nowMs: number): string {
  const d = new Date(ms);
  const now = new Date(nowMs);
  const sameDay =
    d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  if (sameDay) return formatClock(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** A compact local timestamp for file names: `YYYYMMDD-HHMMSS`. */
export function fileStamp(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}${pad2(d.getMonth() + 1)}${pad2(d.getDate())}-` +
    `${pad2(d.getHours())}${pad2(d.getMinutes())}${pad2(d.getSeconds())}`
  );
}
