// Why: an in-memory room behind the `Backend` interface. Tests drive it (push events, inject the next
// failure, inspect calls); in a plain browser (`npm run dev`) it simulates a busy multilingual room
// so the UI can be seen and worked on without the Rust side. It mirrors the room actor where the UI
// can tell: the subscription's feed (a snapshot first, a fresh one when told to resync or restart),
// moderation with audit lines and undo, hidden messages and mute-all, strikes climbing the strike
// ladder (by hand and from the word filter), the word filter holding or blocking messages, the held
// queue, the word list's text format, per-viewer counters and notes for user cards, stream sessions,
// the notice (bytes checked like Rust), the keyword lottery (entries, closing, seeded draws) and
// broadcasts, the popularity score, and the stream desk (push address, going
// live step by step, stopping, health; see fake-stream.ts), and the settings (saved in memory, checked
// like the app, secrets write-only; see fake-settings.ts), and the hub in front of it all (the team in
// fake-team.ts; every command checked against this console's role as the hub checks it, refusals
// audited, and nothing sent while the link is down). Seeded, so a seed replays exactly.
import { auditQuery, exportAuditText, isUndoable, matchesAudit, type AuditExportFormat } from './audit';
import type {
  AppInfo,
  AuditAction,
  AuditLine,
  AuditQuery,
  ChatLine,
  EventEnvelope,
  Feed,
  GiftLine,
  GoLiveStep,
  HeldLine,
  HubConnection,
  HubJoined,
  Invite,
  LotteryLine,
  Me,
  ModAction,
  Person,
  Role,
  RoomEvent,
  RoomSnapshot,
  RoomStatus,
  SecretChange,
  Settings,
  SettingsView,
  StreamAddress,
  StreamSession,
  StrikeLadder,
  TeamMember,
  UserCard,
  WireError,
  WordRule,
} from './bindings';
import type { Backend, NoticeChange } from './backend';
import { FAKE_HUB_URL, FakeTeam, type FakeTeamOptions } from './fake-team';
import { DEFAULT_INVITE_SECS } from './team';
import { FakeSettings, type FakeSettingsOptions } from './fake-settings';
import { FakeStreamDesk, NOT_SET_UP, type FakeStreamOptions } from './fake-stream';
import { BROADCAST_RULE, broadcastProblem, noteProblem, noticeProblem, utf8Bytes } from './limits';
import {
  KEYWORD_RULE,
  LOTTERY_NONE,
  LOTTERY_NONE_OPEN,
  LOTTERY_OPEN_ALREADY,
  WINNERS_MAX,
  carriesKeyword,
  drawWinners,
  keywordProblem,
} from './lottery';
import { mulberry32 } from './prng';
import { HUB_DESCRIBES, HUB_ROUTES, can, commandPermission, isHubCommand, type HubCommand } from './roles';
import { TRANSITIONS, canBecome } from './status';
import {
  DEFAULT_LADDER,
  FILTER_STRIKE_GAP,
  STEP_KINDS,
  hasDuration,
  ladderProblem,
  ladderStep,
  stepAction,
  stepDetail,
} from './strikes';
import { END_OF_STREAM_MUTE_SECONDS, PERMANENT_MUTE_SECONDS } from './time';
import { BLOCKED_FOREVER, CARD_ACTIONS, CARD_MESSAGES, levelFor } from './usercard';
import { checkWords, formatWordList, isWordAction, parseWordList } from './words';

export { mulberry32 };

export type FakeMethod =
  | 'subscribe'
  | 'setStatus'
  | 'moderate'
  | 'words'
  | 'setWords'
  | 'parseWords'
  | 'formatWords'
  | 'resolveHeld'
  | 'audit'
  | 'exportAudit'
  | 'undo'
  | 'userCard'
  | 'setNote'
  | 'setNotice'
  | 'openLottery'
  | 'closeLottery'
  | 'drawLottery'
  | 'broadcast'
  | 'setStrikeLadder'
  | 'sessions'
  | 'appInfo'
  | 'systemLocale'
  | 'popOutChat'
  | 'popInChat'
  | 'streamAddress'
  | 'renewStreamAddress'
  | 'applyToObs'
  | 'goLive'
  | 'stopStream'
  | 'settings'
  | 'saveSettings'
  | 'restart'
  | 'joinHub'
  | 'hubConnection'
  | 'hubMe'
  | 'team'
  | 'people'
  | 'invite'
  | 'revoke';

export interface FakeCall {
  method: FakeMethod;
  args: unknown[];
}

export interface FakeOptions {
  /** PRNG seed for the simulation (default 1). */
  seed?: number;
  /** Unix-ms clock for event times (default `Date.now`). */
  clock?: () => number;
  /** Delay before every call settles (default 0: next microtask). */
  latencyMs?: number;
  /** Simulated history to start with, in simulation steps (default 0). */
  history?: number;
  /** Overrides for the initial room (`words` follows the word list). */
  room?: Partial<Omit<RoomSnapshot, 'seq' | 'words'>>;
  /** The initial word list (default `SAMPLE_WORDS`). */
  words?: WordRule[];
  /**
   * Streams before this one, oldest first (for `sessions`); the last is the room's `session` unless
   * `room.session` says otherwise.
   */
  sessions?: StreamSession[];
  info?: Partial<AppInfo>;
  /**
   * The stream desk (default: set up, with OBS and a CSS key); `null`: going live is not set up, and
   * the stream commands are refused as the app refuses them.
   */
  stream?: FakeStreamOptions | null;
  /** The saved settings (default: nothing saved, no environment overrides, the OS keychain). */
  settings?: FakeSettingsOptions;
  /**
   * Who has entered the lottery the room starts with (`room.lottery`), so a draw has someone to
   * pick; its `entrants` count follows this list. Default: that many made-up viewers.
   */
  lotteryEntrants?: string[];
  /**
   * The IM edition sends a broadcast to every room at once (default true, as the sandbox's default
   * edition); false: to this room only, as the room falls back to without it.
   */
  nativeBroadcast?: boolean;
  /** What `systemLocale` answers (default null: unknown, the UI falls back to the browser's). */
  systemLocale?: string | null;
  /**
   * The chat window: `simulated` (default) only keeps the state and reports it, for tests;
   * `browser` (the preview) opens `?view=chat` with `window.open`, and reports it closed when the
   * browser window goes. A browser window has its own simulated room, as every page does.
   */
  chatWindow?: 'simulated' | 'browser';
  /** The hub's team and this console's place on it (default: the owner of an embedded hub). */
  team?: FakeTeamOptions;
}

/** Simulated viewers: user ids as a multilingual room would have them. */
const USERS = {
  en: ['ava_rose', 'leo.streams', 'nightowl42', 'maple_tea', 'jordan_k'],
  zh: ['小龙女', '星河漫游', '阿杰_88', '橘子汽水', '夜猫子'],
  ko: ['지민이', '하늘바람', '별빛소녀', '민준_kr'],
  ja: ['さくら_jp', 'たけし', 'ゆきんこ', 'ハル'],
} as const;

/** Simulated chat: content from viewers, not UI strings. */
const LINES = {
  en: [
    'hello from Toronto!',
    'this song is so good',
    'can you play it one more time?',
    'lol',
    'first time here 👋',
    'GG!',
    'what keyboard is that?',
    'the audio is a bit quiet',
  ],
  zh: ['主播好！', '这首歌太好听了', '来了来了', '哈哈哈哈哈', '支持主播！', '今天几点下播？', '声音有点小'],
  ko: ['안녕하세요!', '노래 너무 좋아요', 'ㅋㅋㅋㅋ', '오늘 방송 최고예요', '처음 왔어요', '한 곡 더 해주세요'],
  ja: ['こんばんは！', 'この曲好き', '草', '初見です', 'おつかれさまです', 'もう一回お願いします'],
} as const;

const GIFTS = [
  { giftId: 'rose', giftName: 'Rose 🌹', unitPrice: 1 },
  { giftId: 'heart', giftName: 'Heart 💖', unitPrice: 5 },
  { giftId: 'lantern', giftName: 'Lantern 🏮', unitPrice: 52 },
  { giftId: 'rocket', giftName: 'Rocket 🚀', unitPrice: 520 },
  { giftId: 'castle', giftName: 'Castle 🏰', unitPrice: 1314 },
] as const;

/** Simulated messages the sample word list catches (hold, drop or refuse). */
const BAD_LINES = {
  en: ['FREE COINS on my profile!!', 's p a m s p a m', 'you are an idiot'],
  zh: ['加 微 信 领福利', '免费金币，快来'],
  ko: ['아 시 발 진짜', '무료 코인 받아가세요 free coins'],
  ja: ['ﾊﾞｶじゃないの', '無料コイン free-coins'],
} as const;

/** The fake room's word list unless a test gives one. */
export const SAMPLE_WORDS: readonly WordRule[] = [
  { pattern: 'free coins', action: 'hold' },
  { pattern: 'idiot', action: 'hold' },
  { pattern: 'spam', action: 'drop' },
  { pattern: '加微信', action: 'refuse' },
  { pattern: '免费金币', action: 'hold' },
  { pattern: '시발', action: 'drop' },
  { pattern: 'バカ', action: 'hold' },
];

/** Another moderator of the simulated room, so the audit log shows more than the anchor. */
const OTHER_MODERATOR = 'mod_mei';
/** How long a held message waits before the other moderator may review it. */
const HELD_REVIEW_AFTER_MS = 45_000;
const REASONS = ['spamming links', '刷屏', '욕설', '荒らし', ''] as const;

/** The console's own name in the audit log (Rust: `room::actor::ANCHOR`). */
export const ANCHOR = 'anchor';
/** The actor of strikes the word filter gives (Rust: `room::actor::FILTER`). */
export const FILTER = 'word filter';

const BLOCKED_USER = 'spam_bot_9';
/** Snapshot history the fake keeps, like a real room's bounded backlog. */
const KEEP_CHAT = 200;
const KEEP_GIFTS = 100;
const KEEP_MEMBERS = 200;
const KEEP_FILTERED = 100;
/** Audit lines in a snapshot (the newest), and how far back undo reaches (Rust: 100 and 500). */
const SNAPSHOT_AUDIT = 100;
const UNDO_REACH = 500;
const KEEP_LOG = 10_000;
const U32_MAX = 4294967295;
/** Simulation steps between popularity and stream reports (the room reports them on its tick). */
const POPULARITY_EVERY_STEPS = 10;
/** User IDs: 1 to 32 bytes (the Rust side also limits the characters; see the UI notes). */
const USER_ID_BYTES = 32;
/** A message id to hide: 1 to 64 bytes (Rust: `ModAction::Hide`). */
const MSG_ID_BYTES = 64;

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Why a command cannot be sent while the link is `link` (Rust: `RemoteRoom::unavailable`). */
function unavailable(link: Exclude<HubConnection, { type: 'connected' }>): WireError {
  switch (link.type) {
    case 'connecting':
      return { code: 'notReady', message: `AnchorDesk is still connecting to the hub at ${FAKE_HUB_URL}` };
    case 'reconnecting':
      return { code: 'offline', message: `the hub is unreachable (${link.reason}); this was not done — try again once reconnected` };
    case 'revoked':
    case 'unauthorized':
      return { code: 'forbidden', message: `${link.reason}; this was not done` };
    case 'failed':
      return { code: 'offline', message: `${link.reason}; this was not done` };
  }
}

function invalid(message: string): WireError {
  return { code: 'invalid', message };
}

function checkUserId(userId: unknown): void {
  if (typeof userId !== 'string' || userId === '' || new TextEncoder().encode(userId).length > USER_ID_BYTES) {
    throw invalid(`${JSON.stringify(userId)} is not a valid user ID: use 1 to 32 bytes`);
  }
}

/** A ladder as the wire would carry it (the room's own checks follow). */
function checkLadderShape(ladder: unknown): StrikeLadder {
  const l = ladder as StrikeLadder | null;
  const fine =
    typeof l === 'object' &&
    l !== null &&
    Array.isArray(l.steps) &&
    typeof l.windowSecs === 'number' &&
    typeof l.fromFilter === 'boolean' &&
    l.steps.every(
      (s) =>
        STEP_KINDS.includes(s?.type) &&
        (!hasDuration(s.type) || ('seconds' in s && Number.isInteger(s.seconds) && s.seconds >= 0 && s.seconds <= U32_MAX)),
    );
  if (!fine) throw invalid(`${JSON.stringify(ladder)} is not a strike ladder`);
  return {
    steps: l.steps.map((s) =>
      'seconds' in s && hasDuration(s.type) ? { type: s.type, seconds: s.seconds } : { type: s.type },
    ) as StrikeLadder['steps'],
    windowSecs: l.windowSecs,
    fromFilter: l.fromFilter,
  };
}

function checkSeconds(seconds: unknown, what: string): number {
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0 || seconds > U32_MAX) {
    throw invalid(`${what} seconds must be 0..=${U32_MAX}`);
  }
  return seconds;
}

type AuditFields = Omit<AuditLine, 'id' | 'at' | 'undoneBy'>;

/** What the room's store keeps about a viewer (Rust: the `users` table plus their messages). */
interface Viewer {
  /** Unix seconds. */
  firstSeen: number;
  lastSeen: number;
  messages: number;
  likes: number;
  giftValue: number;
  onlineSecs: number;
  note: string;
  /** The latest messages, oldest first. */
  recent: ChatLine[];
  /** Messages in stream `streamId` (the current or last stream). */
  streamMessages: number;
  streamId: number;
}

/** A strike still remembered: when (unix s) and the audit line that recorded it. */
interface Strike {
  at: number;
  audit: number;
}

/** The keyword lottery as the room keeps it (Rust: `room::lottery::Lottery`). */
interface Lottery {
  /** As shown (trimmed). */
  keyword: string;
  open: boolean;
  /** Who entered, once each. */
  pool: Set<string>;
  winners: string[];
  seed: number | null;
}

export class FakeBackend implements Backend {
  readonly calls: FakeCall[] = [];
  readonly #random: () => number;
  readonly #clock: () => number;
  readonly #latencyMs: number;
  readonly #info: AppInfo;
  readonly #room: RoomSnapshot;
  readonly #subscribers = new Set<(feed: Feed) => void>();
  readonly #failures = new Map<FakeMethod, WireError[]>();
  readonly #holds = new Map<FakeMethod, Promise<void>[]>();
  /** The whole audit log, oldest first (the snapshot carries only the newest). */
  #log: AuditLine[] = [];
  #words: WordRule[];
  /** Users muted until the end of the stream: unmuted when the room goes to `ended`. */
  readonly #eosMuted = new Set<string>();
  /** Per-viewer counters and notes, for user cards. */
  readonly #viewers = new Map<string, Viewer>();
  /** When present members joined (unix ms), to count their time online when they leave. */
  readonly #joinedAt = new Map<string, number>();
  /** Bans' ends (unix s); a blocked user without one was kicked (no end). */
  readonly #bannedUntil = new Map<string, number>();
  /** Strikes within the ladder's window, per viewer. */
  readonly #strikes = new Map<string, Strike[]>();
  /** When (unix s) the word filter last gave each viewer a strike. */
  readonly #lastFilterStrike = new Map<string, number>();
  /** Every stream as last reported, oldest first (the store's `stream_sessions`). */
  #sessions: StreamSession[] = [];
  /** The current stream's counters changed since it was last reported. */
  #sessionDirty = false;
  /** The popularity last reported with an event. */
  #popularitySent = 0;
  #stepsSinceReport = 0;
  #nextChatId = 1000;
  #nextAudit = 1;
  #nextHeld = 1;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The lottery, once one was opened. */
  #lottery: Lottery | null = null;
  /** Entries came in since the lottery was last reported. */
  #lotteryDirty = false;
  readonly #nativeBroadcast: boolean;
  /** The stream desk, when going live is set up. */
  readonly #desk: FakeStreamDesk | null;
  /** The saved settings and secrets, and what runs until a restart. */
  readonly #settings: FakeSettings;
  readonly #team: FakeTeam;
  readonly #systemLocale: string | null;
  readonly #chatWindowMode: 'simulated' | 'browser';
  readonly #chatListeners = new Set<(open: boolean) => void>();
  #chatOpen = false;
  /** The preview's chat window, and the timer that notices it closing. */
  #chatPopup: Window | null = null;
  #chatPoll: ReturnType<typeof setInterval> | undefined;

  constructor(options: FakeOptions = {}) {
    this.#random = mulberry32(options.seed ?? 1);
    this.#clock = options.clock ?? Date.now;
    this.#latencyMs = options.latencyMs ?? 0;
    this.#systemLocale = options.systemLocale ?? null;
    this.#chatWindowMode = options.chatWindow ?? 'simulated';
    this.#nativeBroadcast = options.nativeBroadcast ?? true;
    this.#words = clone(options.words ?? [...SAMPLE_WORDS]);
    const sessions = clone(options.sessions ?? []);
    this.#room = {
      epoch: 1,
      seq: 0,
      groupId: '@TGS#aFAKEROOM',
      name: 'Evening Live 🎤',
      status: 'upcoming',
      likes: 0,
      online: 0,
      chat: [],
      gifts: [],
      members: [],
      muted: [],
      blocked: [BLOCKED_USER],
      held: [],
      filtered: [],
      audit: [],
      drops: [],
      notice: '',
      introduction: '',
      onlineHistory: [],
      popularity: 0,
      lottery: null,
      mutedAll: false,
      statusSync: null,
      streamHealth: null,
      goLive: null,
      strikeLadder: clone(DEFAULT_LADDER),
      session: sessions.at(-1) ?? null,
      ...clone(options.room ?? {}),
      words: this.#words.length,
    };
    const current = this.#room.session;
    this.#sessions = current && !sessions.some((s) => s.id === current.id) ? [...sessions, clone(current)] : sessions;
    this.#log = clone(this.#room.audit);
    this.#room.audit = this.#room.audit.slice(-SNAPSHOT_AUDIT);
    this.#nextAudit = Math.max(0, ...this.#log.map((l) => l.id)) + 1;
    this.#nextHeld = Math.max(0, ...this.#room.held.map((h) => h.id)) + 1;
    this.#settings = new FakeSettings(options.settings);
    this.#team = new FakeTeam(this.#clock, this.#room.groupId, options.team, (fields) => void this.push(this.#audit(fields)));
    if (this.#room.lottery) this.#adoptLottery(this.#room.lottery, options.lotteryEntrants);
    this.#info = {
      version: '0.0.0-preview',
      mode: this.#settings.mode,
      groupId: this.#room.groupId,
      hubUrl: 'memory://fake',
      sdkAppId: 0,
      ...options.info,
    };
    // What the store would hold about the viewers in the initial room.
    for (const line of this.#room.chat) this.#noteChat(line, line.at);
    for (const g of this.#room.gifts) this.#viewer(g.userId, g.at).giftValue += g.count * g.unitPrice;
    for (const m of this.#room.members) this.#joined(m.userId, m.at > 0 ? m.at : this.#clock());
    for (let i = 0; i < (options.history ?? 0); i++) for (const e of this.#randomStep()) this.#apply(e);
    this.#reportLottery();
    this.#popularitySent = this.#room.popularity;
    this.#desk =
      options.stream === null
        ? null
        : new FakeStreamDesk(
            {
              clock: this.#clock,
              groupId: () => this.#room.groupId,
              status: () => this.#room.status,
              setStatus: (actor, status) => this.#changeStatus(actor, status),
              push: (...events) => void this.push(...events),
              pause: (beats) => this.#pause(beats),
            },
            options.stream,
          );
    // The desk's first poll has been reported (unless the test gave the room a health of its own).
    if (this.#desk && options.room?.streamHealth === undefined) this.#room.streamHealth = this.#desk.health();
  }

  /** The browser preview: a live, busy room that takes a moment to start (shows "Connecting…"). */
  static preview(): FakeBackend {
    const now = Date.now();
    const hour = 3_600_000;
    const day = 24 * hour;
    const past = (id: number, daysAgo: number, hours: number, scale: number): StreamSession => ({
      id,
      startedAt: now - daysAgo * day,
      endedAt: now - daysAgo * day + hours * hour,
      peakOnline: 900 * scale,
      messages: 5200 * scale,
      likes: 48_000 * scale,
      giftValue: 31_000 * scale,
    });
    const fake = new FakeBackend({
      seed: 20240601,
      latencyMs: 350,
      history: 120,
      sessions: [past(1, 3, 2, 1), past(2, 2, 2.5, 1.4), past(3, 1, 3, 1.2)],
      stream: { obsLive: true },
      chatWindow: 'browser',
      room: {
        status: 'live',
        online: 1280,
        likes: 20_417,
        notice: 'Giveaway at 9 pm 🎁 今晚九点抽奖',
        introduction: 'Songs and chat every evening · 每晚唱歌聊天',
        session: {
          id: 4,
          startedAt: now - 42 * 60_000,
          endedAt: null,
          peakOnline: 1310,
          messages: 2480,
          likes: 20_417,
          giftValue: 8650,
        },
      },
    });
    // Something to review and something filtered from the start, whatever the history held.
    fake.send('橘子汽水', '免费金币，快来');
    fake.send('nightowl42', 'FREE COINS on my profile!!');
    fake.send('민준_kr', '아 시 발 진짜');
    fake.failNext('subscribe', { code: 'notReady', message: 'the room is still starting' }, 2);
    fake.start();
    return fake;
  }

  // ---- test controls ----------------------------------------------------------------------

  /** Make the next `times` calls of `method` reject with `error` (after the usual latency). */
  failNext(method: FakeMethod, error: WireError, times = 1): void {
    const queue = this.#failures.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push({ ...error });
    this.#failures.set(method, queue);
  }

  /** Keep the next call of `method` pending until the returned function is called. */
  holdNext(method: FakeMethod): () => void {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const queue = this.#holds.get(method) ?? [];
    queue.push(gate);
    this.#holds.set(method, queue);
    return release;
  }

  /** The next go-live fails at `step` with `message`: reported failed, and the call rejects with it. */
  failGoLiveAt(step: GoLiveStep, message: string): void {
    this.#streamDesk().failAt(step, message);
  }

  /** The simulated stream desk, for its own controls (OBS dropping, the ingest losing the stream). */
  get streamDesk(): FakeStreamDesk | null {
    return this.#desk;
  }

  /** The saved settings, e.g. to see which secret value a save stored. */
  get savedSettings(): FakeSettings {
    return this.#settings;
  }

  /** Emit events as the room would: numbered, applied to the room, delivered as one batch. */
  push(...events: RoomEvent[]): EventEnvelope[] {
    const batch = events.map((event) => this.#apply(event));
    batch.push(...this.#reportLottery());
    this.deliver(batch);
    return batch;
  }

  /** Deliver envelopes verbatim (duplicates, stale seqs…) without touching the room. */
  deliver(batch: EventEnvelope[]): void {
    if (batch.length === 0) return;
    for (const subscriber of this.#subscribers) subscriber({ type: 'events', events: clone(batch) });
  }

  /** Send every subscriber a fresh snapshot, as the room does for a console that fell too far behind. */
  resync(): RoomSnapshot {
    const snapshot = this.snapshot();
    for (const subscriber of this.#subscribers) subscriber({ type: 'snapshot', snapshot: clone(snapshot) });
    return snapshot;
  }

  /** The room restarts: a new epoch, its sequence numbers start again; subscribers get a snapshot. */
  restartRoom(): RoomSnapshot {
    this.#room.epoch += 1;
    this.#room.seq = 0;
    return this.resync();
  }

  /**
   * Run `steps` simulation steps and emit their events as one batch; returns them. A step is one
   * event, or a few that belong together (a moderator's mute and its audit line).
   */
  simulate(steps = 1): EventEnvelope[] {
    // Each step sees the room as the steps before it left it (like totals, members, held messages).
    const batch: EventEnvelope[] = [];
    for (let i = 0; i < steps; i++) for (const event of this.#randomStep()) batch.push(this.#apply(event));
    batch.push(...this.#reportLottery());
    // Now and then, as the room's tick does: the score and the stream, if they changed since reported.
    this.#stepsSinceReport += steps;
    if (this.#stepsSinceReport >= POPULARITY_EVERY_STEPS) {
      const session = this.#room.session;
      if (this.#sessionDirty && session) batch.push(this.#apply({ type: 'session', ...session }));
      if (this.#room.popularity !== this.#popularitySent) {
        this.#stepsSinceReport = 0;
        batch.push(this.#apply({ type: 'popularity', score: this.#room.popularity }));
      }
    }
    this.deliver(batch);
    return batch;
  }

  /** Report the popularity score now if it changed since the last report (the room's tick). */
  reportPopularity(): EventEnvelope[] {
    if (this.#room.popularity === this.#popularitySent) return [];
    this.#stepsSinceReport = 0;
    return this.push({ type: 'popularity', score: this.#room.popularity });
  }

  /** Report the current stream now if its counters changed since the last report (the room's tick). */
  reportSession(): EventEnvelope[] {
    const session = this.#room.session;
    if (!this.#sessionDirty || !session) return [];
    return this.push({ type: 'session', ...session });
  }

  /**
   * A viewer sends `text`: it goes through the word filter as in the room (chat, held or blocked; a
   * blocked one may give them a strike).
   */
  send(userId: string, text: string): EventEnvelope[] {
    return this.push(...this.#viewerMessage(userId, text, this.#clock()));
  }

  /** The room as a subscriber would get it now. */
  snapshot(): RoomSnapshot {
    return clone(this.#room);
  }

  /** The whole audit log, oldest first. */
  auditLog(): AuditLine[] {
    return clone(this.#log);
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Keep emitting simulated events at a lively, irregular pace (preview). */
  start(): this {
    this.stop();
    let ticks = 0;
    const tick = () => {
      const burst = this.#random() < 0.08 ? 2 + Math.floor(this.#random() * 8) : 1;
      this.simulate(burst);
      // The desk's monitor, now and then: OBS's figures move while it streams.
      if (++ticks % 8 === 0) this.#desk?.poll((this.#random() - 0.5) * 0.12);
      this.#timer = setTimeout(tick, 120 + Math.floor(this.#random() * 600));
    };
    this.#timer = setTimeout(tick, 500);
    return this;
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  // ---- Backend --------------------------------------------------------------------------

  subscribe(onFeed: (feed: Feed) => void): Promise<void> {
    return this.#settle('subscribe', [], () => {
      this.#subscribers.add(onFeed);
      onFeed({ type: 'snapshot', snapshot: this.snapshot() });
    });
  }

  setStatus(status: RoomStatus): Promise<void> {
    return this.#settle('setStatus', [status], () => this.#changeStatus(this.#actor, status));
  }

  moderate(action: ModAction): Promise<void> {
    return this.#settle('moderate', [action], () => void this.push(...this.#moderation(this.#actor, action)));
  }

  setStrikeLadder(ladder: StrikeLadder): Promise<void> {
    return this.#settle('setStrikeLadder', [ladder], () => {
      const checked = checkLadderShape(ladder);
      const problem = ladderProblem(checked);
      if (problem) throw invalid(problem);
      this.push(
        { type: 'strikeLadder', ...checked },
        this.#audit({
          actor: this.#actor,
          action: 'ladder',
          target: 'room',
          detail: checked.steps.map(stepDetail).join(' → '),
          reason: '',
          duration: null,
        }),
      );
    });
  }

  sessions(limit: number): Promise<StreamSession[]> {
    return this.#settle('sessions', [limit], () =>
      clone(this.#sessions)
        .sort((a, b) => b.id - a.id)
        .slice(0, Math.min(Math.max(1, limit), 10_000)),
    );
  }

  words(): Promise<WordRule[]> {
    return this.#settle('words', [], () => clone(this.#words));
  }

  setWords(rules: WordRule[]): Promise<void> {
    return this.#settle('setWords', [rules], () => {
      if (!Array.isArray(rules)) throw invalid('the word list must be a list of rules');
      for (const r of rules) {
        if (typeof r?.pattern !== 'string' || !isWordAction(r?.action)) {
          throw invalid(`${JSON.stringify(r)} is not a word rule`);
        }
      }
      const before = this.#words.length;
      this.#words = rules.map((r) => ({ pattern: r.pattern, action: r.action }));
      const count = this.#words.length;
      this.push(
        { type: 'words', count },
        this.#audit({ actor: this.#actor, action: 'words', target: 'word list', detail: `${before} → ${count} rules`, reason: '', duration: null }),
      );
    });
  }

  parseWords(text: string): Promise<WordRule[]> {
    return this.#settle('parseWords', [text], () => {
      try {
        return parseWordList(text);
      } catch (e) {
        throw invalid(e instanceof Error ? e.message : String(e));
      }
    });
  }

  formatWords(rules: WordRule[]): Promise<string> {
    return this.#settle('formatWords', [rules], () => formatWordList(rules));
  }

  resolveHeld(id: number, approve: boolean): Promise<void> {
    return this.#settle('resolveHeld', [id, approve], () => this.#resolve(this.#actor, id, approve));
  }

  audit(query: AuditQuery): Promise<AuditLine[]> {
    return this.#settle('audit', [query], () => this.#query(query));
  }

  exportAudit(query: AuditQuery, format: AuditExportFormat): Promise<string> {
    return this.#settle('exportAudit', [query, format], () => {
      if (format !== 'csv' && format !== 'json') {
        throw invalid(`${JSON.stringify(format)} is not an export format; use csv or json`);
      }
      return exportAuditText(this.#query(query), format);
    });
  }

  undo(auditId: number): Promise<void> {
    return this.#settle('undo', [auditId], () => {
      const line = this.#log.slice(-UNDO_REACH).find((l) => l.id === auditId);
      if (!line) throw invalid(`audit line ${auditId} is not among the recent ones that can be undone`);
      if (line.undoneBy !== null) throw invalid(`audit line ${auditId} was undone already`);
      if (!isUndoable(line)) throw invalid(`a ${line.action} cannot be undone`);
      const userId = line.target;
      // As in the room: the original is marked with the id the undo's own line is about to get.
      this.#markUndone(auditId, this.#nextAudit);
      if (line.action === 'strike') {
        // Forgiven: it no longer counts (its step's own action has its own undo).
        const rest = (this.#strikes.get(userId) ?? []).filter((s) => s.audit !== auditId);
        this.#strikes.set(userId, rest);
        const detail = `strike #${auditId}`;
        this.push(this.#audit({ actor: this.#actor, action: 'forgive', target: userId, detail, reason: '', duration: null }));
        return;
      }
      const reason = `undo #${auditId}`;
      const undo: ModAction =
        line.action === 'mute'
          ? { type: 'unmute', userId, reason }
          : line.action === 'kick'
            ? { type: 'unblock', userId }
            : line.action === 'muteAll'
              ? { type: 'muteAll', on: line.detail !== 'everyone muted', reason }
              : { type: 'unban', userId };
      this.push(...this.#moderation(this.#actor, undo));
    });
  }

  userCard(userId: string): Promise<UserCard> {
    return this.#settle('userCard', [userId], () => {
      checkUserId(userId);
      return this.#card(userId);
    });
  }

  setNote(userId: string, note: string): Promise<void> {
    return this.#settle('setNote', [userId, note], () => {
      checkUserId(userId);
      if (typeof note !== 'string') throw invalid('a note is text');
      const problem = noteProblem(note);
      if (problem) throw invalid(problem);
      // As the store does: saving a note touches the record (creating it, moving "last seen").
      this.#viewer(userId).note = note;
    });
  }

  setNotice(change: NoticeChange): Promise<void> {
    return this.#settle('setNotice', [change], () => {
      for (const value of [change?.notice, change?.introduction]) {
        if (value !== null && value !== undefined && typeof value !== 'string') throw invalid('the notice and introduction are text');
      }
      const problem = noticeProblem(change.notice, change.introduction);
      if (problem) throw invalid(problem);
      const notice = change.notice ?? this.#room.notice;
      const introduction = change.introduction ?? this.#room.introduction;
      this.push(
        { type: 'notice', notice, introduction },
        this.#audit({
          actor: this.#actor,
          action: 'notice',
          target: 'room',
          detail: `notice: ${notice} / introduction: ${introduction}`,
          reason: '',
          duration: null,
        }),
      );
    });
  }

  // ---- the keyword lottery and broadcasts ----
  openLottery(keyword: string): Promise<void> {
    return this.#settle('openLottery', [keyword], () => {
      if (typeof keyword !== 'string') throw invalid(KEYWORD_RULE);
      // Checked in the room's order: an open lottery first, then the keyword.
      if (this.#lottery?.open) throw invalid(LOTTERY_OPEN_ALREADY);
      if (keywordProblem(keyword)) throw invalid(KEYWORD_RULE);
      this.#lottery = { keyword: keyword.trim(), open: true, pool: new Set(), winners: [], seed: null };
      this.#lotteryChanged(`opened with keyword ${JSON.stringify(keyword)}`);
    });
  }

  closeLottery(): Promise<void> {
    return this.#settle('closeLottery', [], () => {
      const lottery = this.#lottery;
      if (!lottery?.open) throw invalid(LOTTERY_NONE_OPEN);
      lottery.open = false;
      this.#lotteryChanged(`closed with ${lottery.pool.size} entrants`);
    });
  }

  drawLottery(winners: number, seed: number | null = null): Promise<string[]> {
    return this.#settle('drawLottery', [winners, seed], () => {
      // What Tauri refuses before the room sees it: not a u32, not a u64.
      if (typeof winners !== 'number' || !Number.isInteger(winners) || winners < 0 || winners > WINNERS_MAX) {
        throw invalid(`winners must be a whole number from 0 to ${WINNERS_MAX}`);
      }
      if (seed !== null && (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0)) {
        throw invalid('a seed is a whole number from 0 up');
      }
      const lottery = this.#lottery;
      if (!lottery) throw invalid(LOTTERY_NONE);
      lottery.open = false;
      // A random seed the page can carry exactly (JSON numbers are exact up to 2^53).
      const used = seed ?? Math.floor(this.#random() * Number.MAX_SAFE_INTEGER);
      lottery.winners = drawWinners(lottery.pool, Math.max(1, winners), used);
      lottery.seed = used;
      const entrants = lottery.pool.size;
      const drawn = lottery.winners;
      this.#lotteryChanged(`drew ${drawn.length} of ${entrants} with seed ${used}: ${drawn.join(', ')}`);
      return [...drawn];
    });
  }

  broadcast(text: string): Promise<void> {
    return this.#settle('broadcast', [text], () => {
      if (typeof text !== 'string' || broadcastProblem(text)) throw invalid(BROADCAST_RULE);
      // The room's own messages do not come back as chat (it skips the admin's): only the audit line.
      const how = this.#nativeBroadcast ? 'to every room (native broadcast)' : 'to this room (no native broadcast)';
      this.push(this.#audit({ actor: this.#actor, action: 'broadcast', target: 'rooms', detail: `${how}: ${text}`, reason: '', duration: null }));
    });
  }

  /** Who has entered the lottery so far (test control). */
  get lotteryEntrants(): string[] {
    return [...(this.#lottery?.pool ?? [])];
  }
  // ---- end of the keyword lottery and broadcasts ----

  appInfo(): Promise<AppInfo> {
    return this.#settle('appInfo', [], () => ({ ...this.#info }));
  }

  // ---- the OS locale and the chat window ----
  systemLocale(): Promise<string | null> {
    return this.#settle('systemLocale', [], () => this.#systemLocale);
  }

  popOutChat(): Promise<void> {
    return this.#settle('popOutChat', [], () => {
      if (this.#chatWindowMode === 'browser') this.#openChatPopup();
      this.#setChatOpen(true);
    });
  }

  popInChat(): Promise<void> {
    return this.#settle('popInChat', [], () => {
      this.#chatPopup?.close();
      // In the preview's chat window itself, "Dock" closes it (its opener notices).
      if (this.#chatWindowMode === 'browser' && this.#chatPopup === null && window.opener) window.close();
      this.#setChatOpen(false);
    });
  }

  onChatWindow(listener: (open: boolean) => void): () => void {
    this.#chatListeners.add(listener);
    return () => void this.#chatListeners.delete(listener);
  }

  /** Whether the chat window is open (test control). */
  get chatWindowOpen(): boolean {
    return this.#chatOpen;
  }

  /** The user closes the chat window from the window manager (test control): reported like the app does. */
  closeChatWindow(): void {
    this.#chatPopup?.close();
    this.#setChatOpen(false);
  }

  /** Reports open/close to the listeners, once per change (opening an open window only focuses it). */
  #setChatOpen(open: boolean): void {
    if (!open && this.#chatPoll !== undefined) {
      clearInterval(this.#chatPoll);
      this.#chatPoll = undefined;
      this.#chatPopup = null;
    }
    if (open === this.#chatOpen) return;
    this.#chatOpen = open;
    for (const listener of [...this.#chatListeners]) listener(open);
  }

  #openChatPopup(): void {
    if (this.#chatPopup && !this.#chatPopup.closed) {
      this.#chatPopup.focus();
      return;
    }
    const popup = window.open('?view=chat', 'anchordesk-chat', 'popup,width=460,height=800');
    if (!popup) throw invalid('The browser blocked the chat window: allow pop-ups for this page, then try again');
    if (this.#chatPoll !== undefined) clearInterval(this.#chatPoll);
    this.#chatPopup = popup;
    // No event tells an opener that its pop-up closed: look twice a second.
    this.#chatPoll = setInterval(() => {
      if (popup.closed && this.#chatPopup === popup) this.#setChatOpen(false);
    }, 500);
  }
  // ---- end of the OS locale and the chat window ----

  streamAddress(): Promise<StreamAddress> {
    return this.#settle('streamAddress', [], () => this.#streamDesk().address());
  }

  renewStreamAddress(rotate: boolean): Promise<StreamAddress> {
    return this.#settle('renewStreamAddress', [rotate], () => this.#streamDesk().renew(rotate === true));
  }

  applyToObs(): Promise<void> {
    return this.#settle('applyToObs', [], () => this.#streamDesk().applyToObs());
  }

  async goLive(): Promise<void> {
    await this.#settle('goLive', [], () => this.#streamDesk().goLive(this.#actor));
  }

  stopStream(end: boolean): Promise<void> {
    return this.#settle('stopStream', [end], () => this.#streamDesk().stop(this.#actor, end === true));
  }

  settings(): Promise<SettingsView> {
    return this.#settle('settings', [], () => this.#settings.view());
  }

  saveSettings(settings: Settings, secrets: SecretChange[]): Promise<SettingsView> {
    return this.#settle('saveSettings', [settings, secrets], () => this.#settings.save(settings, secrets));
  }

  joinHub(hubUrl: string, code: string, name: string | null, hubCa: string | null): Promise<HubJoined> {
    return this.#settle('joinHub', [hubUrl, code, name, hubCa], () =>
      this.#settings.join(hubUrl, code, name, hubCa, (c, n) => this.#team.redeem(c, n)),
    );
  }

  // ---- the hub's team ----
  /** The team the fake hub keeps: tests set the link (`setConnection`) and show joiners (`redeem`). */
  get hubTeam(): FakeTeam {
    return this.#team;
  }

  hubConnection(): Promise<HubConnection> {
    return this.#settle('hubConnection', [], () => this.#team.connection);
  }

  onHubConnection(listener: (connection: HubConnection) => void): () => void {
    return this.#team.onConnection(listener);
  }

  hubMe(): Promise<Me> {
    return this.#settle('hubMe', [], () => this.#team.me());
  }

  team(): Promise<TeamMember[]> {
    return this.#settle('team', [], () => this.#team.team());
  }

  people(): Promise<Person[]> {
    return this.#settle('people', [], () => this.#team.people());
  }

  invite(role: Role, name: string | null, validForSecs: number | null): Promise<Invite> {
    return this.#settle('invite', [role, name, validForSecs], () => {
      const invite = this.#team.invite(role, name, validForSecs, FAKE_HUB_URL);
      this.push(this.#audit({ actor: this.#team.name, action: 'invite', target: invite.name ?? '(name chosen on joining)', detail: `${role} invite, valid ${validForSecs ?? DEFAULT_INVITE_SECS} s`, reason: '', duration: null }));
      return invite;
    });
  }

  revoke(personId: number): Promise<Person> {
    return this.#settle('revoke', [personId], () => {
      const person = this.#team.revoke(personId);
      this.push(this.#audit({ actor: this.#team.name, action: 'revoke', target: person.name, detail: `${person.role} access revoked`, reason: '', duration: null }));
      return person;
    });
  }

  /** As the app restarting: the saved settings run (the mode follows them) and the room starts over. */
  restart(): Promise<void> {
    return this.#settle('restart', [], () => {
      this.#settings.restart();
      this.#info.mode = this.#settings.mode;
      this.restartRoom();
    });
  }

  // ---- internals ------------------------------------------------------------------------

  async #settle<T>(method: FakeMethod, args: unknown[], run: () => T): Promise<T> {
    this.calls.push({ method, args: clone(args) });
    const hold = this.#holds.get(method)?.shift();
    if (hold) await hold;
    if (this.#latencyMs > 0) await new Promise((r) => setTimeout(r, this.#latencyMs));
    else await Promise.resolve();
    const failure = this.#failures.get(method)?.shift();
    if (failure) throw failure;
    if (isHubCommand(method)) this.#throughHub(method);
    return run();
  }

  /** The console's person: who the audit log names for this console's actions. */
  get #actor(): string {
    return this.#team.name;
  }

  /**
   * What the hub does before a command runs, as a remote console meets it: nothing goes while the
   * link is down (Rust: `RemoteRoom::unavailable`), and a role that does not allow the command is
   * refused and the refusal audited (the hub's access check).
   */
  #throughHub(method: HubCommand): void {
    const link = this.#team.connection;
    if (link.type !== 'connected' && !(method === 'hubMe' && link.type !== 'connecting')) {
      throw unavailable(link);
    }
    const permission = commandPermission(method);
    const role = this.#team.role;
    if (can(role, permission)) return;
    const what = `a ${role} may not ${HUB_DESCRIBES[permission]}`;
    const [verb, route] = HUB_ROUTES[method];
    this.push(this.#audit({ actor: this.#actor, action: 'refused', target: `${verb} ${route}`, detail: what, reason: '', duration: null }));
    throw { code: 'forbidden', message: `${what} (${this.#actor} is a ${role})` } satisfies WireError;
  }

  /**
   * A status change by `actor`, checked like the room, audited; going live starts a stream (unless one
   * goes on), ending ends it and lifts the until-end-of-stream mutes.
   */
  #changeStatus(actor: string, status: RoomStatus): void {
    const from = this.#room.status;
    if (!canBecome(from, status)) {
      throw invalid(
        `the room cannot go from ${from} to ${status}; from ${from} it can go to ${TRANSITIONS[from].join(', ')}`,
      );
    }
    this.push(
      { type: 'status', status },
      this.#audit({ actor, action: 'status', target: 'room', detail: `${from} → ${status}`, reason: '', duration: null }),
    );
    const session = this.#room.session;
    if (status === 'live' && (session === null || session.endedAt !== null)) {
      const started: StreamSession = {
        id: (session?.id ?? 0) + 1,
        startedAt: this.#clock(),
        endedAt: null,
        peakOnline: this.#room.online,
        messages: 0,
        likes: 0,
        giftValue: 0,
      };
      this.push({ type: 'session', ...started });
    }
    if (status === 'ended') {
      if (session !== null && session.endedAt === null) this.push({ type: 'session', ...session, endedAt: this.#clock() });
      for (const userId of [...this.#eosMuted]) {
        this.push(...this.#moderation('room', { type: 'unmute', userId, reason: 'the stream ended' }));
      }
    }
  }

  /** The lottery as consoles see it, as an event. */
  #lotteryEvent(): RoomEvent {
    const l = this.#lottery!;
    return { type: 'lottery', keyword: l.keyword, open: l.open, entrants: l.pool.size, winners: [...l.winners], seed: l.seed === null ? null : String(l.seed) };
  }

  /** The anchor changed the lottery: it goes out as it now is (entries so far included), with its audit line. */
  #lotteryChanged(detail: string): void {
    this.#lotteryDirty = false;
    this.push(this.#lotteryEvent(), this.#audit({ actor: this.#actor, action: 'lottery', target: 'room', detail, reason: '', duration: null }));
  }

  /** A delivered message enters its sender if the lottery is open and it carries the keyword. */
  #offerLottery(userId: string, text: string): void {
    const l = this.#lottery;
    if (!l?.open || l.pool.has(userId) || !carriesKeyword(text, l.keyword)) return;
    l.pool.add(userId);
    this.#lotteryDirty = true;
  }

  /**
   * The lottery's new entries, as one event. The room reports them on its two-second tick; the fake
   * reports them with the batch that brought them, so a test sees them without waiting.
   */
  #reportLottery(): EventEnvelope[] {
    if (!this.#lotteryDirty || !this.#lottery) return [];
    this.#lotteryDirty = false;
    return [this.#apply(this.#lotteryEvent())];
  }

  /**
   * Takes a lottery line the fake did not make itself (the initial room, or an event a test pushes
   * as another console's doing): its pool is kept when it still fits, else made up to its size from
   * `entrants` or from invented viewers.
   */
  #adoptLottery(line: LotteryLine, entrants?: string[]): void {
    const current = this.#lottery;
    let pool: Set<string>;
    if (entrants) pool = new Set(entrants);
    else if (current && current.keyword === line.keyword && current.pool.size === line.entrants) pool = current.pool;
    else pool = new Set(Array.from({ length: line.entrants }, (_, i) => `entrant_${i + 1}`));
    this.#lottery = { keyword: line.keyword, open: line.open, pool, winners: [...line.winners], seed: line.seed === null ? null : Number(line.seed) };
    this.#room.lottery = { ...line, entrants: pool.size, winners: [...line.winners] };
  }

  #streamDesk(): FakeStreamDesk {
    if (!this.#desk) throw invalid(NOT_SET_UP);
    return this.#desk;
  }

  /** Waits `beats` times the latency (a microtask without latency). */
  async #pause(beats: number): Promise<void> {
    if (this.#latencyMs > 0) await new Promise((r) => setTimeout(r, beats * this.#latencyMs));
    else await Promise.resolve();
  }

  /** The audit event for a new line (numbered now, applied when pushed). */
  #audit(fields: AuditFields): RoomEvent {
    return { type: 'audit', id: this.#nextAudit++, at: this.#clock(), undoneBy: null, ...fields };
  }

  /**
   * The events a moderation makes, audit lines numbered, checked as the room checks it (throws an
   * `invalid` WireError, changing nothing); the caller pushes them.
   */
  #moderation(actor: string, action: ModAction): RoomEvent[] {
    if ('userId' in action) checkUserId(action.userId);
    const audit = (a: AuditAction, target: string, detail: string, reason: string, duration: number | null) =>
      this.#audit({ actor, action: a, target, detail, reason, duration });
    switch (action.type) {
      case 'mute': {
        const { userId } = action;
        const seconds = checkSeconds(action.seconds, 'mute');
        const secs = action.untilEndOfStream ? END_OF_STREAM_MUTE_SECONDS : seconds;
        if (secs === 0) throw invalid('a mute needs a duration; use unmute to lift one');
        const until = Math.floor(this.#clock() / 1000) + Math.min(secs, PERMANENT_MUTE_SECONDS);
        if (action.untilEndOfStream) this.#eosMuted.add(userId);
        else this.#eosMuted.delete(userId);
        return [
          { type: 'userMuted', userId, until },
          audit('mute', userId, action.untilEndOfStream ? 'until the end of this stream' : '', action.reason ?? '', secs),
        ];
      }
      case 'unmute':
        return [
          { type: 'userMuted', userId: action.userId, until: null },
          audit('unmute', action.userId, '', action.reason ?? '', null),
        ];
      case 'kick':
        this.#bannedUntil.delete(action.userId);
        return [{ type: 'userKicked', userId: action.userId }, audit('kick', action.userId, '', action.reason ?? '', null)];
      case 'unblock':
        return [...this.#unblocked(action.userId), audit('unblock', action.userId, '', '', null)];
      case 'ban': {
        const { userId } = action;
        const seconds = checkSeconds(action.seconds, 'ban');
        if (seconds === 0) throw invalid('a ban needs a duration of at least 1 second');
        this.#bannedUntil.set(userId, Math.floor(this.#clock() / 1000) + seconds);
        return [{ type: 'userKicked', userId }, audit('ban', userId, 'native ban', action.reason ?? '', seconds)];
      }
      case 'unban':
        return [...this.#unblocked(action.userId), audit('unban', action.userId, '', '', null)];
      case 'hide': {
        const id = action.msgId;
        if (typeof id !== 'string' || id === '' || utf8Bytes(id) > MSG_ID_BYTES) {
          throw invalid('say which message to hide (its id)');
        }
        const line = this.#room.chat.find((l) => l.id === id);
        return [
          { type: 'messageHidden', id, actor },
          audit('hide', line?.userId ?? id, `message ${id}: ${line?.text ?? ''}`, action.reason ?? '', null),
        ];
      }
      case 'muteAll':
        return [
          { type: 'muteAll', on: action.on },
          audit('muteAll', 'room', action.on ? 'everyone muted' : 'everyone may speak', action.reason ?? '', null),
        ];
      case 'strike':
        return this.#strike(actor, action.userId, action.reason ?? '');
    }
  }

  /**
   * A strike: recorded under its audit line, then the ladder's step for the strikes in the window
   * (a warning is only a message to the viewer, so it makes no event of its own).
   */
  #strike(actor: string, userId: string, reason: string): RoomEvent[] {
    const now = Math.floor(this.#clock() / 1000);
    const ladder = this.#room.strikeLadder;
    const kept = (this.#strikes.get(userId) ?? []).filter((s) => s.at + ladder.windowSecs > now);
    kept.push({ at: now, audit: this.#nextAudit });
    this.#strikes.set(userId, kept);
    const count = kept.length;
    const step = ladderStep(ladder, count);
    const detail = `strike ${count}: ${stepDetail(step)}`;
    const events = [this.#audit({ actor, action: 'strike', target: userId, detail, reason, duration: null })];
    const then = stepAction(step, userId, reason || `strike ${count}`);
    if (then) events.push(...this.#moderation(actor, then));
    return events;
  }

  /** How many strikes `userId` has within the ladder's window now. */
  #strikeCount(userId: string): number {
    const now = Math.floor(this.#clock() / 1000);
    const window = this.#room.strikeLadder.windowSecs;
    return (this.#strikes.get(userId) ?? []).filter((s) => s.at + window > now).length;
  }

  /** `userUnblocked` if the user is blocked (as the room emits it only then). */
  #unblocked(userId: string): RoomEvent[] {
    return this.#room.blocked.includes(userId) ? [{ type: 'userUnblocked', userId }] : [];
  }

  #resolve(actor: string, id: number, approve: boolean): void {
    const line = this.#room.held.find((h) => h.id === id);
    if (!line) throw invalid(`there is no held message ${id}; it may be resolved already`);
    const events: RoomEvent[] = [
      { type: 'heldResolved', id, approved: approve, actor },
      this.#audit({ actor, action: approve ? 'approve' : 'reject', target: line.userId, detail: line.text, reason: '', duration: null }),
    ];
    // Approved: re-sent as its sender past the filter, so it reaches the chat.
    if (approve) {
      const id = String(this.#nextChatId++);
      events.push({ type: 'chat', id, userId: line.userId, text: line.text, at: this.#clock(), hidden: false });
    }
    this.push(...events);
  }

  #query(query: AuditQuery): AuditLine[] {
    const q = auditQuery(query);
    const limit = q.limit === 0 ? 200 : Math.min(q.limit, 10_000);
    const out: AuditLine[] = [];
    for (let i = this.#log.length - 1; i >= 0 && out.length < limit; i--) {
      if (matchesAudit(this.#log[i], q)) out.push(clone(this.#log[i]));
    }
    return out;
  }

  /** A viewer's record, created on first sight; "last seen" moves to `atMs` (default now). */
  #viewer(userId: string, atMs = this.#clock()): Viewer {
    const sec = Math.floor((atMs > 0 ? atMs : this.#clock()) / 1000);
    let v = this.#viewers.get(userId);
    if (!v) {
      v = { ...EMPTY_VIEWER, firstSeen: sec, lastSeen: sec, recent: [] };
      this.#viewers.set(userId, v);
    } else {
      v.lastSeen = Math.max(v.lastSeen, sec);
    }
    return v;
  }

  #noteChat(line: ChatLine, atMs: number): void {
    const v = this.#viewer(line.userId, atMs);
    v.messages += 1;
    v.recent = [...v.recent, pick<ChatLine>(line, CHAT_FIELDS)].slice(-CARD_MESSAGES);
    // Their messages in this stream: those sent since it started (Rust: `store::user_card`).
    const stream = this.#room.session;
    if (stream && line.at >= stream.startedAt) {
      if (v.streamId !== stream.id) {
        v.streamId = stream.id;
        v.streamMessages = 0;
      }
      v.streamMessages += 1;
    }
  }

  /** Counts into the stream going on, if one is (reported with the next `session` event). */
  #countInStream(count: (session: StreamSession) => void): void {
    const session = this.#room.session;
    if (session === null || session.endedAt !== null) return;
    count(session);
    this.#sessionDirty = true;
  }

  #joined(userId: string, atMs: number): void {
    this.#viewer(userId, atMs);
    this.#joinedAt.set(userId, atMs);
  }

  /** A member left (or was kicked): their time online is counted, a point a minute for the room. */
  #left(userId: string): void {
    const since = this.#joinedAt.get(userId);
    if (since === undefined) return;
    this.#joinedAt.delete(userId);
    const secs = Math.max(0, Math.floor((this.#clock() - since) / 1000));
    this.#viewer(userId).onlineSecs += secs;
    this.#room.popularity += Math.floor(secs / 60);
  }

  #card(userId: string): UserCard {
    const nowSec = Math.floor(this.#clock() / 1000);
    const v = this.#viewers.get(userId);
    const mute = this.#room.muted.find((m) => m.userId === userId && m.until > nowSec);
    let blockedUntil: number | null = null;
    if (this.#room.blocked.includes(userId)) {
      const until = this.#bannedUntil.get(userId) ?? BLOCKED_FOREVER;
      blockedUntil = until > nowSec ? until : null;
    }
    const actions: AuditLine[] = [];
    for (let i = this.#log.length - 1; i >= 0 && actions.length < CARD_ACTIONS; i--) {
      if (this.#log[i].target === userId) actions.push(clone(this.#log[i]));
    }
    const counters = v ?? EMPTY_VIEWER;
    return {
      userId,
      firstSeen: counters.firstSeen,
      lastSeen: counters.lastSeen,
      messages: counters.messages,
      likes: counters.likes,
      giftValue: counters.giftValue,
      onlineSecs: counters.onlineSecs,
      level: levelFor(counters.messages, counters.likes, counters.giftValue, counters.onlineSecs),
      note: counters.note,
      messagesRecent: clone(counters.recent),
      streamMessages: counters.streamId === this.#room.session?.id ? counters.streamMessages : 0,
      strikes: this.#strikeCount(userId),
      actions,
      mutedUntil: mute ? mute.until : null,
      blockedUntil,
    };
  }

  #markUndone(id: number, by: number): void {
    for (const list of [this.#log, this.#room.audit]) {
      const line = list.find((l) => l.id === id);
      if (line) line.undoneBy = by;
    }
  }

  /** A viewer's message through the word filter: chat, held for review, or blocked. */
  #message(userId: string, text: string, at: number): RoomEvent {
    const rule = checkWords(this.#words, text);
    if (rule?.action === 'hold') return { type: 'held', id: this.#nextHeld++, userId, text, pattern: rule.pattern, at };
    if (rule?.action === 'drop' || rule?.action === 'refuse') {
      return { type: 'blocked', userId, text, pattern: rule.pattern, action: rule.action, at };
    }
    return { type: 'chat', id: String(this.#nextChatId++), userId, text, at, hidden: false };
  }

  /** A viewer's message (see `#message`), and the strike the word filter gives for a blocked one. */
  #viewerMessage(userId: string, text: string, at: number): RoomEvent[] {
    const event = this.#message(userId, text, at);
    if (event.type !== 'blocked' || !this.#room.strikeLadder.fromFilter) return [event];
    // At most one a minute per viewer, so a burst of spam is one strike (Rust: `Strikes::auto_due`).
    const now = Math.floor(this.#clock() / 1000);
    const last = this.#lastFilterStrike.get(userId);
    if (last !== undefined && now < last + FILTER_STRIKE_GAP) return [event];
    this.#lastFilterStrike.set(userId, now);
    return [event, ...this.#strike(FILTER, userId, `the word filter: ${JSON.stringify(event.pattern)}`)];
  }

  #apply(event: RoomEvent): EventEnvelope {
    const room = this.#room;
    room.seq += 1;
    switch (event.type) {
      case 'chat':
        room.chat = [...room.chat, pick<ChatLine>(event, CHAT_FIELDS)].slice(-KEEP_CHAT);
        this.#noteChat(event, this.#clock());
        this.#offerLottery(event.userId, event.text);
        room.popularity += 2;
        this.#countInStream((s) => (s.messages += 1));
        break;
      case 'gift':
        room.gifts = [
          ...room.gifts,
          pick<GiftLine>(event, ['id', 'userId', 'giftId', 'giftName', 'count', 'unitPrice', 'at']),
        ].slice(-KEEP_GIFTS);
        this.#viewer(event.userId).giftValue += event.count * event.unitPrice;
        room.popularity += event.count * event.unitPrice;
        this.#countInStream((s) => (s.giftValue += event.count * event.unitPrice));
        break;
      case 'likes': {
        const more = Math.max(0, event.total - room.likes);
        room.popularity += Math.floor(more / 10);
        room.likes = event.total;
        this.#countInStream((s) => (s.likes += more));
        break;
      }
      case 'online':
        room.online = event.count;
        // As the room does: the last hour of readings comes with every snapshot (the header's sparkline).
        room.onlineHistory = [...room.onlineHistory, { at: this.#clock(), count: event.count }].slice(-720);
        if (room.session && room.session.endedAt === null && event.count > room.session.peakOnline) {
          this.#countInStream((s) => (s.peakOnline = event.count));
        }
        break;
      case 'status':
        room.status = event.status;
        break;
      case 'memberJoined':
        room.members = [
          ...room.members.filter((m) => m.userId !== event.userId),
          { userId: event.userId, at: event.at },
        ].slice(-KEEP_MEMBERS);
        if (!this.#joinedAt.has(event.userId)) this.#joined(event.userId, this.#clock());
        break;
      case 'memberLeft':
        room.members = room.members.filter((m) => m.userId !== event.userId);
        this.#left(event.userId);
        break;
      case 'userMuted':
        room.muted = room.muted.filter((m) => m.userId !== event.userId);
        if (event.until !== null) room.muted.push({ userId: event.userId, until: event.until });
        else this.#eosMuted.delete(event.userId);
        break;
      case 'userKicked':
        room.members = room.members.filter((m) => m.userId !== event.userId);
        this.#left(event.userId);
        if (!room.blocked.includes(event.userId)) room.blocked = [...room.blocked, event.userId];
        break;
      case 'joinRefused':
        break;
      case 'held':
        if (!room.held.some((h) => h.id === event.id)) {
          room.held = [...room.held, pick<HeldLine>(event, ['id', 'userId', 'text', 'pattern', 'at'])];
        }
        break;
      case 'heldResolved':
        room.held = room.held.filter((h) => h.id !== event.id);
        break;
      case 'blocked': {
        const { type: _type, ...line } = event;
        room.filtered = [...room.filtered, line].slice(-KEEP_FILTERED);
        break;
      }
      case 'userUnblocked':
        room.blocked = room.blocked.filter((u) => u !== event.userId);
        this.#bannedUntil.delete(event.userId);
        break;
      case 'audit': {
        const { type: _type, ...line } = event;
        this.#log = [...this.#log.filter((l) => l.id !== line.id), line].slice(-KEEP_LOG);
        room.audit = [...room.audit.filter((l) => l.id !== line.id), clone(line)].slice(-SNAPSHOT_AUDIT);
        break;
      }
      case 'words':
        room.words = event.count;
        break;
      case 'drops': {
        const { type: _type, ...minute } = event;
        room.drops = [...room.drops.filter((m) => m.at !== minute.at), minute].slice(-60);
        break;
      }
      case 'notice':
        room.notice = event.notice;
        room.introduction = event.introduction;
        break;
      case 'popularity':
        room.popularity = event.score;
        this.#popularitySent = event.score;
        break;
      case 'lottery': {
        const { type: _type, ...line } = event;
        room.lottery = line;
        this.#adoptLottery(line);
        break;
      }
      case 'messageHidden': {
        const hide = (l: ChatLine) => (l.id === event.id ? { ...l, hidden: true } : l);
        const line = room.chat.find((l) => l.id === event.id);
        room.chat = room.chat.map(hide);
        const viewer = line && this.#viewers.get(line.userId);
        if (viewer) viewer.recent = viewer.recent.map(hide);
        break;
      }
      case 'muteAll':
        room.mutedAll = event.on;
        break;
      case 'strikeLadder': {
        const { type: _type, ...ladder } = event;
        room.strikeLadder = ladder;
        break;
      }
      case 'session': {
        const { type: _type, ...session } = event;
        room.session = session;
        this.#sessions = [...this.#sessions.filter((s) => s.id !== session.id), clone(session)];
        this.#sessionDirty = false;
        break;
      }
      case 'renamed':
        room.name = event.name;
        break;
      case 'statusSync': {
        const { type: _type, ...line } = event;
        room.statusSync = line.synced ? null : line;
        break;
      }
      case 'streamHealth': {
        const { type: _type, ...health } = event;
        room.streamHealth = health;
        break;
      }
      case 'goLive': {
        const { type: _type, ...progress } = event;
        room.goLive = progress;
        break;
      }
    }
    return { seq: room.seq, event: clone(event) };
  }

  #pickFrom<T>(list: readonly T[]): T {
    return list[Math.floor(this.#random() * list.length)];
  }

  #randomUser(): { userId: string; lang: keyof typeof LINES } {
    const lang = this.#pickFrom(['en', 'zh', 'ko', 'ja'] as const);
    return { userId: this.#pickFrom(USERS[lang]), lang };
  }

  /** One simulation step: usually one event, sometimes a moderator's action and its audit line. */
  #randomStep(): RoomEvent[] {
    const r = this.#random();
    const at = this.#clock();
    const room = this.#room;
    if (r < 0.62) {
      const { userId, lang } = this.#randomUser();
      const bad = this.#random() < 0.04;
      let text: string = bad ? this.#pickFrom(BAD_LINES[lang]) : this.#pickFrom(LINES[lang]);
      // While a lottery is open, many send its keyword (that is how they enter).
      if (this.#lottery?.open && this.#random() < 0.35) text = `${this.#lottery.keyword} ${text}`;
      return this.#viewerMessage(userId, text, at);
    }
    if (r < 0.74) {
      const count = 1 + Math.floor(this.#random() * 25);
      // Likes arrive as a viewer's like message; the event carries only the room's total.
      this.#viewer(this.#randomUser().userId, at).likes += count;
      return [{ type: 'likes', total: room.likes + count }];
    }
    if (r < 0.84) {
      const gift = this.#pickFrom(GIFTS);
      const count = this.#random() < 0.7 ? 1 : this.#pickFrom([5, 10, 66, 99]);
      return [{ type: 'gift', id: `g${this.#nextChatId++}`, userId: this.#randomUser().userId, count, at, ...gift }];
    }
    if (r < 0.91) {
      const { userId } = this.#randomUser();
      return [{ type: 'memberJoined', userId, at }];
    }
    if (r < 0.94 && room.members.length > 0) {
      const { userId } = this.#pickFrom(room.members);
      return [{ type: 'memberLeft', userId, at }];
    }
    if (r < 0.98) {
      const delta = Math.floor(this.#random() * 41) - 18;
      return [{ type: 'online', count: Math.max(0, room.online + delta) }];
    }
    if (r < 0.99) return this.#moderatorStep(at);
    return [{ type: 'joinRefused', userId: BLOCKED_USER }];
  }

  /** Another moderator at work: resolves the oldest held message, or mutes someone for a while. */
  #moderatorStep(at: number): RoomEvent[] {
    const actor = OTHER_MODERATOR;
    // Someone else reviews what has waited a while, so the anchor's queue is not emptied at once.
    const held = this.#room.held.find((h) => h.at <= at - HELD_REVIEW_AFTER_MS);
    if (held && this.#random() < 0.6) {
      const approved = this.#random() < 0.5;
      const events: RoomEvent[] = [
        { type: 'heldResolved', id: held.id, approved, actor },
        this.#audit({ actor, action: approved ? 'approve' : 'reject', target: held.userId, detail: held.text, reason: '', duration: null }),
      ];
      if (approved) {
        events.push({ type: 'chat', id: String(this.#nextChatId++), userId: held.userId, text: held.text, at, hidden: false });
      }
      return events;
    }
    const { userId } = this.#randomUser();
    const seconds = this.#pickFrom([60, 600, 3600]);
    return [
      { type: 'userMuted', userId, until: Math.floor(at / 1000) + seconds },
      this.#audit({ actor, action: 'mute', target: userId, detail: '', reason: this.#pickFrom(REASONS), duration: seconds }),
    ];
  }
}

const CHAT_FIELDS: readonly (keyof ChatLine)[] = ['id', 'userId', 'text', 'at', 'hidden'];

const EMPTY_VIEWER: Readonly<Viewer> = {
  firstSeen: 0,
  lastSeen: 0,
  messages: 0,
  likes: 0,
  giftValue: 0,
  onlineSecs: 0,
  note: '',
  recent: [],
  streamMessages: 0,
  streamId: 0,
};

function pick<T>(source: object, keys: readonly (keyof T)[]): T {
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key as string] = (source as Record<string, unknown>)[key as string];
  return out as T;
}
