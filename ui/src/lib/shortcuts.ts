// Why: the keyboard shortcuts (Chatterino- and Twitch-like) as one table and two pure dispatchers, so
// the help overlay lists exactly what the handlers do and tests can drive them without a DOM. A
// shortcut never fires while the anchor types (an input, textarea, select or editable element has the
// key), while an IME composes, or when something else already handled the key; letters ignore Shift
// and Caps Lock, digits also match by physical key so layouts like AZERTY work.
import type { MessageKey } from './i18n';
import { MUTE_PRESETS } from './time';

/** Keys that work anywhere in the window (not in the user card, which is modal). */
export type GlobalCommand =
  | { type: 'focusSearch' }
  | { type: 'tab'; index: number }
  | { type: 'latest' }
  | { type: 'help' };

/** Keys of the user card. */
export type CardCommand =
  | { type: 'mutePreset'; index: number }
  | { type: 'kick' }
  | { type: 'ban' }
  | { type: 'lift' }
  | { type: 'note' }
  | { type: 'close' };

/** What a dispatcher needs of a KeyboardEvent. */
export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
  isComposing?: boolean;
  defaultPrevented?: boolean;
  target?: EventTarget | null;
}

/** How many side tabs Ctrl+digit reaches. */
export const TAB_KEYS = 8;

const TEXT_INPUTS = new Set([
  'text',
  'search',
  'email',
  'number',
  'password',
  'tel',
  'url',
  'date',
  'datetime-local',
  'month',
  'time',
  'week',
]);

/** Whether keys typed at `target` are text (so letters and digits are not shortcuts). */
export function isTyping(target: EventTarget | null | undefined): boolean {
  if (!target || typeof target !== 'object') return false;
  const el = target as { tagName?: string; type?: string; isContentEditable?: boolean };
  const tag = el.tagName?.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return TEXT_INPUTS.has((el.type ?? 'text').toLowerCase());
  return el.isContentEditable === true;
}

/** The digit 1–9 a key stands for (by character, else by physical key), or null. */
function digit(e: KeyLike): number | null {
  if (/^[1-9]$/.test(e.key)) return Number(e.key);
  const m = /^(?:Digit|Numpad)([1-9])$/.exec(e.code ?? '');
  return m ? Number(m[1]) : null;
}

function skipped(e: KeyLike): boolean {
  return e.defaultPrevented === true || e.isComposing === true || e.key === 'Process';
}

const plain = (e: KeyLike) => !e.ctrlKey && !e.metaKey && !e.altKey;

export function globalCommand(e: KeyLike): GlobalCommand | null {
  if (skipped(e) || isTyping(e.target)) return null;
  const mod = (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey;
  if (mod) {
    const n = digit(e);
    return n !== null && n <= TAB_KEYS ? { type: 'tab', index: n - 1 } : null;
  }
  if (!plain(e)) return null;
  if (e.key === '/') return { type: 'focusSearch' };
  if (e.key === '?') return { type: 'help' };
  if (e.key === 'End' && !e.shiftKey) return { type: 'latest' };
  return null;
}

export function cardCommand(e: KeyLike): CardCommand | null {
  if (skipped(e)) return null;
  if (e.key === 'Escape') return { type: 'close' };
  if (isTyping(e.target) || !plain(e)) return null;
  const n = e.shiftKey ? null : digit(e);
  if (n !== null) return n <= MUTE_PRESETS.length ? { type: 'mutePreset', index: n - 1 } : null;
  switch (e.key.toLowerCase()) {
    case 'k':
      return { type: 'kick' };
    case 'b':
      return { type: 'ban' };
    case 'u':
      return { type: 'lift' };
    case 'n':
      return { type: 'note' };
    default:
      return null;
  }
}

/** One line of the help overlay: the keys as shown, and what they do. */
export interface ShortcutLine {
  keys: readonly string[];
  what: MessageKey;
  /** Filled into the description (e.g. a mute preset's duration). */
  seconds?: number;
}

export const GLOBAL_SHORTCUTS: readonly ShortcutLine[] = [
  { keys: ['/'], what: 'keys.search' },
  { keys: ['Ctrl', `1–${TAB_KEYS}`], what: 'keys.tabs' },
  { keys: ['End'], what: 'keys.latest' },
  { keys: ['?'], what: 'keys.help' },
];

export const CARD_SHORTCUTS: readonly ShortcutLine[] = [
  ...MUTE_PRESETS.map((seconds, i) => ({ keys: [String(i + 1)], what: 'keys.mutePreset' as const, seconds })),
  { keys: ['K'], what: 'keys.kick' },
  { keys: ['B'], what: 'keys.ban' },
  { keys: ['U'], what: 'keys.lift' },
  { keys: ['N'], what: 'keys.note' },
  { keys: ['Esc'], what: 'keys.closeCard' },
];
