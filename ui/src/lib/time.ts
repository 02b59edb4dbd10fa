// Why: the few time rules the UI needs (clock times, mute remaining time, "permanent" mutes) as pure
// functions, so they read the same in every panel and can be tested without a DOM.

/** `room_mute` seconds meaning "permanent" (u32::MAX, as the Rust side reads it). */
export const PERMANENT_MUTE_SECONDS = 4294967295;

/** The mute durations offered on the user card, in seconds. */
export const MUTE_DURATIONS = [10, 60, 600, 3600, 86400, PERMANENT_MUTE_SECONDS] as const;
export type MuteDuration = (typeof MUTE_DURATIONS)[number];

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
