// Why: Tencent counts the notice and introduction in UTF-8 bytes (a CJK character is 3, an emoji 4),
// and the room refuses longer text with a message; the UI's counter and the fake must agree with it.
import { describe, expect, it } from 'vitest';
import { INTRODUCTION_MAX_BYTES, NOTE_MAX_BYTES, NOTICE_MAX_BYTES, noteProblem, noticeProblem, utf8Bytes } from './limits';

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
