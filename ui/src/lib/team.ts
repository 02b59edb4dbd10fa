// Why: the rules of the hub's team that both the console's forms and the fake hub need — the names the
// hub accepts (Rust: `access::check_name`), how long an invite may stay open (`MAX_INVITE_SECS`) and
// the choices the invite form offers, and whether an invite link names a hub only this computer can
// reach (a loopback address: the hub listens on 127.0.0.1 unless told otherwise). Pure.

/** The hub's default validity of an invite (24 h), as `validForSecs` null asks. */
export const DEFAULT_INVITE_SECS = 24 * 3600;
/** The longest an invite may be valid (30 days), as the hub allows (`access::MAX_INVITE_SECS`). */
export const MAX_INVITE_SECS = 30 * 24 * 3600;
/** What the invite form offers: 1 h, 24 h (the default), 7 days, 30 days (the most). */
export const INVITE_VALIDITIES = [3600, 86400, 604800, 2592000] as const;
/** The longest name, in characters. */
export const NAME_MAX = 32;
/** Names nobody else may take in the audit log (`access::RESERVED`). */
const RESERVED = ['owner', 'anchor', 'api', 'hub'];

/**
 * Why the hub would refuse a name: its characters or length, that it is reserved, or that it could pass
 * for another name in the audit log (full-width forms, or Latin, Greek and Cyrillic letters mixed).
 */
export type NameIssue = 'format' | 'reserved' | 'lookAlike';

/** The script of a letter that passes for another's (Rust: `access::look_alike_script`). */
function lookAlikeScript(c: string): string | null {
  if (/[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]/u.test(c)) return 'Latin';
  if (/[\u0370-\u03FF\u1F00-\u1FFF]/u.test(c)) return 'Greek';
  if (/[\u0400-\u052F\u1C80-\u1C8F\u2DE0-\u2DFF\uA640-\uA69F]/u.test(c)) return 'Cyrillic';
  return null;
}

/** What is wrong with `name` as a person's name on the hub (null: usable). */
export function nameIssue(name: string): NameIssue | null {
  const chars = [...name];
  if (chars.length === 0 || chars.length > NAME_MAX || !chars.every((c) => /[\p{L}\p{N}_.-]/u.test(c))) return 'format';
  if (RESERVED.includes(name.toLowerCase())) return 'reserved';
  if (chars.some((c) => /[\uFF00-\uFFEF]/u.test(c))) return 'lookAlike';
  const scripts = new Set(chars.map(lookAlikeScript).filter((s) => s !== null));
  return scripts.size > 1 ? 'lookAlike' : null;
}

/** The hub's refusal of a name, in its words (null: usable). */
export function nameProblem(name: string): string | null {
  switch (nameIssue(name)) {
    case 'format':
      return `${JSON.stringify(name)} is not a usable name: 1 to 32 letters, digits, '_', '-' or '.'`;
    case 'reserved':
      return `${JSON.stringify(name)} is reserved; choose another name`;
    case 'lookAlike':
      return `${JSON.stringify(name)} could pass for another name in the audit log; use ordinary letters of one script`;
    case null:
      return null;
  }
}

/** The hub address an invite link (`anchordesk://join?hub=…&code=…`) names, or null if it names none. */
export function inviteHub(link: string): URL | null {
  try {
    const hub = new URL(link).searchParams.get('hub');
    return hub ? new URL(hub) : null;
  } catch {
    return null;
  }
}

/** Whether a host is this computer only (127.0.0.0/8, localhost, ::1). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Whether a host is the "any address" a hub listens on (0.0.0.0, ::): no one can connect to it. */
function isUnspecifiedHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === '0.0.0.0' || h === '::';
}

/** Whether an invite link names a hub that no other computer can reach by that name. */
export function invitesOnlyThisComputer(link: string): boolean {
  const hub = inviteHub(link);
  return hub !== null && (isLoopbackHost(hub.hostname) || isUnspecifiedHost(hub.hostname));
}
