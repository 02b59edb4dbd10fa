// Why: the hub's team as the fake backend keeps it in memory, faithful to the hub where the UI can
// tell (hub_me / hub_team / hub_people / hub_invite / hub_revoke and the `hub-connection` event): the
// owner is person 0 and always on the team; invites are for moderators and viewers only, single-use,
// with an expiry, their code shown once; revoking is final and closes that person's consoles; only
// the owner may list people, invite or revoke (`forbidden` otherwise, in the hub's words). The link
// itself (connecting, reconnecting, revoked…) is set by the test or the preview with `setConnection`.
import type { HubConnection, Invite, Me, Person, Role, TeamMember, WireError } from './bindings';

export interface FakeTeamOptions {
  /** Who this console is (default: the owner, as an embedded console always is). */
  me?: { name: string; role: Role; personId?: number };
  /** People who joined before (default none). */
  people?: Omit<Person, 'id'>[];
  /** The link to the hub (default: connected as `me`). */
  connection?: HubConnection;
}

/** The hub's default validity of an invite (24 h), as `validForSecs` null asks. */
export const DEFAULT_INVITE_SECS = 24 * 3600;
/** The longest an invite may be valid (30 days), as the hub allows (`access::MAX_INVITE_SECS`). */
export const MAX_INVITE_SECS = 30 * 24 * 3600;
/** Names nobody else may take in the audit log (`access::RESERVED`). */
const RESERVED = ['owner', 'anchor', 'api', 'hub'];

/** The hub's refusal of a name (null: usable): 1 to 32 letters, digits, '_', '-' or '.', not reserved. */
export function nameProblem(name: string): string | null {
  const chars = [...name];
  if (chars.length === 0 || chars.length > 32 || !chars.every((c) => /[\p{L}\p{N}_.-]/u.test(c))) {
    return `${JSON.stringify(name)} is not a usable name: 1 to 32 letters, digits, '_', '-' or '.'`;
  }
  if (RESERVED.includes(name.toLowerCase())) return `${JSON.stringify(name)} is reserved; choose another name`;
  return null;
}

const OWNER_NAME = 'anchor';

function forbidden(role: Role, what: string): WireError {
  return { code: 'forbidden', message: `a ${role} may not ${what}` };
}

function invalid(message: string): WireError {
  return { code: 'invalid', message };
}

export class FakeTeam {
  readonly #clock: () => number;
  readonly #me: Me;
  readonly #people: Person[] = [];
  readonly #listeners = new Set<(c: HubConnection) => void>();
  readonly #codes = new Map<string, { role: Role; name: string | null; expiresAt: number; used: boolean }>();
  #connection: HubConnection;
  #nextId = 1;
  #nextCode = 1;

  constructor(clock: () => number, groupId: string, options: FakeTeamOptions = {}) {
    this.#clock = clock;
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
    this.#ownerOnly('list the team');
    return this.#people.map((p) => ({ ...p }));
  }

  invite(role: Role, name: string | null, validForSecs: number | null, hubUrl: string): Invite {
    this.#ownerOnly('invite people');
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
    this.#ownerOnly('revoke access');
    const person = this.#people.find((p) => p.id === personId);
    if (!person) throw invalid(`no person ${personId} on this hub`);
    person.revoked = true;
    person.connected = 0;
    return { ...person };
  }

  #ownerOnly(what: string): void {
    if (this.#me.role !== 'owner') throw forbidden(this.#me.role, what);
  }
}
