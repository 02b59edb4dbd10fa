// Why: the few time rules the UI needs (clock times, mute remaining time, "permanent" mutes, durations
// the anchor types) as pure functions, so they read the same in every panel and can be tested without
// a DOM.

/** Mute seconds meaning "permanent" (u32::MAX, as the Rust side reads it). */
export const PERMANENT_MUTE_SECONDS = 4294967295;

/** The mute durations offered on the user card, in seconds. */
export const MUTE_DURATIONS = [10, 60, 600, 3600, 86400, PERMANENT_MUTE_SECONDS] as const;
export type MuteDuration = (typeof MUTE_DURATIONS)[number];

/**
 * The user card's one-click mutes (keys 1–4), from the durations above: a moment to cool off, a
 * warning that stings, the rest of a typical stream, a day.
 */
export const MUTE_PRESETS = [60, 600, 3600, 86400] as const satisfies readonly MuteDuration[];

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

/** Why a typed duration was refused. */
export type DurationProblem = 'empty' | 'format' | 'zero' | 'tooLong';

export type ParsedDuration = { seconds: number } | { problem: DurationProblem };

/** Units a typed duration may use: Latin letters, and the words Chinese, Korean and Japanese use. */
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  秒: 1,
  초: 1,
  m: 60,
  min: 60,
  分钟: 60,
  分鐘: 60,
  分: 60,
  분: 60,
  h: 3600,
  hr: 3600,
  小时: 3600,
  小時: 3600,
  個小時: 3600,
  个小时: 3600,
  時間: 3600,
  시간: 3600,
  d: 86400,
  天: 86400,
  日: 86400,
  일: 86400,
};

/** One amount and its unit, longest unit names first so `min` is not read as `m` + `in`. */
const DURATION_PART = new RegExp(
  `(\\d+(?:\\.\\d+)?)\\s*(${Object.keys(UNIT_SECONDS)
    .sort((a, b) => b.length - a.length)
    .join('|')})`,
  'y',
);

/**
 * A duration as the anchor types it: whole seconds (`90`), or amounts with units s, m (min), h, d —
 * or 秒/分钟/小时/天, 초/분/시간/일, 秒/分/時間/日 — largest first or not, spaces allowed (`10m`, `1h`,
 * `24h`, `7d`, `1h 30m`, `1.5h`, `10分钟`). It must come to at least 1 second and at most u32::MAX (the
 * wire's limit).
 */
export function parseDuration(text: string): ParsedDuration {
  const s = text.trim().toLowerCase();
  if (s === '') return { problem: 'empty' };
  let total: number;
  if (/^\d+$/.test(s)) {
    total = Number(s);
  } else {
    const part = DURATION_PART;
    total = 0;
    let at = 0;
    while (at < s.length) {
      part.lastIndex = at;
      const m = part.exec(s);
      if (!m) return { problem: 'format' };
      total += Number(m[1]) * UNIT_SECONDS[m[2]];
      at = part.lastIndex;
      while (s[at] === ' ') at++;
    }
    total = Math.round(total);
  }
  if (total < 1) return { problem: 'zero' };
  if (total > PERMANENT_MUTE_SECONDS) return { problem: 'tooLong' };
  return { seconds: total };
}

/** Seconds in the typed form `parseDuration` reads back: `10m`, `1h30m`, `7d`, `45s`. */
export function formatDurationInput(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const parts: Array<[number, string]> = [
    [Math.floor(s / 86400), 'd'],
    [Math.floor((s % 86400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ];
  const text = parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join('');
  return text || '0s';
}
