// Why: chat lines carry no viewer level (the room computes it per viewer, for the user card), yet the
// chat shows one beside each name. This book keeps the levels the console has learnt — from every user
// card it loads, and from a few lookups it makes itself — and asks for them gently: only chatters the
// feed just showed, newest first, a handful per tick (a 1,000 msg/s room must not turn into 1,000 card
// queries a second), none twice at once, a failed one not again for a while, stale ones refreshed. It
// forgets the oldest past its cap. Plain TypeScript: the caller drives `drain` from its clock.

export interface LevelBookOptions {
  /** Asks the room for one viewer's level (rejects on failure). */
  lookup: (userId: string) => Promise<number>;
  /** Told whenever a level becomes known or changes. */
  onLevel: (userId: string, level: number) => void;
  /** Told when a level is forgotten (past the cap). */
  onForget?: (userId: string) => void;
  /** Unix-ms clock. */
  clock: () => number;
  /** Lookups started per `drain` (default 4). */
  perDrain?: number;
  /** Lookups in flight at most (default 2). */
  concurrency?: number;
  /** Wanted viewers kept waiting, the newest (default 40): older wishes are dropped, not queued up. */
  queueCap?: number;
  /** Levels remembered, the most recently learnt (default 2,000). */
  cap?: number;
  /** A level older than this is looked up again when wanted (default 5 min). */
  staleMs?: number;
  /** After a failed lookup, the viewer is not asked about again for this long (default 60 s). */
  retryMs?: number;
}

interface Known {
  level: number;
  at: number;
}

export class LevelBook {
  readonly #o: Required<LevelBookOptions>;
  /** Insertion order = learning order, so the first key is the one to forget. */
  readonly #known = new Map<string, Known>();
  /** Wanted, oldest first (drained from the end: the newest first). */
  #queue: string[] = [];
  readonly #queued = new Set<string>();
  readonly #inFlight = new Set<string>();
  readonly #failedAt = new Map<string, number>();

  constructor(options: LevelBookOptions) {
    this.#o = {
      perDrain: 4,
      concurrency: 2,
      queueCap: 40,
      cap: 2000,
      staleMs: 5 * 60_000,
      retryMs: 60_000,
      onForget: () => {},
      ...options,
    };
  }

  /** The level last learnt for `userId`, if any. */
  get(userId: string): number | undefined {
    return this.#known.get(userId)?.level;
  }

  get size(): number {
    return this.#known.size;
  }

  /** Viewers waiting for a lookup. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** A level learnt elsewhere (a user card). */
  set(userId: string, level: number): void {
    this.#failedAt.delete(userId);
    const before = this.#known.get(userId);
    this.#known.delete(userId);
    this.#known.set(userId, { level, at: this.#o.clock() });
    if (this.#known.size > this.#o.cap) {
      const oldest = this.#known.keys().next().value;
      if (oldest !== undefined) {
        this.#known.delete(oldest);
        this.#o.onForget(oldest);
      }
    }
    if (before?.level !== level) this.#o.onLevel(userId, level);
  }

  /** The feed showed this viewer: look their level up unless it is known and fresh. */
  want(userId: string): void {
    if (this.#inFlight.has(userId)) return;
    const now = this.#o.clock();
    const known = this.#known.get(userId);
    if (known && now - known.at < this.#o.staleMs) return;
    const failed = this.#failedAt.get(userId);
    if (failed !== undefined && now - failed < this.#o.retryMs) return;
    if (this.#queued.has(userId)) {
      // Wanted again: move to the newest end.
      this.#queue.splice(this.#queue.indexOf(userId), 1);
    } else {
      this.#queued.add(userId);
    }
    this.#queue.push(userId);
    if (this.#queue.length > this.#o.queueCap) {
      for (const dropped of this.#queue.splice(0, this.#queue.length - this.#o.queueCap)) this.#queued.delete(dropped);
    }
  }

  /** Start up to `perDrain` lookups, the most recently wanted first, within the concurrency. */
  drain(): void {
    let started = 0;
    while (started < this.#o.perDrain && this.#inFlight.size < this.#o.concurrency && this.#queue.length > 0) {
      const userId = this.#queue.pop()!;
      this.#queued.delete(userId);
      started++;
      void this.#look(userId);
    }
  }

  async #look(userId: string): Promise<void> {
    this.#inFlight.add(userId);
    try {
      const level = await this.#o.lookup(userId);
      this.set(userId, level);
    } catch {
      // Quietly: a level is decoration. Not asked again for a while.
      this.#failedAt.set(userId, this.#o.clock());
      if (this.#failedAt.size > this.#o.cap) {
        const oldest = this.#failedAt.keys().next().value;
        if (oldest !== undefined) this.#failedAt.delete(oldest);
      }
    } finally {
      this.#inFlight.delete(userId);
    }
  }
}
