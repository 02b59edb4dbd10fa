// Why: the hub's team as the fake backend keeps it in memory, faithful to the hub where the UI can
// tell (hub_me / hub_team / hub_people / hub_invite / hub_revoke and the `hub-connection` event): the
// owner is person 0 and always on the team; invites are for moderators and viewers only, single-use,
// with an expiry, their code shown once; revoking is final and closes that person's consoles; a join
// is audited. Who may do what (only the owner lists people, invites or revokes) is checked for every
// command in one place, the fake backend's (roles.ts has the hub's matrix). The link itself
// (connecting, reconnecting, revoked…) is set by the test or the preview with `setConnection`.
import type { AuditLine, HubConnection, Invite, Me, Person, Role, TeamMember, WireError } from './bindings';
import { DEFAULT_INVITE_SECS, MAX_INVITE_SECS, nameProblem } from './team';

export interface FakeTeamOptions {
  /** Who this console is (default: the owner, as an embedded console always is). */
  me?: { name: string; role: Role; personId?: number };
  /** People who joined before (default none). */
  people?: Omit<Person, 'id'>[];
  /** The link to the hub (default: connected as `me`). */
  connection?: HubConnection;
}

/** Where the fake hub says it is (an embedded hub's default listen address). */
export const FAKE_HUB_URL = 'http://127.0.0.1:8690';

const OWNER_NAME = 'anchor';

/** An audit line's fields, as the fake backend numbers and pushes them. */
export type TeamAudit = Pick<AuditLine, 'actor' | 'action' | 'target' | 'detail' | 'reason' | 'duration'>;

function invalid(message: string): WireError {
  return { code: 'invalid', message };
}

export class FakeTeam {
  readonly #clock: () => number;
  readonly #audit: (line: TeamAudit) => void;
  readonly #me: Me;
  readonly #people: Person[] = [];
  readonly #listeners = new Set<(c: HubConnection) => void>();
  readonly #codes = new Map<string, { role: Role; name: string | null; expiresAt: number; used: boolean }>();
  #connection: HubConnection;
  #nextId = 1;
  #nextCode = 1;

  /** `audit` records what the hub audits itself (someone joining), as the room's audit log shows it. */
  constructor(clock: () => number, groupId: string, options: FakeTeamOptions = {}, audit: (line: TeamAudit) => void = () => {}) {
    this.#clock = clock;
    this.#audit = audit;
    const me = options.me ?? { name: OWNER_NAME, role: 'owner' as Role };
    this.#me = { personId: me.personId ?? (me.role === 'owner' ? 0 : 1), name: me.name, role: me.role, room: groupId, sdkAppId: 0 };
    for (const p of options.people ?? []) this.#people.push({ ...p, id: this.#nextId++ });
    if (me.role !== 'owner' && !this.#people.some((p) => p.name === me.name)) {
      this.#people.push({ id: this.#me.personId, name: me.name, role: me.role, createdAt: clock(), lastSeen: clock(), connected: 1, revoked: false });
      this.#nextId = Math.max(this.#nextId, this.#me.personId + 1);
    }
    this.#connection = options.connection ?? { type: 'connected', role: me.role, name: me.name };
  }

  get role(): Role {
    return this.#me.role;
  }

  get name(): string {
    return this.#me.name;
  }

  get connection(): HubConnection {
    return this.#connection;
  }

  /** Whether commands reach the hub now (not while connecting, reconnecting or stopped). */
  get online(): boolean {
    return this.#connection.type === 'connected';
  }

  me(): Me {
    return { ...this.#me };
  }

  /** Changes the link and tells the listeners, as the app's `hub-connection` event does. */
  setConnection(connection: HubConnection): void {
    this.#connection = connection;
    for (const listener of [...this.#listeners]) listener(connection);
  }

  onConnection(listener: (c: HubConnection) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  team(): TeamMember[] {
    const owner: TeamMember = { name: OWNER_NAME, role: 'owner', connected: 1 };
    return [owner, ...this.#people.filter((p) => !p.revoked).map((p) => ({ name: p.name, role: p.role, connected: p.connected }))];
  }

  people(): Person[] {
    return this.#people.map((p) => ({ ...p }));
  }

  invite(role: Role, name: string | null, validForSecs: number | null, hubUrl: string): Invite {
    if (role === 'owner') {
      throw invalid("an invite makes a moderator or a viewer; the owner is whoever holds the hub's API token");
    }
    const cleanName = name?.trim() || null;
    const problem = cleanName === null ? null : nameProblem(cleanName);
    if (problem) throw invalid(problem);
    const secs = validForSecs ?? DEFAULT_INVITE_SECS;
    if (!Number.isInteger(secs) || secs < 1 || secs > MAX_INVITE_SECS) {
      throw invalid(`an invite is valid for 1 to ${MAX_INVITE_SECS} seconds`);
    }
    const code = `fake-invite-${String(this.#nextCode++).padStart(4, '0')}`;
    const expiresAt = this.#clock() + secs * 1000;
    this.#codes.set(code, { role, name: cleanName, expiresAt, used: false });
    return { code, link: `anchordesk://join?hub=${hubUrl}&code=${code}`, role, name: cleanName, expiresAt };
  }

  /** Someone redeems `code` (a test's way of showing a joiner), as the hub's redeem route does. */
  redeem(code: string, name: string | null): Person {
    const invite = this.#codes.get(code);
    const refuse = (message: string): WireError => ({ code: 'forbidden', message });
    if (!invite) throw refuse('this invite code is not known: check it was copied whole');
    if (invite.used) throw refuse('this invite has already been used; ask the owner for a new one');
    if (invite.expiresAt <= this.#clock()) throw refuse('this invite has expired; ask the owner for a new one');
    const chosen = invite.name ?? name?.trim() ?? '';
    const problem = nameProblem(chosen);
    if (problem) throw invalid(problem);
    invite.used = true;
    const person: Person = { id: this.#nextId++, name: chosen, role: invite.role, createdAt: this.#clock(), lastSeen: null, connected: 0, revoked: false };
    this.#people.push(person);
    this.#audit({ actor: chosen, action: 'join', target: chosen, detail: `joined as ${invite.role}`, reason: '', duration: null });
    return { ...person };
  }

  /** Sets how many consoles person `name` has open (a test's way of showing them connect). */
  setConnected(name: string, connected: number): void {
    const person = this.#people.find((p) => p.name === name && !p.revoked);
    if (person) {
      person.connected = connected;
      if (connected > 0) person.lastSeen = this.#clock();
    }
  }

  revoke(personId: number): Person {
    const person = this.#people.find((p) => p.id === personId);
    if (!person) throw invalid(`no person ${personId} on this hub`);
    person.revoked = true;
    person.connected = 0;
    return { ...person };
  }
}
