// Why: what each role on the hub's team may do, mirrored from the hub (`server::access`: `allows`,
// `Permission`, `permission_for`) so the console offers only what the hub would allow — the hub checks
// every call anyway; this only keeps the UI from offering a button that will be refused. One table per
// question: which permission a command needs (by the hub route it calls), and which roles have it.
// roles.test.ts lists the whole matrix, so a change on either side shows up there.
import type { Role } from './bindings';

/** What a hub route needs (Rust: `access::Permission`). */
export type Permission =
  | 'read'
  | 'moderate'
  | 'held'
  | 'words'
  | 'notes'
  | 'lottery'
  | 'broadcast'
  | 'notice'
  | 'status'
  | 'strikeLadder'
  | 'stream'
  | 'gifts'
  | 'people';

export const PERMISSIONS: readonly Permission[] = [
  'read',
  'moderate',
  'held',
  'words',
  'notes',
  'lottery',
  'broadcast',
  'notice',
  'status',
  'strikeLadder',
  'stream',
  'gifts',
  'people',
];

export const ROLES: readonly Role[] = ['owner', 'moderator', 'viewer'];

/** A moderator's chat actions (Rust: `allows` for `Role::Moderator`). */
const MODERATOR: ReadonlySet<Permission> = new Set(['read', 'moderate', 'held', 'words', 'notes', 'lottery']);

/** Whether `role` may do what `permission` covers (Rust: `access::allows`). */
export function can(role: Role, permission: Permission): boolean {
  switch (role) {
    case 'owner':
      return true;
    case 'moderator':
      return MODERATOR.has(permission);
    case 'viewer':
      return permission === 'read';
  }
}

/**
 * What the permission lets one do, in the hub's words, for its refusals ("a moderator may not …";
 * Rust: `Permission::describe`). Wire text, not UI text: the UI says it with `perm.*` messages.
 */
export const HUB_DESCRIBES: Readonly<Record<Permission, string>> = {
  read: 'read the room',
  moderate: 'moderate viewers',
  held: 'approve or reject held messages',
  words: 'change the word list',
  notes: 'write notes about viewers',
  lottery: 'run the lottery',
  broadcast: 'broadcast to every room',
  notice: "change the room's notice",
  status: "change the room's status",
  strikeLadder: 'change the strike ladder',
  stream: 'use the stream desk (push address, OBS, going live)',
  gifts: 'post gifts',
  people: "manage the hub's people and invites",
};

/**
 * The permission the hub route `route` (its pattern, `/api/v1` optional) needs with `method`; anything
 * unlisted is the owner's (Rust: `access::permission_for`, which fails closed the same way).
 */
export function permissionFor(method: string, route: string): Permission {
  const path = route.startsWith('/api/v1') ? route.slice('/api/v1'.length) : route;
  if (method === 'GET' && path === '/me') return 'read';
  const prefix = '/rooms/{room}';
  if (!path.startsWith(prefix)) return 'people';
  const tail = path.slice(prefix.length);
  const is = (m: string, ...tails: string[]) => method === m && tails.includes(tail);
  if (is('GET', '', '/events', '/words', '/audit', '/users/{user}', '/strikes', '/sessions', '/team')) return 'read';
  if (is('POST', '/moderation', '/audit/{id}/undo')) return 'moderate';
  if (is('POST', '/held/{id}')) return 'held';
  if (is('PUT', '/words')) return 'words';
  if (is('PUT', '/users/{user}/note')) return 'notes';
  if (is('POST', '/lottery/open', '/lottery/close', '/lottery/draw')) return 'lottery';
  if (is('POST', '/broadcast')) return 'broadcast';
  if (is('PUT', '/notice')) return 'notice';
  if (is('POST', '/status')) return 'status';
  if (is('PUT', '/strikes')) return 'strikeLadder';
  if (tail === '/stream' || tail.startsWith('/stream/')) return 'stream';
  if (is('POST', '/gifts')) return 'gifts';
  return 'people';
}

/**
 * The hub route each console command calls (Rust: `server::remote::RemoteRoom`), as `[method,
 * route]`. Commands not listed never reach the hub (settings, the chat window, parsing a word list…).
 */
export const HUB_ROUTES = {
  setStatus: ['POST', '/rooms/{room}/status'],
  moderate: ['POST', '/rooms/{room}/moderation'],
  setStrikeLadder: ['PUT', '/rooms/{room}/strikes'],
  sessions: ['GET', '/rooms/{room}/sessions'],
  words: ['GET', '/rooms/{room}/words'],
  setWords: ['PUT', '/rooms/{room}/words'],
  resolveHeld: ['POST', '/rooms/{room}/held/{id}'],
  audit: ['GET', '/rooms/{room}/audit'],
  exportAudit: ['GET', '/rooms/{room}/audit'],
  undo: ['POST', '/rooms/{room}/audit/{id}/undo'],
  userCard: ['GET', '/rooms/{room}/users/{user}'],
  setNote: ['PUT', '/rooms/{room}/users/{user}/note'],
  setNotice: ['PUT', '/rooms/{room}/notice'],
  openLottery: ['POST', '/rooms/{room}/lottery/open'],
  closeLottery: ['POST', '/rooms/{room}/lottery/close'],
  drawLottery: ['POST', '/rooms/{room}/lottery/draw'],
  broadcast: ['POST', '/rooms/{room}/broadcast'],
  streamAddress: ['GET', '/rooms/{room}/stream'],
  renewStreamAddress: ['POST', '/rooms/{room}/stream/renew'],
  applyToObs: ['POST', '/rooms/{room}/stream/obs'],
  goLive: ['POST', '/rooms/{room}/stream/go-live'],
  stopStream: ['POST', '/rooms/{room}/stream/stop'],
  hubMe: ['GET', '/me'],
  team: ['GET', '/rooms/{room}/team'],
  people: ['GET', '/rooms/{room}/people'],
  invite: ['POST', '/rooms/{room}/invites'],
  revoke: ['DELETE', '/rooms/{room}/people/{id}'],
} as const satisfies Record<string, readonly [string, string]>;

export type HubCommand = keyof typeof HUB_ROUTES;

/** Whether `command` is one the hub serves (and so checks, and needs the link for). */
export function isHubCommand(command: string): command is HubCommand {
  return Object.hasOwn(HUB_ROUTES, command);
}

/** The permission a console command needs on the hub. */
export function commandPermission(command: HubCommand): Permission {
  const [method, route] = HUB_ROUTES[command];
  return permissionFor(method, route);
}
