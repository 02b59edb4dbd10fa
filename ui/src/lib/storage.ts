// Why: this computer's preferences (the language, the theme, the side column's width, the gift
// alerts) live in the webview's localStorage, which may be missing (node tests) or refuse access (a
// sandboxed or private context throws on merely touching it, or on use). One guarded accessor and one
// guarded read, write and removal for all of them: a failing storage means "nothing stored" when
// reading and "not persisted" when writing (the choice still applies to this window), never an error.

/** The page's localStorage, or null where there is none or it cannot be reached. */
export function browserStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** What is stored under `key`, or null when nothing is (or the storage fails). */
export function storedItem(storage: Pick<Storage, 'getItem'> | null | undefined, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Stores `value` under `key`; a failing storage is ignored. */
export function storeItem(storage: Pick<Storage, 'setItem'> | null | undefined, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // not persisted
  }
}

/** Forgets `key`; a failing storage is ignored. */
export function forgetItem(storage: Pick<Storage, 'removeItem'> | null | undefined, key: string): void {
  try {
    storage?.removeItem(key);
  } catch {
    // not forgotten
  }
}
