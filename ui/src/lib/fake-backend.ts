// Why: an in-memory room behind the `Backend` interface. Tests drive it (push events, inject the next
// failure, inspect calls); in a plain browser (`npm run dev`) it simulates a busy multilingual room
// so the UI can be seen and worked on without the Rust side. Seeded, so a seed replays exactly.
import type {
  AppInfo,
  ChatLine,
  EventEnvelope,
  GiftLine,
  RoomEvent,
  RoomSnapshot,
  RoomStatus,
  WireError,
} from './bindings';
import type { Backend } from './backend';
import { TRANSITIONS, canBecome } from './status';
import { PERMANENT_MUTE_SECONDS } from './time';

export type FakeMethod = 'subscribe' | 'setStatus' | 'mute' | 'kick' | 'appInfo';

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
  /** Simulated chat/gift/join history to start with (default 0 events). */
  history?: number;
  /** Overrides for the initial room. */
  room?: Partial<Omit<RoomSnapshot, 'seq'>>;
  info?: Partial<AppInfo>;
}

/** mulberry32: tiny, fast, good enough for a simulation, and the same everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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

const BLOCKED_USER = 'spam_bot_9';
/** Snapshot history the fake keeps, like a real room's bounded backlog. */
const KEEP_CHAT = 200;
const KEEP_GIFTS = 100;
const KEEP_MEMBERS = 200;
const U32_MAX = 4294967295;

function clone<T>(value: T): T {
  return structuredClone(value);
}

export class FakeBackend implements Backend {
  readonly calls: FakeCall[] = [];
  readonly #random: () => number;
  readonly #clock: () => number;
  readonly #latencyMs: number;
  readonly #info: AppInfo;
  readonly #room: RoomSnapshot;
  readonly #subscribers = new Set<(batch: EventEnvelope[]) => void>();
  readonly #failures = new Map<FakeMethod, WireError[]>();
  readonly #holds = new Map<FakeMethod, Promise<void>[]>();
  #nextChatId = 1000;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: FakeOptions = {}) {
    this.#random = mulberry32(options.seed ?? 1);
    this.#clock = options.clock ?? Date.now;
    this.#latencyMs = options.latencyMs ?? 0;
    this.#room = {
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
      ...clone(options.room ?? {}),
    };
    this.#info = {
      version: '0.0.0-preview',
      mode: 'sandbox',
      groupId: this.#room.groupId,
      hubUrl: 'memory://fake',
      sdkAppId: 0,
      ...options.info,
    };
    for (let i = 0; i < (options.history ?? 0); i++) this.#apply(this.#randomEvent());
  }

  /** The browser preview: a live, busy room that takes a moment to start (shows "Connecting…"). */
  static preview(): FakeBackend {
    const fake = new FakeBackend({
      seed: 20240601,
      latencyMs: 350,
      history: 80,
      room: { status: 'live', online: 1280, likes: 20_417 },
    });
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

  /** Emit events as the room would: numbered, applied to the room, delivered as one batch. */
  push(...events: RoomEvent[]): EventEnvelope[] {
    const batch = events.map((event) => this.#apply(event));
    this.deliver(batch);
    return batch;
  }

  /** Deliver envelopes verbatim (duplicates, stale seqs…) without touching the room. */
  deliver(batch: EventEnvelope[]): void {
    if (batch.length === 0) return;
    for (const subscriber of this.#subscribers) subscriber(clone(batch));
  }

  /** Generate and emit `count` simulated events (one batch); returns them. */
  simulate(count = 1): EventEnvelope[] {
    const events: RoomEvent[] = [];
    for (let i = 0; i < count; i++) events.push(this.#randomEvent());
    return this.push(...events);
  }

  /** The room as a subscriber would get it now. */
  snapshot(): RoomSnapshot {
    return clone(this.#room);
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Keep emitting simulated events at a lively, irregular pace (preview). */
  start(): this {
    this.stop();
    const tick = () => {
      const burst = this.#random() < 0.08 ? 2 + Math.floor(this.#random() * 8) : 1;
      this.simulate(burst);
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

  subscribe(onEvents: (batch: EventEnvelope[]) => void): Promise<RoomSnapshot> {
    return this.#settle('subscribe', [], () => {
      this.#subscribers.add(onEvents);
      return this.snapshot();
    });
  }

  setStatus(status: RoomStatus): Promise<void> {
    return this.#settle('setStatus', [status], () => {
      const from = this.#room.status;
      if (!canBecome(from, status)) {
        throw {
          code: 'invalid',
          message: `the room cannot go from ${from} to ${status}; from ${from} it can go to ${TRANSITIONS[from].join(', ')}`,
        } satisfies WireError;
      }
      this.push({ type: 'status', status });
    });
  }

  mute(userId: string, seconds: number): Promise<void> {
    return this.#settle('mute', [userId, seconds], () => {
      if (!userId) throw { code: 'invalid', message: 'a user id is required' } satisfies WireError;
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > U32_MAX) {
        throw { code: 'invalid', message: `mute seconds must be 0..=${U32_MAX}` } satisfies WireError;
      }
      const nowSec = Math.floor(this.#clock() / 1000);
      const until = seconds === 0 ? null : nowSec + Math.min(seconds, PERMANENT_MUTE_SECONDS);
      this.push({ type: 'userMuted', userId, until });
    });
  }

  kick(userId: string): Promise<void> {
    return this.#settle('kick', [userId], () => {
      if (!userId) throw { code: 'invalid', message: 'a user id is required' } satisfies WireError;
      this.push({ type: 'userKicked', userId });
    });
  }

  appInfo(): Promise<AppInfo> {
    return this.#settle('appInfo', [], () => ({ ...this.#info }));
  }

  // ---- internals ------------------------------------------------------------------------

  async #settle<T>(method: FakeMethod, args: unknown[], run: () => T): Promise<T> {
    this.calls.push({ method, args });
    const hold = this.#holds.get(method)?.shift();
    if (hold) await hold;
    if (this.#latencyMs > 0) await new Promise((r) => setTimeout(r, this.#latencyMs));
    else await Promise.resolve();
    const failure = this.#failures.get(method)?.shift();
    if (failure) throw failure;
    return run();
  }

  #apply(event: RoomEvent): EventEnvelope {
    const room = this.#room;
    room.seq += 1;
    switch (event.type) {
      case 'chat':
        room.chat = [...room.chat, pick<ChatLine>(event, ['id', 'userId', 'text', 'at'])].slice(-KEEP_CHAT);
        break;
      case 'gift':
        room.gifts = [
          ...room.gifts,
          pick<GiftLine>(event, ['id', 'userId', 'giftId', 'giftName', 'count', 'unitPrice', 'at']),
        ].slice(-KEEP_GIFTS);
        break;
      case 'likes':
        room.likes = event.total;
        break;
      case 'online':
        room.online = event.count;
        break;
      case 'status':
        room.status = event.status;
        break;
      case 'memberJoined':
        room.members = [
          ...room.members.filter((m) => m.userId !== event.userId),
          { userId: event.userId, at: event.at },
        ].slice(-KEEP_MEMBERS);
        break;
      case 'memberLeft':
        room.members = room.members.filter((m) => m.userId !== event.userId);
        break;
      case 'userMuted':
        room.muted = room.muted.filter((m) => m.userId !== event.userId);
        if (event.until !== null) room.muted.push({ userId: event.userId, until: event.until });
        break;
      case 'userKicked':
        room.members = room.members.filter((m) => m.userId !== event.userId);
        if (!room.blocked.includes(event.userId)) room.blocked = [...room.blocked, event.userId];
        break;
      case 'joinRefused':
        break;
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

  #randomEvent(): RoomEvent {
    const r = this.#random();
    const at = this.#clock();
    const room = this.#room;
    if (r < 0.62) {
      const { userId, lang } = this.#randomUser();
      return { type: 'chat', id: String(this.#nextChatId++), userId, text: this.#pickFrom(LINES[lang]), at };
    }
    if (r < 0.74) {
      return { type: 'likes', total: room.likes + 1 + Math.floor(this.#random() * 25) };
    }
    if (r < 0.84) {
      const gift = this.#pickFrom(GIFTS);
      const count = this.#random() < 0.7 ? 1 : this.#pickFrom([5, 10, 66, 99]);
      return { type: 'gift', id: `g${this.#nextChatId++}`, userId: this.#randomUser().userId, count, at, ...gift };
    }
    if (r < 0.91) {
      const { userId } = this.#randomUser();
      return { type: 'memberJoined', userId, at };
    }
    if (r < 0.94 && room.members.length > 0) {
      const { userId } = this.#pickFrom(room.members);
      return { type: 'memberLeft', userId, at };
    }
    if (r < 0.99) {
      const delta = Math.floor(this.#random() * 41) - 18;
      return { type: 'online', count: Math.max(0, room.online + delta) };
    }
    return { type: 'joinRefused', userId: BLOCKED_USER };
  }
}

function pick<T>(source: object, keys: readonly (keyof T)[]): T {
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key as string] = (source as Record<string, unknown>)[key as string];
  return out as T;
}
