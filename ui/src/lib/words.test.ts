// Why: the fake's word filter and list format stand in for Rust's in the preview and the tests, so
// they must read, write and match the way `room::words` does (its own test cases, mirrored).
import { describe, expect, it } from 'vitest';
import type { WordAction, WordRule } from './bindings';
import { checkWords, formatWordList, normalizeWords, parseWordList } from './words';

const rule = (pattern: string, action: WordAction): WordRule => ({ pattern, action });

describe('word list format', () => {
  it('reads rules, defaulting to refuse, skipping blanks and comments; round-trips', () => {
    const rules = parseWordList('# house rules\nspam\nfree coins\thold\n\nbad word\tdrop\r\n  \n');
    expect(rules).toEqual([rule('spam', 'refuse'), rule('free coins', 'hold'), rule('bad word', 'drop')]);
    expect(parseWordList(formatWordList(rules))).toEqual(rules);
    expect(formatWordList(rules)).toBe('spam\trefuse\nfree coins\thold\nbad word\tdrop\n');
    expect(parseWordList('  padded  \t REFUSE ')).toEqual([rule('padded', 'refuse')]);
    expect(parseWordList('')).toEqual([]);
  });

  it('names the bad line', () => {
    expect(() => parseWordList('ok\nx\tbanish\n')).toThrow(
      'line 2: "banish" is not an action; use deliver, hold, drop or refuse',
    );
  });
});

describe('word filter', () => {
  it('sees through case, width and spacing tricks', () => {
    const rules = [rule('spam', 'refuse'), rule('バカ', 'hold')];
    for (const text of ['SPAM', 's p a m', 's.p.a.m!', 'ＳＰＡＭ', 'S-P-A-M', 's\u200Bpam', 'buy spam now', 'spam!!']) {
      expect(checkWords(rules, text)?.action, text).toBe('refuse');
    }
    expect(checkWords(rules, 'grapes pamphlet')).toBeNull();
    expect(checkWords(rules, 'ﾊﾞｶ')?.action).toBe('hold');
    expect(normalizeWords('  Ｈｅｌｌｏ\u200B  W o r l d ')).toBe('hello world');
  });

  it('lets the strictest matching rule win', () => {
    const rules = [rule('free', 'deliver'), rule('free coins', 'hold'), rule('coins', 'drop'), rule('scam', 'refuse')];
    expect(checkWords(rules, 'free')?.action).toBe('deliver');
    expect(checkWords(rules, 'free coins')?.action).toBe('drop');
    expect(checkWords(rules, 'free coins scam')?.action).toBe('refuse');
  });

  it('matches CJK patterns inside sentences', () => {
    const rules = [rule('加微信', 'refuse'), rule('시발', 'drop')];
    expect(checkWords(rules, '想要福利的加 微 信')?.pattern).toBe('加微信');
    expect(checkWords(rules, '아 시 발')?.action).toBe('drop');
  });
});
