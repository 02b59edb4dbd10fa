// Why: the current UI language as reactive state, so `t(...)` in any template re-renders when the
// anchor switches language; the choice persists in localStorage and sets `<html lang>` (CJK fonts).
import {
  LANG_STORAGE_KEY,
  LANG_TAGS,
  initialLanguage,
  translate,
  translateDuration,
  translateParts,
  type Lang,
  type MessageKey,
  type Params,
  type Part,
} from './i18n';

function browserStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

class Locale {
  lang = $state<Lang>(
    initialLanguage(browserStorage(), typeof navigator === 'undefined' ? null : navigator),
  );

  set(lang: Lang): void {
    this.lang = lang;
    try {
      browserStorage()?.setItem(LANG_STORAGE_KEY, lang);
    } catch {
      // not persisted; the choice still applies to this window
    }
    this.applyToDocument();
  }

  applyToDocument(): void {
    if (typeof document !== 'undefined') document.documentElement.lang = LANG_TAGS[this.lang];
  }
}

export const locale = new Locale();

/** Translate in the current language (reactive when read in a template or `$derived`). */
export function t(key: MessageKey, params?: Params): string {
  return translate(locale.lang, key, params);
}

/** Like `t`, split around `slots` so a template can render e.g. a user name as a button. */
export function tParts(key: MessageKey, slots: readonly string[], params?: Params): Part[] {
  return translateParts(locale.lang, key, slots, params);
}

/** Seconds as their two largest units ("1 h 30 min"), or "Permanent" for u32::MAX. */
export function tDuration(seconds: number): string {
  return translateDuration(locale.lang, seconds);
}
