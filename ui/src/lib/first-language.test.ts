// Why: the console must start in the anchor's language: their own choice first, then the operating
// system's locale (WebKitGTK's navigator does not follow it), then the webview's, then English; and the
// OS locale must not hold up first paint.
import { describe, expect, it } from 'vitest';
import { askWithin, firstLanguage, storedLanguage } from './first-language';
import { LANG_STORAGE_KEY } from './i18n';

const enUS = { language: 'en-US', languages: ['en-US', 'en'] };

describe('firstLanguage', () => {
  it('keeps the stored choice whatever the system says', () => {
    expect(firstLanguage('ja', 'zh-CN', enUS)).toBe('ja');
  });

  it('follows the OS locale when nothing is stored, even if the webview says English', () => {
    expect(firstLanguage(null, 'zh-CN', enUS)).toBe('zh');
    expect(firstLanguage(null, 'ko_KR.UTF-8', enUS)).toBe('ko'); // POSIX form
    expect(firstLanguage(null, 'ja', null)).toBe('ja');
    expect(firstLanguage(null, 'zh-Hant-TW', enUS)).toBe('zh');
  });

  it('falls back to the webview, then English, when the OS locale is unknown or not ours', () => {
    expect(firstLanguage(null, null, { language: 'ko-KR' })).toBe('ko');
    expect(firstLanguage(null, 'fr-FR', { languages: ['de-DE', 'ja-JP'] })).toBe('ja');
    expect(firstLanguage(null, 'C', enUS)).toBe('en');
    expect(firstLanguage(null, undefined, null)).toBe('en');
  });
});

describe('storedLanguage', () => {
  it('reads a valid choice only, and survives broken storage', () => {
    expect(storedLanguage({ getItem: (k) => (k === LANG_STORAGE_KEY ? 'ko' : null) })).toBe('ko');
    expect(storedLanguage({ getItem: () => 'klingon' })).toBeNull();
    expect(storedLanguage({ getItem: () => null })).toBeNull();
    expect(
      storedLanguage({
        getItem: () => {
          throw new Error('denied');
        },
      }),
    ).toBeNull();
    expect(storedLanguage(null)).toBeNull();
  });
});

describe('askWithin', () => {
  it('gives the answer, or null on failure or after the deadline', async () => {
    expect(await askWithin(async () => 'zh-CN', 100)).toBe('zh-CN');
    expect(await askWithin(() => Promise.reject(new Error('no such command')), 100)).toBeNull();
    const started = Date.now();
    expect(await askWithin(() => new Promise<string>(() => {}), 30)).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
