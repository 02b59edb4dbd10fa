// Why: the Room tab refuses a keyword or a winner count before asking only if it refuses exactly what
// the room refuses (Rust: `Lottery::open` folds the keyword like the word filter and counts
// characters, not bytes); the fake's draw must be fair and replay from its seed; and the panel's
// "open for" and history are derived from audit lines, so those derivations must pick the right ones.
import { describe, expect, it } from 'vitest';
import type { AuditLine, LotteryLine } from './bindings';
import {
  KEYWORD_MAX_CHARS,
  WINNERS_MAX,
  carriesKeyword,
  charCount,
  drawWinners,
  keywordProblem,
  lotteryHistory,
  openSince,
  parseWinners,
} from './lottery';

function line(id: number, over: Partial<AuditLine> = {}): AuditLine {
  return { id, at: id * 1000, actor: 'anchor', action: 'lottery', target: 'room', detail: '', reason: '', duration: null, undoneBy: null, ...over };
}

describe('lottery keyword', () => {
  it('takes 1 to 32 characters, counted as Rust counts chars (an emoji is one, a CJK character is one)', () => {
    expect(KEYWORD_MAX_CHARS).toBe(32);
    expect(charCount('抽奖🎁')).toBe(3);
    expect(keywordProblem('888')).toBeNull();
    expect(keywordProblem('抽'.repeat(32))).toBeNull(); // 96 bytes, still 32 characters
    expect(keywordProblem('🎁'.repeat(32))).toBeNull(); // 64 UTF-16 units, 32 characters
    expect(keywordProblem('抽'.repeat(33))).toBe('long');
  });

  it('refuses a keyword that folds to nothing: empty, only spaces, only separators or invisible characters', () => {
    for (const k of ['', '   ', '...', ' - _ ', '\u200b\u200b']) expect(keywordProblem(k), JSON.stringify(k)).toBe('empty');
  });

  it('counts length before trimming, as the room does (33 characters with spaces is too long)', () => {
    expect(keywordProblem(` ${'a'.repeat(31)} `)).toBe('long');
    expect(keywordProblem(` ${'a'.repeat(30)} `)).toBeNull();
  });

  it('matches messages as the word filter folds them: case, full width and spacing', () => {
    expect(carriesKeyword('I want the GIFT!!', 'gift')).toBe(true);
    expect(carriesKeyword('８８８', '888')).toBe(true);
    expect(carriesKeyword('抽 奖 来了', '抽奖')).toBe(true);
    expect(carriesKeyword('hello', '888')).toBe(false);
    expect(carriesKeyword('anything', '...')).toBe(false); // a keyword of nothing enters no one
  });
});

describe('winner count', () => {
  it('is a whole number from 1 to the command’s u32 maximum', () => {
    expect(parseWinners('1')).toBe(1);
    expect(parseWinners(' 12 ')).toBe(12);
    expect(parseWinners(String(WINNERS_MAX))).toBe(WINNERS_MAX);
    for (const bad of ['', '0', '-1', '1.5', '1e3', 'ten', String(WINNERS_MAX + 1)]) {
      expect(parseWinners(bad), bad).toBeNull();
    }
  });
});

describe('the draw', () => {
  const entrants = Array.from({ length: 50 }, (_, i) => `user${i}`);

  it('replays from its seed whatever order people entered in, and another seed draws others', () => {
    const reversed = [...entrants].reverse();
    expect(drawWinners(entrants, 3, 42)).toEqual(drawWinners(reversed, 3, 42));
    expect(drawWinners(entrants, 3, 42)).not.toEqual(drawWinners(entrants, 3, 43));
    // Seeds beyond 32 bits still matter (both halves are used).
    expect(drawWinners(entrants, 3, 2 ** 40)).not.toEqual(drawWinners(entrants, 3, 2 ** 41));
  });

  it('draws distinct entrants, never more than there are', () => {
    const winners = drawWinners([...entrants, 'user1', 'user1'], 10, 7);
    expect(new Set(winners).size).toBe(10);
    for (const w of winners) expect(entrants).toContain(w);
    expect(drawWinners(['a', 'b'], 5, 1).sort()).toEqual(['a', 'b']);
    expect(drawWinners([], 3, 1)).toEqual([]);
  });

  it('gives every entrant a fair chance (each of 4 wins a one-winner draw about a quarter of the time)', () => {
    const wins = new Map<string, number>();
    for (let seed = 0; seed < 4000; seed++) {
      const [w] = drawWinners(['a', 'b', 'c', 'd'], 1, seed);
      wins.set(w, (wins.get(w) ?? 0) + 1);
    }
    for (const name of ['a', 'b', 'c', 'd']) expect(wins.get(name)).toBeGreaterThan(850);
  });
});

describe('derived from the audit trail', () => {
  const open: LotteryLine = { keyword: '888', open: true, entrants: 3, winners: [], seed: null };

  it('an open lottery runs since its latest lottery line (the opening); closed or none: no time', () => {
    const audit = [line(1, { at: 100 }), line(2, { action: 'mute', at: 200 }), line(3, { at: 300 }), line(4, { action: 'kick', at: 400 })];
    expect(openSince(open, audit)).toBe(300);
    expect(openSince({ ...open, open: false }, audit)).toBeNull();
    expect(openSince(null, audit)).toBeNull();
    expect(openSince(open, [line(5, { action: 'mute' })])).toBeNull(); // the opening line is no longer kept
  });

  it('history merges the log’s lines with the live ones, lottery lines only, newest first, once each', () => {
    const found = [line(3), line(1)];
    const live = [line(2, { action: 'broadcast' }), line(3, { detail: 'updated' }), line(4)];
    expect(lotteryHistory(found, live, 10).map((l) => l.id)).toEqual([4, 3, 1]);
    expect(lotteryHistory(found, live, 10)[1].detail).toBe('updated');
    expect(lotteryHistory(found, live, 2).map((l) => l.id)).toEqual([4, 3]);
    expect(lotteryHistory([], [], 10)).toEqual([]);
  });
});
