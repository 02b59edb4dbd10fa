// Why: the keyword lottery's rules as the room applies them (Rust: `room::lottery` and the actor's
// lottery commands), in one place: the Room tab checks a keyword and a winner count before asking,
// and the fake backend refuses, enters and draws the way the room does. It also derives what the
// wire does not carry as such: since when the open lottery has run (from its audit line) and the
// lottery's history (its audit lines). It leaves out the room's ChaCha8 shuffle: the fake's draw is
// reproducible from its seed, but picks other winners than Rust would for the same seed.
import type { AuditLine, LotteryLine } from './bindings';
import { mulberry32 } from './prng';
import { normalizeWords } from './words';

/** The longest keyword, in characters (Rust: `Lottery::open`, `chars().count()`). */
export const KEYWORD_MAX_CHARS = 32;
/** The most winners a draw asks for (the command's `u32`). */
export const WINNERS_MAX = 4_294_967_295;
/** The winner count the Room tab suggests. */
export const DEFAULT_WINNERS = 1;

/** The room's words for a keyword it refuses (Rust: `Lottery::open`). */
export const KEYWORD_RULE = `a lottery keyword is 1 to ${KEYWORD_MAX_CHARS} characters of text`;
/** The room's refusals, word for word (Rust: the actor's lottery commands). */
export const LOTTERY_OPEN_ALREADY = 'a lottery is open already; close or draw it first';
export const LOTTERY_NONE_OPEN = 'no lottery is open';
export const LOTTERY_NONE = 'open a lottery first';

/** Characters as Rust counts them (Unicode scalar values, not UTF-16 units). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Why the room would refuse `keyword`, or null: `empty` when nothing is left once case, width,
 * spacing and invisible characters are folded (a keyword of only spaces or dots matches nothing),
 * `long` over 32 characters (counted before trimming, as Rust does).
 */
export function keywordProblem(keyword: string): 'empty' | 'long' | null {
  if (normalizeWords(keyword) === '') return 'empty';
  if (charCount(keyword) > KEYWORD_MAX_CHARS) return 'long';
  return null;
}

/** Whether a viewer's delivered `text` enters the draw for `keyword` (Rust: `Lottery::offer`). */
export function carriesKeyword(text: string, keyword: string): boolean {
  const folded = normalizeWords(keyword);
  return folded !== '' && normalizeWords(text).includes(folded);
}

/** The winner count typed into the Room tab: a whole number from 1 to `WINNERS_MAX`, else null. */
export function parseWinners(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const n = Number(trimmed);
  return n >= 1 && n <= WINNERS_MAX ? n : null;
}

/**
 * The draw: the entrants sorted and without repeats, shuffled by a generator seeded with `seed`,
 * the first `n` (Rust: `draw_winners`, there with ChaCha8). The same seed and entrants give the same
 * winners whatever order they entered in.
 */
export function drawWinners(entrants: Iterable<string>, n: number, seed: number): string[] {
  const pool = [...new Set(entrants)].sort();
  // Both halves of the seed count (it may be up to 2^53), folded into the 32 bits mulberry32 takes.
  const random = mulberry32((seed % 4_294_967_296) ^ Math.floor(seed / 4_294_967_296));
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, Math.max(0, n));
}

/**
 * Since when (unix ms) the open lottery has run: its opening audit line, which is the room's latest
 * lottery line while it is open (closing or drawing would come after it and end it). Null when no
 * lottery is open or the line is no longer among those kept.
 */
export function openSince(lottery: LotteryLine | null, audit: readonly AuditLine[]): number | null {
  if (!lottery?.open) return null;
  for (let i = audit.length - 1; i >= 0; i--) {
    if (audit[i].action === 'lottery') return audit[i].at;
  }
  return null;
}

/**
 * The lottery's history, newest first, at most `limit` lines: the lines the room's log gave (`found`,
 * any order) together with those that came live since (`live`, the room's recent audit lines), once
 * each.
 */
export function lotteryHistory(found: readonly AuditLine[], live: readonly AuditLine[], limit: number): AuditLine[] {
  const byId = new Map<number, AuditLine>();
  for (const line of found) byId.set(line.id, line);
  for (const line of live) if (line.action === 'lottery') byId.set(line.id, line);
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, limit);
}
