// Why: the current UI language as reactive state, so `t(...)` in any template re-renders when the
// anchor switches language; the choice persists in localStorage and sets `<html lang>` (CJK fonts).
// Until the anchor chooses, the OS locale decides (see first-language.ts); a choice made in another
// window (the popped-out chat) is followed.
import { firstLanguage, storedLanguage } from './first-language';
import {
  LANG_STORAGE_KEY,
  LANG_TAGS,
  initialLanguage,
  isLang,
  translate,
  translateDuration,
  translateParts,
  type Lang,
  type MessageKey,
  type Params,
  type Part,
} from './i18n';
import type { Role } from './bindings';
import { can, type Permission } from './roles';
import { toWireError } from './wire';
import { browserStorage, storeItem } from './storage';

class Locale {
  lang = $state<Lang>(
    initialLanguage(browserStorage(), typeof navigator === 'undefined' ? null : navigator),
  );

  set(lang: Lang): void {
    this.lang = lang;
    storeItem(browserStorage(), LANG_STORAGE_KEY, lang);
    this.applyToDocument();
  }

  applyToDocument(): void {
    if (typeof document !== 'undefined') document.documentElement.lang = LANG_TAGS[this.lang];
  }

  /** The OS locale's language, unless the anchor chose one (not stored: the OS may change it later). */
  useSystemLocale(tag: string | null): void {
    const next = firstLanguage(
      storedLanguage(browserStorage()),
      tag,
      typeof navigator === 'undefined' ? null : navigator,
    );
    if (next !== this.lang) this.lang = next;
    this.applyToDocument();
  }

  /** Follow a language chosen in another window of the console. Returns the cleanup. */
  followOtherWindows(): () => void {
    if (typeof window === 'undefined') return () => {};
    const onStorage = (event: StorageEvent) => {
      if (event.key !== LANG_STORAGE_KEY || !isLang(event.newValue)) return;
      this.lang = event.newValue;
      this.applyToDocument();
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
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

/** The words to show for a rejection (anything thrown): its message, or "Something went wrong". */
export function tError(error: unknown): string {
  return toWireError(error).message || t('error.unknown');
}

/**
 * Why `role` may not do what `permission` covers, for a disabled control's tooltip ("Only the owner
 * can …", or "View only: …" for a viewer where a moderator could); null when it may.
 */
export function tDenied(role: Role, permission: Permission): string | null {
  if (can(role, permission)) return null;
  const what = t(`perm.${permission}`);
  return role === 'viewer' && can('moderator', permission) ? t('roles.viewOnly', { what }) : t('roles.ownerOnly', { what });
}
