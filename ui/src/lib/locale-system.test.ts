// @vitest-environment jsdom
// Why: until the anchor picks a language the console follows the OS locale (not stored, so a later OS
// change still applies); a stored choice always wins; and the popped-out chat follows a language or
// theme chosen in the main window. A rejection with no words of its own reads in the current language.
import { afterEach, describe, expect, it } from 'vitest';
import { LANG_STORAGE_KEY } from './i18n';
import { locale, tError } from './locale.svelte';
import { theme } from './theme.svelte';

afterEach(() => {
  localStorage.clear();
  locale.lang = 'en';
  theme.choice = null;
  theme.applyToDocument();
  locale.applyToDocument();
});

describe('the first language', () => {
  it('follows the OS locale when the anchor never chose one, without storing it', () => {
    locale.useSystemLocale('ja-JP');
    expect(locale.lang).toBe('ja');
    expect(document.documentElement.lang).toBe('ja');
    expect(localStorage.getItem(LANG_STORAGE_KEY)).toBeNull();
  });

  it('keeps the stored choice over the OS locale', () => {
    locale.set('ko');
    locale.useSystemLocale('zh-CN');
    expect(locale.lang).toBe('ko');
  });

  it('falls back to the webview language when the OS locale is unknown', () => {
    locale.lang = 'zh';
    locale.useSystemLocale(null);
    expect(locale.lang).toBe('en'); // jsdom's navigator says en-US
  });
});

describe('following the other window', () => {
  it('takes the language and theme stored by another window', () => {
    const stops = [locale.followOtherWindows(), theme.followOtherWindows()];
    try {
      window.dispatchEvent(new StorageEvent('storage', { key: LANG_STORAGE_KEY, newValue: 'zh' }));
      expect(locale.lang).toBe('zh');
      expect(document.documentElement.lang).toBe('zh-CN');
      window.dispatchEvent(new StorageEvent('storage', { key: LANG_STORAGE_KEY, newValue: 'xx' }));
      expect(locale.lang).toBe('zh');
      window.dispatchEvent(new StorageEvent('storage', { key: 'anchordesk.theme', newValue: 'dark' }));
      expect([theme.choice, document.documentElement.dataset.theme]).toEqual(['dark', 'dark']);
      window.dispatchEvent(new StorageEvent('storage', { key: 'anchordesk.theme', newValue: null }));
      expect([theme.choice, document.documentElement.dataset.theme]).toEqual([null, undefined]);
    } finally {
      for (const stop of stops) stop();
    }
    window.dispatchEvent(new StorageEvent('storage', { key: LANG_STORAGE_KEY, newValue: 'ko' }));
    expect(locale.lang).toBe('zh'); // no longer following
  });
});

describe('a rejection in words', () => {
  it('is its message, or "something went wrong" in the current language when it has none', () => {
    expect(tError({ code: 'offline', message: 'IM down' })).toBe('IM down');
    expect(tError(new Error('boom'))).toBe('boom');
    expect(tError({ code: 'internal', message: '' })).toBe('Something went wrong');
    locale.lang = 'zh';
    expect(tError({ code: 'internal', message: '' })).toBe('出现未知错误');
  });
});
