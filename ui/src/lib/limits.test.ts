// Why: Tencent counts the notice and introduction in UTF-8 bytes (a CJK character is 3, an emoji 4),
// and the room refuses longer text (and a broadcast of nothing) with a message; the UI's counter and
// the fake must agree with it.
import { describe, expect, it } from 'vitest';
import {
  BROADCAST_MAX_BYTES,
  BROADCAST_RULE,
  INTRODUCTION_MAX_BYTES,
  NOTE_MAX_BYTES,
  NOTICE_MAX_BYTES,
  broadcastProblem,
  noteProblem,
  noticeProblem,
  utf8Bytes,
} from './limits';

describe('byte limits', () => {
  it('counts UTF-8 bytes, not characters', () => {
    expect(utf8Bytes('')).toBe(0);
    expect(utf8Bytes('abc')).toBe(3);
    expect(utf8Bytes('公')).toBe(3);
    expect(utf8Bytes('안녕')).toBe(6);
    expect(utf8Bytes('こんばんは')).toBe(15);
    expect(utf8Bytes('é')).toBe(2);
    expect(utf8Bytes('🎤')).toBe(4);
    expect([NOTICE_MAX_BYTES, INTRODUCTION_MAX_BYTES, NOTE_MAX_BYTES]).toEqual([300, 240, 2000]);
  });

  it('refuses a notice over 300 bytes and an introduction over 240, in the room’s words', () => {
    expect(noticeProblem('公'.repeat(100), '公'.repeat(80))).toBeNull();
    expect(noticeProblem('公'.repeat(101), null)).toBe(
      'the notice is 303 bytes; Tencent allows 300 (a Chinese, Japanese or Korean character counts 3)',
    );
    expect(noticeProblem(undefined, '公'.repeat(81))).toBe(
      'the introduction is 243 bytes; Tencent allows 240 (a Chinese, Japanese or Korean character counts 3)',
    );
    expect(noticeProblem(null, undefined)).toBeNull(); // absent fields are kept, not checked
  });

  it('refuses a note over 2000 bytes', () => {
    expect(noteProblem('x'.repeat(2000))).toBeNull();
    expect(noteProblem('公'.repeat(667))).toBe('a note holds at most 2000 bytes; this one is 2001');
  });
});

describe('broadcast limit', () => {
  it('takes 1 to 4000 UTF-8 bytes of text that is not only white space, as the room does', () => {
    expect(BROADCAST_MAX_BYTES).toBe(4000);
    expect(broadcastProblem('Stream starts at 9 pm')).toBeNull();
    expect(broadcastProblem('x'.repeat(4000))).toBeNull();
    expect(broadcastProblem('x'.repeat(4001))).toBe('long');
    // A CJK character is 3 bytes: 1333 fit (3999 bytes), 1334 do not (4002).
    expect(broadcastProblem('公'.repeat(1333))).toBeNull();
    expect(broadcastProblem('公'.repeat(1334))).toBe('long');
    expect(BROADCAST_RULE).toBe('a broadcast is 1 to 4000 bytes of text');
  });

  it('refuses white space alone — Unicode White_Space, as Rust’s trim — but not other invisible characters', () => {
    for (const blank of ['', ' ', '\n\t', '\u3000', '\u00a0\u2003']) expect(broadcastProblem(blank), JSON.stringify(blank)).toBe('empty');
    expect(broadcastProblem('\ufeff')).toBeNull(); // not White_Space: Rust's trim keeps it, so the room sends it
    expect(broadcastProblem('  hi  ')).toBeNull();
  });
});
