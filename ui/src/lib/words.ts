// Why: the word list's text format and matching, mirrored from Rust (`room::words`) for the fake
// backend: the browser preview and the tests need `words_parse` / `words_format` and a filter that
// holds or blocks messages the way the room does. The app itself always asks the Rust side.
import type { WordAction, WordRule } from './bindings';

export const WORD_ACTIONS: readonly WordAction[] = ['deliver', 'hold', 'drop', 'refuse'];

/** Strictness order: when several rules match, the strictest wins (refuse > drop > hold > deliver). */
const RANK: Readonly<Record<WordAction, number>> = { deliver: 0, hold: 1, drop: 2, refuse: 3 };

export function isWordAction(value: unknown): value is WordAction {
  return typeof value === 'string' && (WORD_ACTIONS as readonly string[]).includes(value);
}

/**
 * Reads a word list: one rule per line, `pattern` or `pattern<TAB>action` (default refuse). Blank
 * lines and `#` comments are skipped. Throws an Error naming the bad line (Rust: `parse_list`).
 */
export function parseWordList(text: string): WordRule[] {
  const out: WordRule[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, n) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const tab = line.lastIndexOf('\t');
    let pattern = line;
    let action: WordAction = 'refuse';
    if (tab >= 0) {
      pattern = line.slice(0, tab);
      const word = line.slice(tab + 1).trim().toLowerCase();
      if (!isWordAction(word)) {
        throw new Error(
          `line ${n + 1}: ${JSON.stringify(line.slice(tab + 1).trim().toLowerCase())} is not an action; use deliver, hold, drop or refuse`,
        );
      }
      action = word;
    }
    out.push({ pattern: pattern.trim(), action });
  });
  return out;
}

/** Writes a word list in the form `parseWordList` reads (Rust: `format_list`). */
export function formatWordList(rules: readonly WordRule[]): string {
  return rules.map((r) => `${r.pattern}\t${r.action}\n`).join('');
}

const INVISIBLE = /[\u200B-\u200F\u2060\uFEFF\u00AD]/gu;
const SEPARATOR = /[\s.,\-_*·•|/\\~^'"`+=・、。!?！？]+/u;
const HAN_OR_KANA = /[\u3040-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\u{20000}-\u{2FFFF}]/u;

/**
 * The form text is matched in (Rust: `words::normalize`): NFKC, lower case, invisible characters
 * removed, separators reduced to one space, or removed between two lone characters or two
 * Chinese/Japanese characters (so `s p a m` and `加 微 信` close up).
 */
export function normalizeWords(text: string): string {
  const folded = text.normalize('NFKC').toLowerCase().replace(INVISIBLE, '');
  const tokens = folded.split(SEPARATOR).filter((t) => t !== '');
  let out = '';
  tokens.forEach((token, i) => {
    if (i > 0) {
      const prev = tokens[i - 1];
      const lone = (t: string) => [...t].length === 1;
      const cjkJoin = HAN_OR_KANA.test([...prev].at(-1) ?? '') && HAN_OR_KANA.test([...token][0] ?? '');
      if (!(cjkJoin || (lone(prev) && lone(token)))) out += ' ';
    }
    out += token;
  });
  return out;
}

/** The strictest rule `text` matches, if any (Rust: `WordFilter::check`). */
export function checkWords(rules: readonly WordRule[], text: string): WordRule | null {
  const normalized = normalizeWords(text);
  let best: WordRule | null = null;
  for (const rule of rules) {
    const key = normalizeWords(rule.pattern);
    if (key === '' || !normalized.includes(key)) continue;
    if (best === null || RANK[rule.action] > RANK[best.action]) best = rule;
  }
  return best;
}
