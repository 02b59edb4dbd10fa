// Why: shortcuts act on real viewers (mute, kick, ban): they must map exactly, never fire while the
// anchor types or an IME composes or when a control already took the key, and the help overlay must
// list what the handlers do.
import { describe, expect, it } from 'vitest';
import { CARD_SHORTCUTS, GLOBAL_SHORTCUTS, TAB_KEYS, cardCommand, globalCommand, isTyping, type KeyLike } from './shortcuts';
import { MUTE_PRESETS } from './time';

const el = (tagName: string, over: Record<string, unknown> = {}) => ({ tagName, ...over }) as unknown as EventTarget;
const k = (key: string, over: Partial<KeyLike> = {}): KeyLike => ({ key, target: el('BODY'), ...over });

describe('isTyping', () => {
  it('is true in text fields, textareas, selects and editable elements; false on buttons and the page', () => {
    expect(isTyping(el('INPUT', { type: 'text' }))).toBe(true);
    expect(isTyping(el('INPUT', { type: 'search' }))).toBe(true);
    expect(isTyping(el('input', {}))).toBe(true); // no type: text
    expect(isTyping(el('TEXTAREA'))).toBe(true);
    expect(isTyping(el('SELECT'))).toBe(true);
    expect(isTyping(el('DIV', { isContentEditable: true }))).toBe(true);
    expect(isTyping(el('INPUT', { type: 'checkbox' }))).toBe(false);
    expect(isTyping(el('BUTTON'))).toBe(false);
    expect(isTyping(el('BODY'))).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});

describe('globalCommand', () => {
  it('maps /, ?, End and Ctrl+1…8 (one per side tab)', () => {
    expect(globalCommand(k('/'))).toEqual({ type: 'focusSearch' });
    expect(globalCommand(k('?', { shiftKey: true }))).toEqual({ type: 'help' });
    expect(globalCommand(k('End'))).toEqual({ type: 'latest' });
    expect(globalCommand(k('1', { ctrlKey: true }))).toEqual({ type: 'tab', index: 0 });
    expect(globalCommand(k('7', { ctrlKey: true }))).toEqual({ type: 'tab', index: 6 });
    expect(globalCommand(k('8', { ctrlKey: true }))).toEqual({ type: 'tab', index: 7 });
    expect(globalCommand(k('&', { ctrlKey: true, code: 'Digit1' }))).toEqual({ type: 'tab', index: 0 }); // AZERTY
    expect(globalCommand(k('3', { metaKey: true }))).toEqual({ type: 'tab', index: 2 });
  });

  it('ignores other keys and other modifier combinations', () => {
    expect(globalCommand(k('9', { ctrlKey: true }))).toBeNull();
    expect(globalCommand(k('1'))).toBeNull(); // a plain digit is the card's
    expect(globalCommand(k('1', { ctrlKey: true, shiftKey: true }))).toBeNull();
    expect(globalCommand(k('1', { ctrlKey: true, altKey: true }))).toBeNull();
    expect(globalCommand(k('End', { shiftKey: true }))).toBeNull(); // selection
    expect(globalCommand(k('/', { ctrlKey: true }))).toBeNull();
    expect(globalCommand(k('k'))).toBeNull();
  });

  it('never fires while typing, composing, or when the key was already handled', () => {
    expect(globalCommand(k('/', { target: el('INPUT', { type: 'search' }) }))).toBeNull();
    expect(globalCommand(k('End', { target: el('TEXTAREA') }))).toBeNull();
    expect(globalCommand(k('1', { ctrlKey: true, target: el('TEXTAREA') }))).toBeNull();
    expect(globalCommand(k('/', { isComposing: true }))).toBeNull();
    expect(globalCommand(k('Process'))).toBeNull();
    expect(globalCommand(k('End', { defaultPrevented: true }))).toBeNull(); // the tab strip or the splitter took it
  });
});

describe('cardCommand', () => {
  it('maps 1–4 to the mute presets, K, B, U, N (any case) and Escape', () => {
    expect(MUTE_PRESETS).toHaveLength(4);
    for (let i = 0; i < 4; i++) expect(cardCommand(k(String(i + 1)))).toEqual({ type: 'mutePreset', index: i });
    expect(cardCommand(k('x', { code: 'Numpad2' }))).toEqual({ type: 'mutePreset', index: 1 });
    expect(cardCommand(k('5'))).toBeNull();
    expect(cardCommand(k('k'))).toEqual({ type: 'kick' });
    expect(cardCommand(k('K', { shiftKey: true }))).toEqual({ type: 'kick' });
    expect(cardCommand(k('b'))).toEqual({ type: 'ban' });
    expect(cardCommand(k('u'))).toEqual({ type: 'lift' });
    expect(cardCommand(k('n'))).toEqual({ type: 'note' });
    expect(cardCommand(k('Escape'))).toEqual({ type: 'close' });
  });

  it('lets Escape close from a field, and nothing else', () => {
    const field = el('INPUT', { type: 'text' });
    expect(cardCommand(k('Escape', { target: field }))).toEqual({ type: 'close' });
    for (const key of ['1', 'k', 'b', 'u', 'n']) expect(cardCommand(k(key, { target: field }))).toBeNull();
    expect(cardCommand(k('b', { target: el('SELECT') }))).toBeNull();
  });

  it('ignores keys with Ctrl, Alt or Meta (the browser and the app keep them), IME and handled keys', () => {
    expect(cardCommand(k('k', { ctrlKey: true }))).toBeNull();
    expect(cardCommand(k('b', { altKey: true }))).toBeNull();
    expect(cardCommand(k('1', { metaKey: true }))).toBeNull();
    expect(cardCommand(k('!', { shiftKey: true, code: 'Digit1' }))).toBeNull();
    expect(cardCommand(k('k', { isComposing: true }))).toBeNull();
    expect(cardCommand(k('Escape', { defaultPrevented: true }))).toBeNull();
  });
});

describe('the help lists', () => {
  it('list every global command and every card command once', () => {
    expect(GLOBAL_SHORTCUTS.map((l) => l.what)).toEqual(['keys.search', 'keys.tabs', 'keys.latest', 'keys.help']);
    expect(GLOBAL_SHORTCUTS[1].keys).toEqual(['Ctrl', `1–${TAB_KEYS}`]);
    expect(CARD_SHORTCUTS.map((l) => l.keys.join('+'))).toEqual(['1', '2', '3', '4', 'K', 'B', 'U', 'N', 'Esc']);
    expect(CARD_SHORTCUTS.slice(0, 4).map((l) => l.seconds)).toEqual([...MUTE_PRESETS]);
    // Each listed key does what it says.
    for (const line of CARD_SHORTCUTS) {
      const key = line.keys[0] === 'Esc' ? 'Escape' : line.keys[0].toLowerCase();
      expect(cardCommand(k(key)), line.keys.join('+')).not.toBeNull();
    }
  });
});
