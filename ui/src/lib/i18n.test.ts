// Why: every UI string must exist in all four languages with the same placeholders, and the
// language must be picked sensibly from the browser.
import { describe, expect, it } from 'vitest';
import {
  CATALOGUES,
  LANGS,
  LANG_STORAGE_KEY,
  detectLanguage,
  initialLanguage,
  placeholders,
  translate,
  translateDuration,
  translateParts,
  type MessageKey,
} from './i18n';

const keys = Object.keys(CATALOGUES.en) as MessageKey[];

describe('catalogue', () => {
  it('has four languages', () => {
    expect(Object.keys(CATALOGUES).sort()).toEqual([...LANGS].sort());
  });

  for (const lang of LANGS) {
    it(`${lang}: has every key, non-empty, with the English placeholders, and nothing extra`, () => {
      const cat = CATALOGUES[lang] as Record<string, string>;
      for (const key of keys) {
        expect(cat[key], `${lang} misses ${key}`).toBeTypeOf('string');
        expect(cat[key].trim(), `${lang}.${key} is empty`).not.toBe('');
        expect(placeholders(cat[key]).sort(), `${lang}.${key} placeholders`).toEqual(
          placeholders(CATALOGUES.en[key]).sort(),
        );
      }
      expect(Object.keys(cat).sort()).toEqual([...keys].sort());
    });
  }

  it('is actually translated (not English copied over) for most keys', () => {
    for (const lang of ['zh', 'ko', 'ja'] as const) {
      const same = keys.filter((k) => CATALOGUES[lang][k] === CATALOGUES.en[k]);
      expect(same.length, `${lang}: ${same.join(', ')}`).toBeLessThan(5);
    }
  });
});

describe('translate', () => {
  it('interpolates placeholders', () => {
    expect(translate('en', 'chat.newMessages', { count: 12 })).toBe('12 new');
    expect(translate('zh', 'chat.newMessages', { count: 3 })).toBe('3 条新消息');
    expect(translate('ko', 'members.remaining', { time: '1:00' })).toBe('1:00 남음');
  });

  it('says one of a thing in the singular in English, by the count or by n beside a formatted figure', () => {
    expect(translate('en', 'gifts.coins', { amount: '1', n: 1 })).toBe('1 coin');
    expect(translate('en', 'gifts.coins', { amount: '1,314', n: 1314 })).toBe('1,314 coins');
    expect(translate('en', 'gifts.coins', { amount: '0', n: 0 })).toBe('0 coins');
    expect(translate('en', 'words.count', { count: 1 })).toBe('1 rule in force');
    expect(translate('en', 'words.count', { count: 2 })).toBe('2 rules in force');
    expect(translateParts('en', 'chat.likes', [], { count: '1', n: 1 })).toEqual([{ text: '1 like' }]);
    expect(translate('zh', 'gifts.coins', { amount: '1', n: 1 })).toBe('1 金币');
  });

  it('words durations as their two largest units, in each language', () => {
    expect(translateDuration('en', 5400)).toBe('1 h 30 min');
    expect(translateDuration('zh', 90061)).toBe('1 天 1 小时');
    expect(translateDuration('ko', 45)).toBe('45초');
    expect(translateDuration('ja', 4294967295)).toBe('無期限');
  });

  it('splits around slots, keeping word order, interpolating the rest', () => {
    expect(translateParts('en', 'sys.muted', ['user'], { time: '12:00:00' })).toEqual([
      { param: 'user' },
      { text: ' was muted until 12:00:00' },
    ]);
    expect(translateParts('ko', 'sys.joinRefused', ['user'])).toEqual([
      { text: '차단된 ' },
      { param: 'user' },
      { text: ' 님이 입장을 시도했습니다' },
    ]);
  });
});

describe('language detection', () => {
  it.each([
    ['zh-CN', 'zh'],
    ['zh-TW', 'zh'],
    ['zh-Hant-HK', 'zh'],
    ['ko-KR', 'ko'],
    ['ja-JP', 'ja'],
    ['ja', 'ja'],
    ['en-US', 'en'],
    ['fr-FR', 'en'],
    ['', 'en'],
  ])('%s → %s', (tag, lang) => {
    expect(detectLanguage(tag)).toBe(lang);
  });

  it('takes the first supported preference, else English', () => {
    expect(detectLanguage(['fr-FR', 'ko-KR', 'en'])).toBe('ko');
    expect(detectLanguage(['fr', 'de'])).toBe('en');
    expect(detectLanguage(undefined)).toBe('en');
  });

  it('prefers the stored choice, ignores junk and broken storage', () => {
    const nav = { language: 'ja-JP', languages: ['ja-JP'] };
    expect(initialLanguage({ getItem: (k) => (k === LANG_STORAGE_KEY ? 'zh' : null) }, nav)).toBe('zh');
    expect(initialLanguage({ getItem: () => 'xx' }, nav)).toBe('ja');
    expect(
      initialLanguage(
        {
          getItem: () => {
            throw new Error('denied');
          },
        },
        { language: 'ko-KR' },
      ),
    ).toBe('ko');
    expect(initialLanguage(null, null)).toBe('en');
  });
});
