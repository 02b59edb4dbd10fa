// Why: the room as the UI sees it — the latest snapshot plus every event after it, as Svelte 5 runes
// state — and the actions (status, moderation, hiding messages, mute-all, strikes and the strike
// ladder, held messages, undo, the word list, audit searches, the notice, the keyword lottery and
// broadcasts, user cards and notes, past streams, and the stream desk: push address, going live,
// stopping) with their bookkeeping; the stream's health and the current go-live run follow the desk's
// events; `role` is what this console is on its hub's team (the hub store sets it), so the UI offers
// only what the hub allows. The subscription's feed comes in order on one channel: a snapshot
// replaces the whole state whenever one arrives; events go through the chat feed's per-frame batcher,
// so a burst of events costs one render. Viewer levels for the chat are learnt from user cards and a few
// lookups a second (see levels.ts). Plain methods, testable in node.
import { SvelteMap } from 'svelte/reactivity';
import { auditQuery, isUndoable, type AuditExportFormat } from './audit';
import type {
  AppInfo,
  AuditLine,
  AuditQuery,
  BlockedLine,
  EventEnvelope,
  Feed,
  GiftLine,
  GoLiveProgress,
  HeldLine,
  MemberLine,
  ModAction,
  MuteLine,
  RoomEvent,
  RoomSnapshot,
  RoomStatus,
  StreamAddress,
  StreamHealth,
  StreamSession,
  StrikeLadder,
  UserCard,
  WireError,
  WordRule,
  DropMinute,
  LotteryLine,
  Role,
} from './bindings';
import type { Backend, NoticeChange } from './backend';
import { can, type Permission } from './roles';
import { ChatFeed, RingBuffer, type FeedRow, type Scheduler } from './feed';
import { advanceGoLive, runFromSnapshot } from './golive';
import { LevelBook } from './levels';
import { DEFAULT_LADDER } from './strikes';
import { END_OF_STREAM_MUTE_SECONDS, isMuteActive, PERMANENT_MUTE_SECONDS } from './time';
import { toWireError } from './wire';

export type ConnectionState = 'connecting' | 'connected' | 'error';

export interface GifterTotal {
  userId: string;
  /** Sum of count × unitPrice. */
  coins: number;
  /** Number of gifts (sum of counts). */
  gifts: number;
}

/** A word-filter block as listed for moderators, with a local key (the line has no id). */
export type FilteredLine = BlockedLine & { key: number };

export interface MuteOptions {
  reason?: string;
  /** Lifted when the stream ends (the `seconds` are then only the room's fallback bound). */
  untilEndOfStream?: boolean;
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
  /** How many audit lines to keep, the newest (default 200). */
  auditCap?: number;
  /** How many word-filter blocks to keep, the newest (default 100). */
  filteredCap?: number;
  /**
   * Look up the levels of viewers the feed shows, a few per `tick` (default true); levels from user
   * cards are kept either way.
   */
  levelLookups?: boolean;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Room {
  // ---- connection ----
  /** `connected` from the first snapshot on (subscribing is not enough: the snapshot comes on the feed). */
  connection = $state<ConnectionState>('connecting');
  /** The last subscribe error (`notReady` while waiting for the room to start). */
  connectionError = $state<WireError | null>(null);
  info = $state<AppInfo | null>(null);
  /**
   * What this console is on its hub's team (the hub store keeps it up to date; embedded: the owner).
   * The UI offers only what the role allows (see roles.ts); the hub refuses the rest anyway.
   */
  role = $state<Role>('owner');

  // ---- room ----
  /** The room's run the feed's sequence numbers belong to (from the latest snapshot). */
  epoch = $state(0);
  groupId = $state('');
  name = $state('');
  status = $state<RoomStatus>('upcoming');
  likes = $state(0);
  online = $state(0);
  /** Engagement score since the room opened (messages, likes, gifts, time online). */
  popularity = $state(0);
  /** The keyword lottery, once one was opened. */
  lottery = $state.raw<LotteryLine | null>(null);
  /** Chat feed rows, oldest first (bounded). */
  rows = $state.raw<readonly FeedRow[]>([]);
  /** Feed rows appended by events so far (for the "N new" pill). */
  appended = $state(0);
  /** Gift lines, oldest first (bounded). */
  gifts = $state.raw<readonly GiftLine[]>([]);
  /** The top gifters, kept up to date gift by gift (totals only grow: no full sort per gift). */
  topGifters = $state.raw<readonly GifterTotal[]>([]);
  /** Members present, most recent join first. */
  members = $state.raw<readonly MemberLine[]>([]);
  /** Mutes as reported (may include expired ones; see `activeMutes`). */
  muted = $state.raw<readonly MuteLine[]>([]);
  blocked = $state.raw<readonly string[]>([]);
  /** Messages held for review, oldest first. */
  held = $state.raw<readonly HeldLine[]>([]);
  /** Recent word-filter blocks (dropped or refused messages), oldest first (bounded). */
  filtered = $state.raw<readonly FilteredLine[]>([]);
  /** Recent audit lines, oldest first (bounded). */
  audit = $state.raw<readonly AuditLine[]>([]);
  /**
   * Audit lines this console undid. The room marks the original line (`undoneBy`) but sends no event
   * about it, so a successful undo is remembered here.
   */
  undone = $state.raw<ReadonlySet<number>>(new Set());
  /** How many word rules are in force. */
  words = $state(0);
  notice = $state('');
  introduction = $state('');
  /** Online-count readings, oldest first (the last hour). */
  onlineHistory = $state.raw<readonly { at: number; count: number }[]>([]);
  /** The 40 msg/s ceiling's drops, a minute a line, oldest first (the last hour). */
  drops = $state.raw<readonly DropMinute[]>([]);
  /** A status change still on its way to Tencent (being retried), if any. */
  statusSync = $state.raw<RoomSnapshot['statusSync']>(null);
  /** Everyone but admins is muted. */
  mutedAll = $state(false);
  /** What each strike within its window does. */
  strikeLadder = $state.raw<StrikeLadder>(DEFAULT_LADDER);
  /** The stream going on (`endedAt` null), or the last one. */
  session = $state.raw<StreamSession | null>(null);
  /** Both ends of the stream (OBS and the ingest), once the stream desk reports them. */
  streamHealth = $state.raw<StreamHealth | null>(null);
  /**
   * The current (or last) go-live run's reports, in step order: a new run starts with the address
   * step running. From a snapshot, only its last report (see `golive.ts`).
   */
  goLiveRun = $state.raw<readonly GoLiveProgress[]>([]);
  /** Clock for mute countdowns; advanced by `tick()`. */
  now = $state(0);

  activeMutes = $derived(this.muted.filter((m) => isMuteActive(m.until, this.now)));
  /** Who is muted now, for the chat's badges. */
  mutedNow = $derived(new Set(this.activeMutes.map((m) => m.userId)));
  /** Who is blocked from the room, for the chat's badges. */
  blockedNow = $derived(new Set(this.blocked));
  /** The ranks last handed out (kept while the order holds, so the chat's badges need no update). */
  #ranks = new Map<string, number>();
  /**
   * Top gifters' ranks (1 = the most), for the chat's badges: the same map while the order is the
   * same (a top gifter's total grows with most gifts; their rank rarely changes).
   */
  topRanks: ReadonlyMap<string, number> = $derived.by(() => {
    const top = this.topGifters;
    if (top.length !== this.#ranks.size || top.some((g, i) => this.#ranks.get(g.userId) !== i + 1)) {
      this.#ranks = new Map(top.map((g, i) => [g.userId, i + 1]));
    }
    return this.#ranks;
  });
  /** Viewer levels learnt so far (from user cards and lookups); read per user, reactively. */
  readonly levels = new SvelteMap<string, number>();

  readonly feed: ChatFeed;
  readonly #backend: Backend;
  readonly #clock: () => number;
  readonly #retryDelayMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #gifts: RingBuffer<GiftLine>;
  readonly #totals = new Map<string, GifterTotal>();
  readonly #topCount: number;
  readonly #memberCap: number;
  readonly #auditCap: number;
  readonly #filteredCap: number;
  /** Who hears each new gift as it arrives live (big-gift alerts). */
  readonly #giftListeners = new Set<(gift: GiftLine) => void>();
  /** Who hears each new audit line as it arrives live (the team list follows invites and revocations). */
  readonly #auditListeners = new Set<(line: AuditLine) => void>();
  readonly #levels: LevelBook;
  readonly #levelLookups: boolean;
  #filteredKey = 0;
  #connectRun = 0;
  #disposed = false;

  constructor(options: RoomOptions) {
    this.#backend = options.backend;
    this.#clock = options.clock ?? Date.now;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#topCount = options.topGifters ?? 5;
    this.#memberCap = options.memberCap ?? 100;
    this.#auditCap = options.auditCap ?? 200;
    this.#filteredCap = options.filteredCap ?? 100;
    this.#gifts = new RingBuffer<GiftLine>(options.giftCap ?? 200, 50, (g) => g.id);
    this.now = this.#clock();
    this.feed = new ChatFeed({
      cap: options.chatCap,
      chunk: options.chatChunk,
      schedule: options.schedule,
      clock: this.#clock,
      onFlush: (events) => this.#applyAll(events),
    });
    this.#levelLookups = options.levelLookups ?? true;
    this.#levels = new LevelBook({
      clock: this.#clock,
      lookup: async (userId) => (await this.#backend.userCard(userId)).level,
      onLevel: (userId, level) => this.levels.set(userId, level),
      onForget: (userId) => this.levels.delete(userId),
    });
  }

  get backend(): Backend {
    return this.#backend;
  }

  /**
   * Subscribe (again): while the room answers `notReady`, retry every `retryDelayMs`; any other
   * error leaves `connection = 'error'` with the message, for a manual retry. Connected once the
   * first snapshot arrives on the feed; a subscription replaced by a newer `connect` is not heard.
   */
  async connect(): Promise<void> {
    const run = ++this.#connectRun;
    this.connection = 'connecting';
    this.connectionError = null;
    this.feed.expectSnapshot();
    while (!this.#disposed && run === this.#connectRun) {
      try {
        await this.#backend.subscribe((item) => {
          if (!this.#disposed && run === this.#connectRun) this.receive(item);
        });
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

  /**
   * Hear each new gift line as it arrives live, once per gift id, in order. Gifts a snapshot brings
   * (on connecting, on a resync, after a restart) are history and are not heard, and neither are
   * events the feed drops as duplicates. Returns the unsubscribe.
   */
  onLiveGift(listener: (gift: GiftLine) => void): () => void {
    this.#giftListeners.add(listener);
    return () => void this.#giftListeners.delete(listener);
  }

  /**
   * Hear each audit line that arrives live (not those a snapshot brings, nor an update of a line
   * already here). Returns the unsubscribe.
   */
  onAudit(listener: (line: AuditLine) => void): () => void {
    this.#auditListeners.add(listener);
    return () => void this.#auditListeners.delete(listener);
  }

  /** Whether this console's role may do what `permission` covers. */
  can(permission: Permission): boolean {
    return can(this.role, permission);
  }

  /** Advance the countdown clock (the app calls it every second); a few level lookups go out. */
  tick(now = this.#clock()): void {
    this.now = now;
    if (this.#levelLookups) this.#levels.drain();
  }

  /** One item of the subscription's feed: a snapshot replaces the state; events are applied per frame. */
  receive(item: Feed): void {
    if (item.type === 'events') {
      this.feed.accept(item.events);
      return;
    }
    this.load(item.snapshot);
    this.connection = 'connected';
    this.connectionError = null;
  }

  /**
   * Replace everything with a snapshot (events pending from before it are dropped: it has them);
   * events after it follow through the feed.
   */
  load(s: RoomSnapshot): void {
    this.epoch = s.epoch;
    this.groupId = s.groupId;
    this.name = s.name;
    this.status = s.status;
    this.likes = s.likes;
    this.online = s.online;
    this.popularity = s.popularity;
    this.lottery = s.lottery;
    this.#gifts.clear();
    this.#gifts.push(s.gifts);
    this.#totals.clear();
    for (const g of s.gifts) this.#addTotal(g);
    this.gifts = this.#gifts.toArray();
    this.topGifters = [...this.#totals.values()].sort(byRank).slice(0, this.#topCount);
    this.members = dedupeMembers([...s.members].sort((a, b) => b.at - a.at)).slice(0, this.#memberCap);
    this.muted = [...new Map(s.muted.map((m) => [m.userId, m])).values()];
    this.blocked = [...new Set(s.blocked)];
    this.held = [...new Map(s.held.map((h) => [h.id, h])).values()].sort((a, b) => a.id - b.id);
    this.filtered = s.filtered.slice(-this.#filteredCap).map((line) => this.#filteredLine(line));
    this.audit = [...new Map(s.audit.map((l) => [l.id, l])).values()]
      .sort((a, b) => a.id - b.id)
      .slice(-this.#auditCap);
    this.words = s.words;
    this.drops = [...s.drops].sort((a, b) => a.at - b.at).slice(-60);
    this.notice = s.notice;
    this.introduction = s.introduction;
    this.onlineHistory = s.onlineHistory.slice(-720);
    this.statusSync = s.statusSync;
    this.mutedAll = s.mutedAll;
    this.strikeLadder = s.strikeLadder;
    this.session = s.session;
    this.streamHealth = s.streamHealth;
    this.goLiveRun = runFromSnapshot(s.goLive);
    this.undone = new Set();
    this.now = this.#clock();
    this.feed.load(s.seq, s.chat, { likes: s.likes, held: s.held, filtered: s.filtered });
    for (const line of s.chat.slice(-20)) this.#levels.want(line.userId);
    this.rows = this.feed.rows;
    this.appended = this.feed.appended;
  }

  // ---- queries ----

  /** The running mute of a user, if any. */
  muteOf(userId: string): MuteLine | null {
    return this.activeMutes.find((m) => m.userId === userId) ?? null;
  }

  isBlocked(userId: string): boolean {
    return this.blocked.includes(userId);
  }

  /** Whether an audit line was undone (as the room said, or by this console since). */
  isUndone(line: AuditLine): boolean {
    return line.undoneBy !== null || this.undone.has(line.id);
  }

  /** Whether the Undo button belongs on an audit line: a mute, kick or ban not undone yet. */
  canUndo(line: AuditLine): boolean {
    return isUndoable(line) && !this.isUndone(line);
  }

  // ---- actions (reject with WireError) ----

  /** Change the status; applied when the call succeeds even if the `status` event comes later. */
  async setStatus(to: RoomStatus): Promise<void> {
    await this.#call(() => this.#backend.setStatus(to));
    this.status = to;
  }

  /**
   * Any moderation action; the bookkeeping follows success (the events confirm it): a mute shows at
   * once, a kick or ban blocks, an unblock or unban lifts the block, a hidden line shows hidden,
   * mute-all shows on or off. A strike changes nothing here: the step it takes comes as events.
   */
  async moderate(action: ModAction): Promise<void> {
    await this.#call(() => this.#backend.moderate(action));
    switch (action.type) {
      case 'mute': {
        const secs = action.untilEndOfStream ? END_OF_STREAM_MUTE_SECONDS : action.seconds;
        this.#setMute(action.userId, Math.floor(this.#clock() / 1000) + Math.min(secs, PERMANENT_MUTE_SECONDS));
        break;
      }
      case 'unmute':
        this.#setMute(action.userId, null);
        break;
      case 'kick':
      case 'ban':
        this.#kicked(action.userId);
        break;
      case 'unblock':
      case 'unban':
        this.#unblocked(action.userId);
        break;
      case 'hide':
        if (this.feed.hide(action.msgId)) this.rows = this.feed.rows;
        break;
      case 'muteAll':
        this.mutedAll = action.on;
        break;
      case 'strike':
        break;
    }
  }

  /** Mute for `seconds` (4294967295: permanently), or until the end of the stream. */
  mute(userId: string, seconds: number, options: MuteOptions = {}): Promise<void> {
    const untilEndOfStream = options.untilEndOfStream ?? false;
    return this.moderate({
      type: 'mute',
      userId,
      seconds: untilEndOfStream ? END_OF_STREAM_MUTE_SECONDS : seconds,
      untilEndOfStream,
      reason: options.reason ?? '',
    });
  }

  unmute(userId: string, reason = ''): Promise<void> {
    return this.moderate({ type: 'unmute', userId, reason });
  }

  kick(userId: string, reason = ''): Promise<void> {
    return this.moderate({ type: 'kick', userId, reason });
  }

  ban(userId: string, seconds: number, reason = ''): Promise<void> {
    return this.moderate({ type: 'ban', userId, seconds, reason });
  }

  unban(userId: string): Promise<void> {
    return this.moderate({ type: 'unban', userId });
  }

  unblock(userId: string): Promise<void> {
    return this.moderate({ type: 'unblock', userId });
  }

  /** Hide a delivered chat message on every client (moderators still see it, marked). */
  hide(msgId: string, reason = ''): Promise<void> {
    return this.moderate({ type: 'hide', msgId, reason });
  }

  /** Mute everyone but the admins (`on`), or let everyone speak again. */
  setMuteAll(on: boolean, reason = ''): Promise<void> {
    return this.moderate({ type: 'muteAll', on, reason });
  }

  /** A strike: the room takes the ladder's next step for this viewer. */
  strike(userId: string, reason = ''): Promise<void> {
    return this.moderate({ type: 'strike', userId, reason });
  }

  /** Replace the strike ladder; applied here when the call succeeds (the event confirms it). */
  async setStrikeLadder(ladder: StrikeLadder): Promise<void> {
    await this.#call(() => this.#backend.setStrikeLadder(ladder));
    this.strikeLadder = ladder;
  }

  /** The latest `limit` streams, newest first. */
  sessions(limit: number): Promise<StreamSession[]> {
    return this.#ask(() => this.#backend.sessions(limit));
  }

  /** Approve (re-send) or reject a held message; it leaves the queue on success. */
  async resolveHeld(id: number, approve: boolean): Promise<void> {
    await this.#call(() => this.#backend.resolveHeld(id, approve));
    this.#dropHeld(id);
  }

  /**
   * Undo an audited mute, kick, ban or mute-all, or forgive a strike. On success the line counts as
   * undone here, and a mute, kick or ban is lifted at once (the events confirm it; a mute-all's undo
   * follows its event).
   */
  async undo(auditId: number): Promise<void> {
    await this.#call(() => this.#backend.undo(auditId));
    this.undone = new Set([...this.undone, auditId]);
    const line = this.audit.find((l) => l.id === auditId);
    if (line?.action === 'mute') this.#setMute(line.target, null);
    else if (line?.action === 'kick' || line?.action === 'ban') this.#unblocked(line.target);
  }

  /**
   * Change the notice and/or the introduction (a field left out stays); applied here when the call
   * succeeds (the `notice` event confirms it).
   */
  async setNotice(change: NoticeChange): Promise<void> {
    await this.#call(() => this.#backend.setNotice(change));
    if (change.notice !== null && change.notice !== undefined) this.notice = change.notice;
    if (change.introduction !== null && change.introduction !== undefined) this.introduction = change.introduction;
  }

  // ---- the keyword lottery and broadcasts ----

  /**
   * Open a keyword lottery; shown open (no entrants yet) when the call succeeds, the `lottery` event
   * confirms it and brings the entries.
   */
  async openLottery(keyword: string): Promise<void> {
    await this.#call(() => this.#backend.openLottery(keyword));
    this.lottery = { keyword: keyword.trim(), open: true, entrants: 0, winners: [], seed: null };
  }

  /** Stop taking entries; shown closed when the call succeeds. */
  async closeLottery(): Promise<void> {
    await this.#call(() => this.#backend.closeLottery());
    if (this.lottery) this.lottery = { ...this.lottery, open: false };
  }

  /** Close the lottery and draw up to `winners`; the winners show when the call succeeds. */
  async drawLottery(winners: number, seed: number | null = null): Promise<string[]> {
    const drawn = await this.#ask(() => this.#backend.drawLottery(winners, seed));
    if (this.lottery) this.lottery = { ...this.lottery, open: false, winners: drawn };
    return drawn;
  }

  /** Send an announcement to every live room of the app (or this one); audited. */
  broadcast(text: string): Promise<void> {
    return this.#call(() => this.#backend.broadcast(text));
  }
  // ---- end of the keyword lottery and broadcasts ----

  /** Everything about one viewer, for the user card (its level is remembered for the chat). */
  async userCard(userId: string): Promise<UserCard> {
    const card = await this.#ask(() => this.#backend.userCard(userId));
    this.#levels.set(userId, card.level);
    return card;
  }

  /** Keep a moderator's note about a viewer. */
  setNote(userId: string, note: string): Promise<void> {
    return this.#call(() => this.#backend.setNote(userId, note));
  }

  /** Search the audit log (newest first); fields left out match anything. */
  searchAudit(query: Partial<AuditQuery> = {}): Promise<AuditLine[]> {
    return this.#ask(() => this.#backend.audit(auditQuery(query)));
  }

  /** The audit lines `query` finds, as export text. */
  exportAudit(query: Partial<AuditQuery>, format: AuditExportFormat): Promise<string> {
    return this.#ask(() => this.#backend.exportAudit(auditQuery(query), format));
  }

  /** The word list in force, in the import format. */
  async wordsText(): Promise<string> {
    const rules = await this.#ask(() => this.#backend.words());
    this.words = rules.length;
    return this.#ask(() => this.#backend.formatWords(rules));
  }

  /** Reads the import format; rejects with a WireError naming the bad line. */
  parseWords(text: string): Promise<WordRule[]> {
    return this.#ask(() => this.#backend.parseWords(text));
  }

  /** Parses `text` and replaces the word list with it; resolves with the rules saved. */
  async saveWords(text: string): Promise<WordRule[]> {
    const rules = await this.parseWords(text);
    await this.#call(() => this.#backend.setWords(rules));
    this.words = rules.length;
    return rules;
  }

  // ---- the stream desk (the owner's console) ----

  /** The push address in use: a credential (show its key masked). */
  streamAddress(): Promise<StreamAddress> {
    return this.#ask(() => this.#backend.streamAddress());
  }

  /** A fresh push address; `rotate` switches to the other push key. */
  renewStreamAddress(rotate = false): Promise<StreamAddress> {
    return this.#ask(() => this.#backend.renewStreamAddress(rotate));
  }

  /** Puts the push address into OBS (read back). */
  applyToObs(): Promise<void> {
    return this.#call(() => this.#backend.applyToObs());
  }

  /** Runs the go-live loop; its steps arrive as `goLive` events, its failure as the rejection. */
  goLive(): Promise<void> {
    return this.#call(() => this.#backend.goLive());
  }

  /** Stops OBS's stream; with `end`, the room's stream ends too (the events say so). */
  stopStream(end: boolean): Promise<void> {
    return this.#call(() => this.#backend.stopStream(end));
  }

  // ---- internals ----

  async #call(run: () => Promise<void>): Promise<void> {
    await this.#ask(run);
  }

  async #ask<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw toWireError(e);
    }
  }

  #applyAll(events: EventEnvelope[]): void {
    let giftsChanged = false;
    for (const { event } of events) {
      giftsChanged = this.#apply(event) || giftsChanged;
      if (event.type === 'chat' || event.type === 'gift' || event.type === 'held' || event.type === 'blocked') {
        this.#levels.want(event.userId);
      }
    }
    if (giftsChanged) this.gifts = this.#gifts.toArray();
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
        this.#climb(this.#addTotal(line));
        for (const listener of this.#giftListeners) listener(line);
        return true;
      }
      case 'likes':
        this.likes = e.total;
        return false;
      case 'online':
        this.online = e.count;
        this.onlineHistory = [...this.onlineHistory, { at: this.#clock(), count: e.count }].slice(-720);
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
      case 'held':
        if (!this.held.some((h) => h.id === e.id)) {
          this.held = [...this.held, { id: e.id, userId: e.userId, text: e.text, pattern: e.pattern, at: e.at }];
        }
        return false;
      case 'heldResolved':
        this.#dropHeld(e.id);
        return false;
      case 'blocked':
        this.filtered = [
          ...this.filtered,
          this.#filteredLine({ userId: e.userId, text: e.text, pattern: e.pattern, action: e.action, at: e.at }),
        ].slice(-this.#filteredCap);
        return false;
      case 'userUnblocked':
        this.#unblocked(e.userId);
        return false;
      case 'audit': {
        const line: AuditLine = {
          id: e.id,
          at: e.at,
          actor: e.actor,
          action: e.action,
          target: e.target,
          detail: e.detail,
          reason: e.reason,
          duration: e.duration,
          undoneBy: e.undoneBy,
        };
        if (this.audit.some((l) => l.id === line.id)) {
          this.audit = this.audit.map((l) => (l.id === line.id ? line : l));
        } else {
          this.audit = [...this.audit, line].slice(-this.#auditCap);
          for (const listener of this.#auditListeners) listener(line);
        }
        return false;
      }
      case 'words':
        this.words = e.count;
        return false;
      case 'notice':
        this.notice = e.notice;
        this.introduction = e.introduction;
        return false;
      case 'popularity':
        this.popularity = e.score;
        return false;
      case 'lottery':
        this.lottery = { keyword: e.keyword, open: e.open, entrants: e.entrants, winners: e.winners, seed: e.seed };
        return false;
      case 'drops': {
        const minute: DropMinute = { at: e.at, high: e.high, normal: e.normal, low: e.low };
        const rest = this.drops.filter((m) => m.at !== minute.at);
        this.drops = [...rest, minute].sort((a, b) => a.at - b.at).slice(-60);
        return false;
      }
      case 'messageHidden':
        return false; // the feed marks the chat row
      case 'muteAll':
        this.mutedAll = e.on;
        return false;
      case 'strikeLadder':
        this.strikeLadder = { steps: e.steps, windowSecs: e.windowSecs, fromFilter: e.fromFilter };
        return false;
      case 'session':
        this.session = {
          id: e.id,
          startedAt: e.startedAt,
          endedAt: e.endedAt,
          peakOnline: e.peakOnline,
          messages: e.messages,
          likes: e.likes,
          giftValue: e.giftValue,
        };
        return false;
      case 'renamed':
        this.name = e.name;
        return false;
      case 'statusSync':
        this.statusSync = e.synced ? null : { status: e.status, synced: e.synced, error: e.error, attempts: e.attempts };
        return false;
      case 'streamHealth':
        this.streamHealth = { obs: e.obs, ingest: e.ingest, pushExpiresAt: e.pushExpiresAt, autoPause: e.autoPause };
        return false;
      case 'goLive':
        this.goLiveRun = advanceGoLive(this.goLiveRun, {
          step: e.step,
          state: e.state,
          message: e.message,
          actor: e.actor,
          at: e.at,
        });
        return false;
    }
  }

  #dropHeld(id: number): void {
    if (this.held.some((h) => h.id === id)) this.held = this.held.filter((h) => h.id !== id);
  }

  #unblocked(userId: string): void {
    if (this.blocked.includes(userId)) this.blocked = this.blocked.filter((u) => u !== userId);
  }

  #filteredLine(line: BlockedLine): FilteredLine {
    return { ...line, key: ++this.#filteredKey };
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

  #addTotal(g: GiftLine): GifterTotal {
    const t = this.#totals.get(g.userId) ?? { userId: g.userId, coins: 0, gifts: 0 };
    const total = { userId: g.userId, coins: t.coins + g.count * g.unitPrice, gifts: t.gifts + g.count };
    this.#totals.set(g.userId, total);
    return total;
  }

  /**
   * A gifter's total grew: the top list changes only if they are in it (they may move up) or now
   * outrank its last (they enter). Everyone else's total is as it was, so that is all there is to do.
   */
  #climb(total: GifterTotal): void {
    if (this.#topCount <= 0) return;
    const top = this.topGifters;
    const i = top.findIndex((g) => g.userId === total.userId);
    if (i < 0 && top.length >= this.#topCount && byRank(total, top[top.length - 1]) > 0) return;
    const next = i < 0 ? [...top, total] : top.map((g, j) => (j === i ? total : g));
    this.topGifters = next.sort(byRank).slice(0, this.#topCount);
  }
}

/** Most coins first, then most gifts, then by user id (a stable order for equal totals). */
function byRank(a: GifterTotal, b: GifterTotal): number {
  return b.coins - a.coins || b.gifts - a.gifts || a.userId.localeCompare(b.userId);
}

function dedupeMembers(members: MemberLine[]): MemberLine[] {
  const seen = new Set<string>();
  return members.filter((m) => (seen.has(m.userId) ? false : (seen.add(m.userId), true)));
}
