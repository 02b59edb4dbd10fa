// Why: the chat's search and filters decide what a moderator sees in a busy room: they must match
// text and user ids in any case and width (CJK included), by user and by kind, leave the rows alone
// when nothing is filtered, and count the "N new" of a filtered feed right.
import { describe, expect, it } from 'vitest';
import {
  ALL_KINDS,
  CHAT_KINDS,
  countMatching,
  filterRows,
  isFiltering,
  normalizeSearch,
  rowKind,
  searchText,
  type ChatFilterSpec,
  type ChatKind,
} from './chat-filter';
import type { FeedRow } from './feed';

let seq = 0;
const base = () => ({ key: `k${++seq}`, seq, at: 0 });
const chat = (userId: string, text: string): FeedRow => ({ ...base(), kind: 'chat', id: `m${seq}`, userId, text, hidden: false });
const gift = (userId: string, giftName: string): FeedRow => ({ ...base(), kind: 'gift', userId, giftName, count: 1, unitPrice: 1 });
const likes = (count: number): FeedRow => ({ ...base(), kind: 'likes', count, total: count });
const held = (userId: string, text: string): FeedRow => ({ ...base(), kind: 'held', heldId: seq, userId, text, pattern: 'x', resolution: null });
const blocked = (userId: string, text: string): FeedRow => ({ ...base(), kind: 'blocked', userId, text, pattern: 'x', action: 'refuse' });
const status = (): FeedRow => ({ ...base(), kind: 'status', status: 'live' });
const muted = (userId: string): FeedRow => ({ ...base(), kind: 'muted', userId, until: 0 });

const spec = (over: Partial<ChatFilterSpec> = {}): ChatFilterSpec => ({ query: '', user: null, kinds: ALL_KINDS, ...over });
const only = (...kinds: ChatKind[]) => new Set(kinds);

const rows: FeedRow[] = [
  chat('ava_rose', 'Hello from Toronto!'),
  chat('小龙女', '主播好！这首歌太好听了'),
  chat('지민이', '노래 너무 좋아요'),
  chat('さくら_jp', 'ｶﾀｶﾅ と ＦＵＬＬ ＷＩＤＴＨ'),
  gift('小龙女', 'Rocket 🚀'),
  likes(25),
  held('nightowl42', 'FREE COINS on my profile!!'),
  blocked('spam_bot_9', '加微信领福利'),
  status(),
  muted('ava_rose'),
];
const keysOf = (list: readonly FeedRow[]) => list.map((r) => r.key);

describe('chat filter', () => {
  it('sorts every row into a kind the toggles know', () => {
    expect(rows.map(rowKind)).toEqual(['text', 'text', 'text', 'text', 'gift', 'likes', 'mod', 'mod', 'system', 'system']);
    expect(new Set(rows.map(rowKind))).toEqual(new Set(CHAT_KINDS));
  });

  it('returns the very same rows when nothing is filtered (no copy, no work)', () => {
    expect(isFiltering(spec())).toBe(false);
    expect(isFiltering(spec({ query: '   ' }))).toBe(false);
    expect(filterRows(rows, spec())).toBe(rows);
  });

  it('searches text and user ids ignoring case, full/half width and spacing around the words', () => {
    expect(keysOf(filterRows(rows, spec({ query: 'TORONTO' })))).toEqual([rows[0].key]);
    expect(keysOf(filterRows(rows, spec({ query: '  hello ' })))).toEqual([rows[0].key]);
    expect(keysOf(filterRows(rows, spec({ query: 'full width' })))).toEqual([rows[3].key]);
    expect(keysOf(filterRows(rows, spec({ query: 'カタカナ' })))).toEqual([rows[3].key]); // half-width kana typed full-width
    expect(keysOf(filterRows(rows, spec({ query: 'AVA' })))).toEqual([rows[0].key, rows[9].key]); // a user id, also in a system line
    expect(keysOf(filterRows(rows, spec({ query: 'free coins' })))).toEqual([rows[6].key]);
  });

  it('matches Chinese, Korean and Japanese anywhere in a word, and gift names', () => {
    expect(keysOf(filterRows(rows, spec({ query: '好听' })))).toEqual([rows[1].key]);
    expect(keysOf(filterRows(rows, spec({ query: '小龙' })))).toEqual([rows[1].key, rows[4].key]);
    expect(keysOf(filterRows(rows, spec({ query: '좋아' })))).toEqual([rows[2].key]);
    expect(keysOf(filterRows(rows, spec({ query: 'rocket' })))).toEqual([rows[4].key]);
    expect(keysOf(filterRows(rows, spec({ query: '微信' })))).toEqual([rows[7].key]);
  });

  it('never matches across two fields of a row', () => {
    expect(filterRows([chat('ab', 'cd')], spec({ query: 'bc' }))).toEqual([]);
    expect(searchText(chat('Ａb', 'Cd'))).toBe('ab\ncd');
  });

  it('filters by one user: their lines, gifts, held and filtered messages and system lines about them', () => {
    expect(keysOf(filterRows(rows, spec({ user: '小龙女' })))).toEqual([rows[1].key, rows[4].key]);
    expect(keysOf(filterRows(rows, spec({ user: 'ava_rose' })))).toEqual([rows[0].key, rows[9].key]);
    expect(filterRows(rows, spec({ user: 'AVA_ROSE' }))).toEqual([]); // ids are exact
  });

  it('filters by kind, and combines user, kind and search', () => {
    expect(keysOf(filterRows(rows, spec({ kinds: only('mod') })))).toEqual([rows[6].key, rows[7].key]);
    expect(keysOf(filterRows(rows, spec({ kinds: only('gift', 'likes') })))).toEqual([rows[4].key, rows[5].key]);
    expect(filterRows(rows, spec({ kinds: only() }))).toEqual([]);
    expect(keysOf(filterRows(rows, spec({ user: '小龙女', kinds: only('text'), query: '歌' })))).toEqual([rows[1].key]);
    expect(filterRows(rows, spec({ user: '小龙女', kinds: only('gift'), query: '歌' }))).toEqual([]);
  });

  it('counts the matching rows from an index on (the "N new" of a filtered feed)', () => {
    expect(countMatching(rows, 7, spec())).toBe(3);
    expect(countMatching(rows, -5, spec())).toBe(rows.length);
    expect(countMatching(rows, 99, spec())).toBe(0);
    expect(countMatching(rows, 4, spec({ kinds: only('mod') }))).toBe(2);
    expect(countMatching(rows, 0, spec({ user: 'ava_rose' }))).toBe(2);
  });

  it('normalises like the rows', () => {
    expect(normalizeSearch('  ＨＥＬＬＯ ﾜｰﾙﾄﾞ ')).toBe('hello ワールド');
  });
});
