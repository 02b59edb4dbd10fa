// Why: this console's place on its hub's team, as Svelte 5 runes state — the link (connecting,
// reconnecting, revoked…, from `hubConnection` and then every `hub-connection` event), who it is
// (`hubMe`: name and role, which the room's `role` follows so the UI offers only what the hub allows),
// and the team (`team`, plus `people` for the owner). The team is asked while someone looks at it —
// every 5 s, never faster — and at once when the room's audit log says someone was invited, joined or
// was revoked; after the link comes back, who-am-I and the team are asked again (a revocation or a
// role may have changed meanwhile). An embedded console is always connected as the owner.
// Left out: the link itself (the Rust side reconnects) and showing any of it (ConnectionNotice,
// Header, TeamPanel). Plain methods, testable in node.
import type { AuditAction, HubConnection, Invite, Me, Person, Role, TeamMember, WireError } from './bindings';
import type { Room } from './room.svelte';
import { toWireError } from './wire';

/** How often the team is asked while it is shown (the hub's rate limit is per person: stay gentle). */
export const TEAM_POLL_MS = 5000;

/** Audit actions that change who is on the team. */
const TEAM_CHANGES: ReadonlySet<AuditAction> = new Set(['invite', 'join', 'revoke']);

export interface HubOptions {
  room: Room;
  /** Between team refreshes while watched (default `TEAM_POLL_MS`). */
  pollMs?: number;
}

export class Hub {
  /** The link now; null until first asked. */
  connection = $state.raw<HubConnection | null>(null);
  /** Who this console is on the hub (null until the hub answered). */
  me = $state.raw<Me | null>(null);
  /** The team: the owner, then everyone not revoked. */
  team = $state.raw<readonly TeamMember[]>([]);
  /** Everyone who joined, revoked or not — the owner's only (empty for anyone else). */
  people = $state.raw<readonly Person[]>([]);
  /** The team has been loaded at least once. */
  teamLoaded = $state(false);
  /** The last refresh's failure (kept until one succeeds). */
  teamError = $state.raw<WireError | null>(null);
  /** The link was seen down at least once: this is a remote console (an embedded one never is). */
  #sawDown = $state(false);

  readonly #room: Room;
  readonly #pollMs: number;
  #watchers = 0;
  #refreshing: Promise<void> | null = null;
  #askingMe: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(options: HubOptions) {
    this.#room = options.room;
    this.#pollMs = options.pollMs ?? TEAM_POLL_MS;
  }

  /** This console's role: as the hub said, else as the link says, else the room's (owner). */
  get role(): Role {
    if (this.me) return this.me.role;
    return this.connection?.type === 'connected' ? this.connection.role : this.#room.role;
  }

  /** A client of a hub elsewhere (the app says so, or its link has been down). */
  get remote(): boolean {
    return this.#room.info?.mode === 'remote' || this.#sawDown;
  }

  /** The link while it is not connected (what the banner shows); null when all is well. */
  get down(): Exclude<HubConnection, { type: 'connected' }> | null {
    const c = this.connection;
    return c === null || c.type === 'connected' ? null : c;
  }

  /** The room on screen is what it was when the link dropped: it may be behind. */
  get stale(): boolean {
    return this.down !== null && this.down.type !== 'connecting';
  }

  /**
   * Asks for the link and who this console is, and follows both (and the audit log, for team
   * changes). Returns the stop.
   */
  start(): () => void {
    this.#stopped = false;
    const backend = this.#room.backend;
    const stopLink = backend.onHubConnection((c) => this.#linked(c));
    const stopAudit = this.#room.onAudit((line) => {
      if (TEAM_CHANGES.has(line.action) && this.#watchers > 0) void this.refresh();
    });
    void backend.hubConnection().then(
      (c) => {
        // An event may have come first: it is newer.
        if (this.connection === null) this.#linked(c);
      },
      () => {},
    );
    void this.loadMe();
    return () => {
      this.#stopped = true;
      stopLink();
      stopAudit();
    };
  }

  /** Asks who this console is; the room's role follows. A failure (still connecting) keeps what was known. */
  loadMe(): Promise<void> {
    this.#askingMe ??= this.#room.backend.hubMe().then(
      (me) => {
        this.#askingMe = null;
        if (this.#stopped) return;
        this.me = me;
        this.#room.role = me.role;
      },
      () => {
        // Not connected yet: asked again when the link is up.
        this.#askingMe = null;
      },
    );
    return this.#askingMe;
  }

  /**
   * Keeps the team fresh while the caller shows it: now, then every `pollMs`. Returns the stop (the
   * polling ends when every watcher stopped).
   */
  watch(): () => void {
    this.#watchers++;
    void this.refresh();
    const timer = setInterval(() => void this.refresh(), this.#pollMs);
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.#watchers--;
      clearInterval(timer);
    };
  }

  /**
   * Asks for the team (and the owner's people list). A refresh asked while one runs makes one more
   * after it, not a second at once.
   */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = this.#load().finally(() => {
      this.#refreshing = null;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        void this.refresh();
      }
    });
    return this.#refreshing;
  }

  /** A single-use invite (the owner's); the team is asked again (the audit line says so too). */
  async invite(role: Role, name: string | null, validForSecs: number): Promise<Invite> {
    const invite = await this.#room.backend.invite(role, name, validForSecs);
    void this.refresh();
    return invite;
  }

  /** Revokes a person (the owner's): their consoles are disconnected at once. */
  async revoke(personId: number): Promise<Person> {
    const person = await this.#room.backend.revoke(personId);
    this.people = this.people.map((p) => (p.id === person.id ? person : p));
    void this.refresh();
    return person;
  }

  async #load(): Promise<void> {
    const backend = this.#room.backend;
    try {
      const owner = this.role === 'owner';
      const [team, people] = await Promise.all([backend.team(), owner ? backend.people() : Promise.resolve([])]);
      if (this.#stopped) return;
      this.team = team;
      this.people = people;
      this.teamLoaded = true;
      this.teamError = null;
    } catch (e) {
      if (!this.#stopped) this.teamError = toWireError(e);
    }
  }

  #linked(c: HubConnection): void {
    if (this.#stopped) return;
    const back = c.type === 'connected' && this.connection !== null && this.connection.type !== 'connected';
    if (c.type !== 'connected') this.#sawDown = true;
    this.connection = c;
    if (c.type === 'connected') {
      if (!this.me) this.#room.role = c.role;
      // Back after a drop (or the first connection of a remote console): the hub may have changed.
      if (back || !this.me) void this.loadMe();
      if (back && this.#watchers > 0) void this.refresh();
      if (back && !this.#room.info) void this.#room.loadInfo();
    }
  }
}
