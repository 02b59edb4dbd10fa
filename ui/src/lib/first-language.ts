// Why: which language the console starts in. A language the anchor picked (stored) always wins; until
// they pick one it follows the operating system's locale, which the Rust side reads — WebKitGTK's
// `navigator.language` stays en-US whatever the desktop's language is — and only then the webview's
// own preferences. Pure, so the order is tested; the asking has a deadline so first paint never waits
// long on it.
import { browserLanguages, detectLanguage, type Lang } from './i18n';

export { storedLanguage } from './i18n';

/**
 * The first language: the stored choice; else the OS locale when it is one of ours (POSIX forms like
 * `ko_KR.UTF-8` included); else the webview's preferences; else English.
 */
export function firstLanguage(
  stored: Lang | null,
  systemLocale: string | null | undefined,
  nav: { language?: string; languages?: readonly string[] } | null | undefined,
): Lang {
  if (stored !== null) return stored;
  return detectLanguage([...(systemLocale ? [systemLocale] : []), ...browserLanguages(nav)]);
}

/** `ask()`'s answer, or null when it fails or takes longer than `ms`. */
export async function askWithin<T>(ask: () => Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      ask(),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), ms);
      }),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
