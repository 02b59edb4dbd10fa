// Why: the room as the UI sees it — the snapshot plus every event applied, as Svelte 5 runes state —
// and the actions (status, mute, kick) with their bookkeeping. Events reach it through the chat
// feed's per-frame batcher, so a burst of events costs one render. Plain methods, testable in node.
import type {
  AppInfo,
  EventEnvelope,
  GiftLine,
  MemberLine,
  MuteLine,
  RoomEvent,
  RoomSnapshot,
  RoomStatus,
  WireError,
} from './bindings';
import type { Backend } from './backend';
import { ChatFeed, RingBuffer, type FeedRow, type Scheduler } from './feed';
import { isMuteActive, PERMANENT_MUTE_SECONDS } from './time';
import { toWireError } from './wire';

export type ConnectionState = 'connecting' | 'connected' | 'error';

export interface GifterTotal {
  userId: string;
  /** Sum of count × unitPrice. */
  coins: number;
  /** Number of gifts (sum of counts). */
  gifts: number;
}

export interface RoomOptions {
  backend: Backend;
  /** Flush scheduler for incoming events (default: next animation frame). */
  schedule?: Scheduler;
  /** Unix-ms clock (default `Date.now`). */
  clock?: () => number;
  /** Wait between subscribe attempts while the room is `notReady` (default 1000 ms). */
  retryDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  chatCap?: number;
  chatChunk?: number;
  giftCap?: number;
  /** How many top gifters to keep (default 5). */
  topGifters?: number;
  /** How many recent members to keep (default 100). */
  memberCap?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Room {
  // ---- connection ----
  connection = $state<ConnectionState>('connecting');
  /** The last subscribe error (`notReady` while waiting for the room to start). */
  connectionError = $state<WireError | null>(null);
  info = $state<AppInfo | null>(null);

  // ---- room ----
  groupId = $state('');
  name = $state('');
  status = $state<RoomStatus>('upcoming');
  likes = $state(0);
  online = $state(0);
  /** Chat feed rows, oldest first (bounded). */
  rows = $state.raw<readonly FeedRow[]>([]);
  /** Feed rows appended by events so far (for the "N new" pill). */
  appended = $state(0);
  /** Gift lines, oldest first (bounded). */
  gifts = $state.raw<readonly GiftLine[]>([]);
  topGifters = $state.raw<readonly GifterTotal[]>([]);
  /** Members present, most recent join first. */
  members = $state.raw<readonly MemberLine[]>([]);
  /** Mutes as reported (may include expired ones; see `activeMutes`). */
  muted = $state.raw<readonly MuteLine[]>([]);
  blocked = $state.raw<readonly string[]>([]);
  /** Clock for mute countdowns; advanced by `tick()`. */
  now = $state(0);

  activeMutes = $derived(this.muted.filter((m) => isMuteActive(m.until, this.now)));

  readonly feed: ChatFeed;
  readonly #backend: Backend;
  readonly #clock: () => number;
  readonly #retryDelayMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #gifts: RingBuffer<GiftLine>;
  readonly #totals = new Map<string, GifterTotal>();
  readonly #topCount: number;
  readonly #memberCap: number;
  #connectRun = 0;
  #disposed = false;

  constructor(options: RoomOptions) {
    this.#backend = options.backend;
    this.#clock = options.clock ?? Date.now;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#topCount = options.topGifters ?? 5;
    this.#memberCap = options.memberCap ?? 100;
    this.#gifts = new RingBuffer<GiftLine>(options.giftCap ?? 200, 50, (g) => g.id);
    this.now = this.#clock();
    this.feed = new ChatFeed({
      cap: options.chatCap,
      chunk: options.chatChunk,
      schedule: options.schedule,
      clock: this.#clock,
      onFlush: (events) => this.#applyAll(events),
    });
  }

  get backend(): Backend {
    return this.#backend;
  }

  /**
   * Subscribe (again): while the room answers `notReady`, retry every `retryDelayMs`; any other
   * error leaves `connection = 'error'` with the message, for a manual retry.
   */
  async connect(): Promise<void> {
    const run = ++this.#connectRun;
    this.connection = 'connecting';
    this.connectionError = null;
    this.feed.expectSnapshot();
    while (!this.#disposed && run === this.#connectRun) {
      try {
        const snapshot = await this.#backend.subscribe((batch) => this.feed.accept(batch));
        if (this.#disposed || run !== this.#connectRun) return;
        this.load(snapshot);
        this.connection = 'connected';
        this.connectionError = null;
        return;
      } catch (e) {
        if (this.#disposed || run !== this.#connectRun) return;
        const error = toWireError(e);
        this.connectionError = error;
        if (error.code !== 'notReady') {
          this.connection = 'error';
          return;
        }
        this.connection = 'connecting';
        await this.#sleep(this.#retryDelayMs);
      }
    }
  }

  /** App info for the header (mode badge); a failure only hides the badge. */
  async loadInfo(): Promise<void> {
    try {
      this.info = await this.#backend.appInfo();
    } catch {
      this.info = null;
    }
  }

  dispose(): void {
    this.#disposed = true;
  }

  /** Advance the countdown clock (the app calls it every second). */
  tick(now = this.#clock()): void {
    this.now = now;
  }

  /** Replace everything with a snapshot; events newer than it follow through the feed. */
  load(s: RoomSnapshot): void {
    this.groupId = s.groupId;
    this.name = s.name;
    this.status = s.status;
    this.likes = s.likes;
    this.online = s.online;
    this.#gifts.clear();
    this.#gifts.push(s.gifts);
    this.#totals.clear();
    for (const g of s.gifts) this.#addTotal(g);
    this.gifts = this.#gifts.toArray();
    this.topGifters = this.#top();
    this.members = dedupeMembers([...s.members].sort((a, b) => b.at - a.at)).slice(0, this.#memberCap);
    this.muted = [...new Map(s.muted.map((m) => [m.userId, m])).values()];
    this.blocked = [...new Set(s.blocked)];
    this.now = this.#clock();
    this.feed.load(s.seq, s.chat);
    this.rows = this.feed.rows;
    this.appended = this.feed.appended;
  }

  /** Hand a batch to the feed (as the channel does); it is applied on the next frame. */
  ingest(batch: EventEnvelope[]): void {
    this.feed.accept(batch);
  }

  // ---- queries ----

  /** The running mute of a user, if any. */
  muteOf(userId: string): MuteLine | null {
    return this.activeMutes.find((m) => m.userId === userId) ?? null;
  }

  isBlocked(userId: string): boolean {
    return this.blocked.includes(userId);
  }

  // ---- actions (reject with WireError) ----

  /** Change the status; applied when the call succeeds even if the `status` event comes later. */
  async setStatus(to: RoomStatus): Promise<void> {
    await this.#call(() => this.#backend.setStatus(to));
    this.status = to;
  }

  /** Mute for `seconds` (0 unmutes); the bookkeeping follows success, the event confirms it. */
  async mute(userId: string, seconds: number): Promise<void> {
    await this.#call(() => this.#backend.mute(userId, seconds));
    const nowSec = Math.floor(this.#clock() / 1000);
    this.#setMute(userId, seconds === 0 ? null : nowSec + Math.min(seconds, PERMANENT_MUTE_SECONDS));
  }

  unmute(userId: string): Promise<void> {
    return this.mute(userId, 0);
  }

  async kick(userId: string): Promise<void> {
    await this.#call(() => this.#backend.kick(userId));
    this.#kicked(userId);
  }

  // ---- internals ----

  async #call(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (e) {
      throw toWireError(e);
    }
  }

  #applyAll(events: EventEnvelope[]): void {
    let giftsChanged = false;
    for (const { event } of events) giftsChanged = this.#apply(event) || giftsChanged;
    if (giftsChanged) {
      this.gifts = this.#gifts.toArray();
      this.topGifters = this.#top();
    }
    this.rows = this.feed.rows;
    this.appended = this.feed.appended;
  }

  /** Applies one event; returns whether the gift list changed. */
  #apply(e: RoomEvent): boolean {
    switch (e.type) {
      case 'chat':
        return false; // the feed keeps the chat rows
      case 'gift': {
        const line: GiftLine = {
          id: e.id,
          userId: e.userId,
          giftId: e.giftId,
          giftName: e.giftName,
          count: e.count,
          unitPrice: e.unitPrice,
          at: e.at,
        };
        if (this.#gifts.push([line]) === 0) return false;
        this.#addTotal(line);
        return true;
      }
      case 'likes':
        this.likes = e.total;
        return false;
      case 'online':
        this.online = e.count;
        return false;
      case 'status':
        this.status = e.status;
        return false;
      case 'memberJoined':
        this.members = [
          { userId: e.userId, at: e.at },
          ...this.members.filter((m) => m.userId !== e.userId),
        ].slice(0, this.#memberCap);
        return false;
      case 'memberLeft':
        if (this.members.some((m) => m.userId === e.userId)) {
          this.members = this.members.filter((m) => m.userId !== e.userId);
        }
        return false;
      case 'userMuted':
        this.#setMute(e.userId, e.until);
        return false;
      case 'userKicked':
        this.#kicked(e.userId);
        return false;
      case 'joinRefused':
        if (!this.blocked.includes(e.userId)) this.blocked = [...this.blocked, e.userId];
        return false;
    }
  }

  #setMute(userId: string, until: number | null): void {
    const rest = this.muted.filter((m) => m.userId !== userId);
    this.muted = until === null ? rest : [...rest, { userId, until }];
  }

  #kicked(userId: string): void {
    if (this.members.some((m) => m.userId === userId)) {
      this.members = this.members.filter((m) => m.userId !== userId);
    }
    if (!this.blocked.includes(userId)) this.blocked = [...this.blocked, userId];
  }

  #addTotal(g: GiftLine): void {
    const t = this.#totals.get(g.userId) ?? { userId: g.userId, coins: 0, gifts: 0 };
    this.#totals.set(g.userId, { userId: g.userId, coins: t.coins + g.count * g.unitPrice, gifts: t.gifts + g.count });
  }

  #top(): GifterTotal[] {
    return [...this.#totals.values()]
      .sort((a, b) => b.coins - a.coins || b.gifts - a.gifts || a.userId.localeCompare(b.userId))
      .slice(0, this.#topCount);
  }
}

function dedupeMembers(members: MemberLine[]): MemberLine[] {
  const seen = new Set<string>();
  return members.filter((m) => (seen.has(m.userId) ? false : (seen.add(m.userId), true)));
}
