// Why: a busy room sends hundreds of events a second; the chat feed must stay bounded and render at
// most once per frame. This is that logic as plain TypeScript (no Svelte, no DOM), so it is unit
// tested: a bounded ring buffer trimmed in chunks, a per-frame batcher with an injectable scheduler,
// a sequence gate that drops duplicates, rows keyed by stable ids, and how the subscription's feed
// (snapshots and event batches, in order on one channel) is applied: a snapshot replaces everything.
// The feed tells its kinds apart: text, gifts, like bursts (one row per burst window, counting up while
// the burst lasts, rather than a row per like message), system lines, and for moderators the messages
// the word filter held (marked approved or rejected once reviewed), refused or dropped.
import type { AuditAction, AuditLine, BlockedLine, ChatLine, EventEnvelope, HeldLine, RoomStatus, WordAction } from './bindings';

/** Runs `flush` later, once (e.g. on the next animation frame). */
export type Scheduler = (flush: () => void) => void;

/**
 * Next animation frame, with a timer fallback: a hidden or minimised window gets no frames, and
 * events must not pile up unbounded meanwhile. Whichever fires first runs; the other is cancelled.
 */
export const frameScheduler: Scheduler = (flush) => {
  let done = false;
  let raf: number | undefined;
  const run = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (raf !== undefined && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(raf);
    flush();
  };
  const timer = setTimeout(run, 250);
  if (typeof requestAnimationFrame === 'function') raf = requestAnimationFrame(run);
};

/**
 * A bounded, de-duplicating buffer, oldest first. When a push takes it over `cap`, the oldest items
 * go in whole chunks (e.g. 100 at a time) so that the DOM sheds rows rarely, not on every line.
 */
export class RingBuffer<T> {
  #items: T[] = [];
  #keys = new Set<string>();
  readonly cap: number;
  readonly chunk: number;
  readonly #keyOf: (item: T) => string;

  constructor(cap: number, chunk: number, keyOf: (item: T) => string) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`cap must be ≥ 1, got ${cap}`);
    if (!Number.isInteger(chunk) || chunk < 1 || chunk > cap) {
      throw new RangeError(`chunk must be in 1..=${cap}, got ${chunk}`);
    }
    this.cap = cap;
    this.chunk = chunk;
    this.#keyOf = keyOf;
  }

  get length(): number {
    return this.#items.length;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Appends the items whose key is not present yet; returns how many were appended. */
  push(items: Iterable<T>): number {
    let added = 0;
    for (const item of items) {
      const key = this.#keyOf(item);
      if (this.#keys.has(key)) continue;
      this.#keys.add(key);
      this.#items.push(item);
      added++;
    }
    this.#trim();
    return added;
  }

  clear(): void {
    this.#items = [];
    this.#keys.clear();
  }

  /**
   * Replaces the item with `key` by `change(item)` (which must keep its key); returns whether it
   * changed. Linear, searched from the newest end, where the edits go (a like burst counting up, a
   * line just hidden or reviewed).
   */
  replace(key: string, change: (item: T) => T): boolean {
    if (!this.#keys.has(key)) return false;
    let i = this.#items.length - 1;
    while (this.#keyOf(this.#items[i]) !== key) i--;
    const next = change(this.#items[i]);
    if (next === this.#items[i]) return false;
    this.#items[i] = next;
    return true;
  }

  /** A copy, oldest first. */
  toArray(): T[] {
    return this.#items.slice();
  }

  #trim(): void {
    const over = this.#items.length - this.cap;
    if (over <= 0) return;
    const drop = Math.ceil(over / this.chunk) * this.chunk;
    for (const item of this.#items.splice(0, drop)) this.#keys.delete(this.#keyOf(item));
  }
}

/** Lets through only envelopes newer than the last one seen (seq is gapless and increasing). */
export class SeqGate {
  lastSeq: number;

  constructor(lastSeq = 0) {
    this.lastSeq = lastSeq;
  }

  admit(batch: readonly EventEnvelope[]): EventEnvelope[] {
    const out: EventEnvelope[] = [];
    for (const env of batch) {
      if (env.seq <= this.lastSeq) continue;
      this.lastSeq = env.seq;
      out.push(env);
    }
    return out;
  }
}

/** Collects items and hands them over in one call per scheduled tick (per frame). */
export class FrameBatcher<T> {
  #pending: T[] = [];
  #generation = 0;
  #scheduled = false;
  readonly #schedule: Scheduler;
  readonly #onFlush: (items: T[]) => void;

  constructor(schedule: Scheduler, onFlush: (items: T[]) => void) {
    this.#schedule = schedule;
    this.#onFlush = onFlush;
  }

  get pending(): number {
    return this.#pending.length;
  }

  add(items: readonly T[]): void {
    if (items.length === 0) return;
    for (const item of items) this.#pending.push(item);
    if (this.#scheduled) return;
    this.#scheduled = true;
    const generation = this.#generation;
    this.#schedule(() => {
      if (generation === this.#generation) this.flush();
    });
  }

  /** Hands over everything pending now (a scheduled tick that is still due becomes a no-op). */
  flush(): void {
    this.#generation++;
    this.#scheduled = false;
    const items = this.#pending;
    if (items.length === 0) return;
    this.#pending = [];
    this.#onFlush(items);
  }

  /** Removes and returns what is pending, without flushing it. */
  take(): T[] {
    this.#generation++;
    this.#scheduled = false;
    const items = this.#pending;
    this.#pending = [];
    return items;
  }
}

interface RowBase {
  /** Stable key for keyed rendering: `c:<chat id>` or `s:<seq>`. */
  key: string;
  /** The event's seq; 0 for lines that came with the snapshot. */
  seq: number;
  /** Unix ms: the message time for chat, the arrival time for system lines. */
  at: number;
}

export interface ChatRow extends RowBase {
  kind: 'chat';
  id: string;
  userId: string;
  text: string;
  /** Hidden from viewers by a moderator (moderators still see it, marked). */
  hidden: boolean;
}

export interface GiftRow extends RowBase {
  kind: 'gift';
  userId: string;
  giftName: string;
  count: number;
  /** Price of one, in the app's smallest unit. */
  unitPrice: number;
}

/** Likes within one burst window; the row counts up while the window lasts. */
export interface LikeRow extends RowBase {
  kind: 'likes';
  /** Likes in this burst. */
  count: number;
  /** The room's total after the latest like counted here. */
  total: number;
}

/** A message the word filter held for review (moderators only). */
export interface HeldRow extends RowBase {
  kind: 'held';
  heldId: number;
  userId: string;
  text: string;
  pattern: string;
  /** Filled in once a moderator approved or rejected it. */
  resolution: 'approved' | 'rejected' | null;
}

/** A message the word filter refused or dropped (moderators only; viewers never saw it). */
export interface BlockedRow extends RowBase {
  kind: 'blocked';
  userId: string;
  text: string;
  pattern: string;
  action: WordAction;
}

/** Who did what a system line reports, once its audit line names them (a moderator, the anchor). */
interface ActorField {
  by?: string;
}

export type SystemRow = RowBase &
  ActorField &
  (
    | { kind: 'status'; status: RoomStatus }
    | { kind: 'muted'; userId: string; until: number }
    | { kind: 'unmuted'; userId: string }
    | { kind: 'kicked'; userId: string }
    | { kind: 'joinRefused'; userId: string }
    | { kind: 'unblocked'; userId: string }
  );

export type FeedRow = ChatRow | GiftRow | LikeRow | HeldRow | BlockedRow | SystemRow;

/**
 * The audit actions that follow the event of a system line (the room emits the state change, then its
 * audit line): the audit's target is the row's user (`room` for a status change).
 */
const ACTED: Partial<Record<AuditAction, SystemRow['kind']>> = {
  mute: 'muted',
  unmute: 'unmuted',
  kick: 'kicked',
  ban: 'kicked',
  unblock: 'unblocked',
  status: 'status',
};

const SYSTEM_KINDS: ReadonlySet<FeedRow['kind']> = new Set(['status', 'muted', 'unmuted', 'kicked', 'joinRefused', 'unblocked']);

export function isSystem(row: FeedRow): row is SystemRow {
  return SYSTEM_KINDS.has(row.kind);
}

/** Whether `line` is the audit of what `row` reports. */
function auditOf(row: FeedRow, line: AuditLine): boolean {
  if (ACTED[line.action] !== row.kind) return false;
  return row.kind === 'status' ? line.target === 'room' : 'userId' in row && row.userId === line.target;
}

/** How long a like burst gathers likes into one row. */
export const LIKE_BURST_MS = 10_000;

/** What else a snapshot brings into the feed besides its chat lines. */
export interface SnapshotExtras {
  /** The room's like total: the baseline for like bursts (left out: the first likes event sets it). */
  likes?: number;
  /** Messages waiting for review: shown among the chat lines, by time. */
  held?: readonly HeldLine[];
  /** Recent word-filter blocks: shown among the chat lines, by time. */
  filtered?: readonly BlockedLine[];
}

export function chatRow(line: ChatLine, seq: number): ChatRow {
  return {
    kind: 'chat',
    key: `c:${line.id}`,
    seq,
    id: line.id,
    userId: line.userId,
    text: line.text,
    at: line.at,
    hidden: line.hidden,
  };
}

/** A held message's row, not reviewed yet. */
export function heldRow(line: HeldLine, seq: number): HeldRow {
  return {
    kind: 'held',
    key: `h:${line.id}`,
    seq,
    at: line.at,
    heldId: line.id,
    userId: line.userId,
    text: line.text,
    pattern: line.pattern,
    resolution: null,
  };
}

/** A word-filter block's row; `key` because a block has no id of its own (the event's seq, or its place). */
export function blockedRow(line: BlockedLine, key: string, seq: number): BlockedRow {
  return { kind: 'blocked', key, seq, at: line.at, userId: line.userId, text: line.text, pattern: line.pattern, action: line.action };
}

/**
 * The feed row an event makes on its own, if it makes one (counts, joins, audit lines and word-list
 * changes do not; likes become bursts in `ChatFeed`; `messageHidden` and `heldResolved` change a row
 * instead).
 */
export function rowFor(env: EventEnvelope, at: number): FeedRow | null {
  const e = env.event;
  const base = { key: `s:${env.seq}`, seq: env.seq, at };
  switch (e.type) {
    case 'chat':
      return chatRow(e, env.seq);
    case 'gift':
      return {
        ...base,
        key: `g:${e.id}`,
        kind: 'gift',
        userId: e.userId,
        giftName: e.giftName,
        count: e.count,
        unitPrice: e.unitPrice,
        at: e.at,
      };
    case 'held':
      return heldRow(e, env.seq);
    case 'blocked':
      return blockedRow(e, base.key, env.seq);
    case 'status':
      return { ...base, kind: 'status', status: e.status };
    case 'userMuted':
      return e.until === null
        ? { ...base, kind: 'unmuted', userId: e.userId }
        : { ...base, kind: 'muted', userId: e.userId, until: e.until };
    case 'userKicked':
      return { ...base, kind: 'kicked', userId: e.userId };
    case 'joinRefused':
      return { ...base, kind: 'joinRefused', userId: e.userId };
    case 'userUnblocked':
      return { ...base, kind: 'unblocked', userId: e.userId };
    default:
      return null;
  }
}

export interface ChatFeedOptions {
  /** Most rows kept (default 500). */
  cap?: number;
  /** Rows dropped at once when over the cap (default 100). */
  chunk?: number;
  /** When to flush buffered events (default: next animation frame). */
  schedule?: Scheduler;
  /** Arrival time for system rows (default `Date.now`). */
  clock?: () => number;
  /** Called once per flush with the admitted events, in order, after the rows are updated. */
  onFlush?: (events: EventEnvelope[]) => void;
}

/**
 * The chat feed: rows from the latest snapshot, then from events. Everything arrives in order on one
 * channel, so a snapshot supersedes whatever came before it: events still pending when it arrives are
 * dropped, and events before the first one are ignored. Events are admitted by seq (duplicates and old
 * seqs dropped), buffered, and applied once per frame.
 */
export class ChatFeed {
  readonly #buffer: RingBuffer<FeedRow>;
  readonly #gate = new SeqGate();
  readonly #batcher: FrameBatcher<EventEnvelope>;
  readonly #clock: () => number;
  readonly #onFlush: (events: EventEnvelope[]) => void;
  #loaded = false;
  #rows: readonly FeedRow[] = [];
  #appended = 0;
  /** The room's like total as last seen; null until known (the first likes event only sets it). */
  #likes: number | null = null;
  /** The like burst still gathering, if any. */
  #burst: { key: string; startedAt: number } | null = null;
  /** The system row last added, until the next event: its audit line may name who did it. */
  #lastSystem: string | null = null;

  constructor(options: ChatFeedOptions = {}) {
    this.#buffer = new RingBuffer<FeedRow>(options.cap ?? 500, options.chunk ?? 100, (r) => r.key);
    this.#clock = options.clock ?? Date.now;
    this.#onFlush = options.onFlush ?? (() => {});
    this.#batcher = new FrameBatcher(options.schedule ?? frameScheduler, (events) =>
      this.#apply(events),
    );
  }

  /** Current rows, oldest first (a new array after every change, the same one otherwise). */
  get rows(): readonly FeedRow[] {
    return this.#rows;
  }

  /** Rows appended by events since construction (trimming does not reduce it; snapshot rows do
   * not count): drives the "N new" count. */
  get appended(): number {
    return this.#appended;
  }

  get lastSeq(): number {
    return this.#gate.lastSeq;
  }

  /** Whether a snapshot was loaded since the last `expectSnapshot`. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** Ignore events until the next `load` (call before subscribing again: a snapshot comes first). */
  expectSnapshot(): void {
    this.#loaded = false;
    this.#batcher.take();
  }

  /**
   * Start over from a snapshot at `seq`: pending events are dropped (they came before it on the
   * channel, so it has them), and only events after `seq` are admitted from now on. The seq may be
   * lower than before (the room restarted: a new epoch). The snapshot's held and filtered messages
   * join its chat lines in time order (moderators see them where they happened).
   */
  load(seq: number, chat: readonly ChatLine[], extras: SnapshotExtras = {}): void {
    this.#batcher.take();
    this.#loaded = true;
    this.#gate.lastSeq = seq;
    this.#likes = extras.likes ?? null;
    this.#burst = null;
    this.#lastSystem = null;
    this.#buffer.clear();
    const rows: FeedRow[] = chat.map((line) => chatRow(line, 0));
    for (const h of extras.held ?? []) rows.push(heldRow(h, 0));
    (extras.filtered ?? []).forEach((b, i) => rows.push(blockedRow(b, `f:${i}`, 0)));
    if (rows.length > chat.length) rows.sort((a, b) => a.at - b.at); // stable: equal times keep their order
    this.#buffer.push(rows);
    this.#rows = this.#buffer.toArray();
  }

  /** Take a batch from the backend; it is applied on the next flush (ignored before a snapshot). */
  accept(batch: readonly EventEnvelope[]): void {
    if (!this.#loaded) return;
    this.#batcher.add(this.#gate.admit(batch));
  }

  /** Marks the chat row of message `id` hidden now; returns whether a row changed. */
  hide(id: string): boolean {
    if (!this.#markHidden(id)) return false;
    this.#rows = this.#buffer.toArray();
    return true;
  }

  /** Apply what is pending now (tests; teardown). */
  flush(): void {
    this.#batcher.flush();
  }

  get pending(): number {
    return this.#batcher.pending;
  }

  #markHidden(id: string): boolean {
    return this.#buffer.replace(`c:${id}`, (row) => (row.kind === 'chat' && !row.hidden ? { ...row, hidden: true } : row));
  }

  #apply(events: EventEnvelope[]): void {
    const at = this.#clock();
    let changed = false;
    let rows: FeedRow[] = [];
    /** Where the like burst's row is in `rows` while it waits there (-1: in the buffer, or none). */
    let burstAt = -1;
    const append = () => {
      if (rows.length === 0) return;
      const added = this.#buffer.push(rows);
      rows = [];
      burstAt = -1;
      this.#appended += added;
      changed ||= added > 0;
    };
    for (const env of events) {
      const e = env.event;
      if (e.type === 'messageHidden') {
        append(); // the line may have come in this very batch
        changed = this.#markHidden(e.id) || changed;
        continue;
      }
      if (e.type === 'heldResolved') {
        append();
        const resolution = e.approved ? 'approved' : 'rejected';
        changed =
          this.#buffer.replace(`h:${e.id}`, (row) => (row.kind === 'held' ? { ...row, resolution } : row)) || changed;
        continue;
      }
      if (e.type === 'likes') {
        const before = this.#likes;
        this.#likes = before === null ? e.total : Math.max(before, e.total);
        if (before === null || e.total <= before) continue;
        const more = e.total - before;
        const burst = this.#burst;
        if (burst !== null && at - burst.startedAt < LIKE_BURST_MS) {
          // The burst's row may still be in this batch, or already in the buffer (it keeps its place).
          const grow = (row: FeedRow): FeedRow =>
            row.kind === 'likes' ? { ...row, count: row.count + more, total: e.total } : row;
          if (burstAt >= 0) {
            rows[burstAt] = grow(rows[burstAt]);
            continue;
          }
          if (this.#buffer.replace(burst.key, grow)) {
            changed = true;
            continue;
          }
        }
        const key = `l:${env.seq}`;
        this.#burst = { key, startedAt: at };
        burstAt = rows.push({ kind: 'likes', key, seq: env.seq, at, count: more, total: e.total }) - 1;
        continue;
      }
      if (e.type === 'audit') {
        // The line before names who did it: in this batch, or (split across batches) in the buffer.
        const last = rows.at(-1);
        if (last && auditOf(last, e)) rows[rows.length - 1] = { ...last, by: e.actor } as FeedRow;
        else if (last === undefined && this.#lastSystem !== null) {
          const key = this.#lastSystem;
          changed = this.#buffer.replace(key, (row) => (auditOf(row, e) ? ({ ...row, by: e.actor } as FeedRow) : row)) || changed;
        }
        this.#lastSystem = null;
        continue;
      }
      const row = rowFor(env, at);
      if (row) {
        rows.push(row);
        this.#lastSystem = isSystem(row) ? row.key : null;
      }
    }
    append();
    if (changed) this.#rows = this.#buffer.toArray();
    this.#onFlush(events);
  }
}
