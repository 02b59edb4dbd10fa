// Why: the chat's search and filters as pure functions over the feed's bounded rows, so the component
// only wraps them in a `$derived`. A row's search text (its user id and words, NFKC-normalised and
// lower-cased so full-width Ｌａｔｉｎ, half-width ｶﾀｶﾅ and capitals all match; substring search,
// no word boundaries, so Chinese, Japanese and Korean match anywhere) is built once per row object and
// kept in a WeakMap: rows are immutable, a changed row is a new object, and trimmed rows take their
// entries with them. With no filter the rows array itself is returned (no copy, no work).
import type { FeedRow } from './feed';

/** What the kind toggles switch: text, gifts, like bursts, system lines, and held/refused/dropped. */
export const CHAT_KINDS = ['text', 'gift', 'likes', 'system', 'mod'] as const;
export type ChatKind = (typeof CHAT_KINDS)[number];

export interface ChatFilterSpec {
  /** Search words as typed (normalised here). */
  query: string;
  /** Only rows about this user, or null for everyone. */
  user: string | null;
  /** Kinds shown; a kind left out is hidden. */
  kinds: ReadonlySet<ChatKind>;
}

export const ALL_KINDS: ReadonlySet<ChatKind> = new Set(CHAT_KINDS);

/** Case-, width- and compatibility-insensitive form of `text` for substring search. */
export function normalizeSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim();
}

export function rowKind(row: FeedRow): ChatKind {
  switch (row.kind) {
    case 'chat':
      return 'text';
    case 'gift':
      return 'gift';
    case 'likes':
      return 'likes';
    case 'held':
    case 'blocked':
      return 'mod';
    default:
      return 'system';
  }
}

/** The user a row is by or about, if any. */
export function rowUser(row: FeedRow): string | null {
  return 'userId' in row ? row.userId : null;
}

const keys = new WeakMap<FeedRow, string>();

/** The row's normalised search text (cached per row object). */
export function searchText(row: FeedRow): string {
  let key = keys.get(row);
  if (key === undefined) {
    const parts: string[] = [];
    const user = rowUser(row);
    if (user !== null) parts.push(user);
    if (row.kind === 'chat' || row.kind === 'held' || row.kind === 'blocked') parts.push(row.text);
    if (row.kind === 'gift') parts.push(row.giftName);
    // A newline cannot be typed into the search box, so a match never spans two fields.
    key = normalizeSearch(parts.join('\n'));
    keys.set(row, key);
  }
  return key;
}

/** Whether any filter is on (no query, no user, every kind: off). */
export function isFiltering(spec: ChatFilterSpec): boolean {
  return normalizeSearch(spec.query) !== '' || spec.user !== null || CHAT_KINDS.some((k) => !spec.kinds.has(k));
}

/** A matcher for `spec`, with the query normalised once. */
export function matcher(spec: ChatFilterSpec): (row: FeedRow) => boolean {
  const query = normalizeSearch(spec.query);
  const { user, kinds } = spec;
  return (row) =>
    kinds.has(rowKind(row)) && (user === null || rowUser(row) === user) && (query === '' || searchText(row).includes(query));
}

/** The rows `spec` lets through, in order; `rows` itself when nothing is filtered. */
export function filterRows(rows: readonly FeedRow[], spec: ChatFilterSpec): readonly FeedRow[] {
  if (!isFiltering(spec)) return rows;
  return rows.filter(matcher(spec));
}

/** How many of `rows[from..]` `spec` lets through (the "N new" count of a filtered feed). */
export function countMatching(rows: readonly FeedRow[], from: number, spec: ChatFilterSpec): number {
  const start = Math.max(0, from);
  if (!isFiltering(spec)) return rows.length - Math.min(start, rows.length);
  const match = matcher(spec);
  let n = 0;
  for (let i = start; i < rows.length; i++) if (match(rows[i])) n++;
  return n;
}
