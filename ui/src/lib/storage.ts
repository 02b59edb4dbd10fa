// Why: this computer's preferences (the language, the theme, the gift alerts) live in the webview's
// localStorage, which may be missing (node tests) or refuse access (a sandboxed or private context
// throws on merely touching it). One guarded accessor for all of them; each preference still reads and
// writes its own key and tolerates a storage that fails on use.

/** The page's localStorage, or null where there is none or it cannot be reached. */
export function browserStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
