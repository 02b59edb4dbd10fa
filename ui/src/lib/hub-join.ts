// Why: joining a team's hub by invite, as plain data so its rules are testable without a DOM. The
// owner's invite travels as a link, `anchordesk://join?hub=<the hub's address>&code=<the code>`, or as
// the two by hand; this reads the link and names what is wrong with what was typed before anything is
// sent, with the app's own rules: the hub's address (https://, or http:// on this computer), the name
// the hub accepts (1 to 32 letters, digits, '_', '-' or '.', not one it keeps for itself) and a path to
// its certificate. Whether the code is good only the hub can say, so it is only checked for being there.
// Words are left to the catalogue: problems are message keys.
import type { MessageKey } from './i18n';
import { isCertificatePath, isHubUrl } from './settings-form';
import { nameIssue } from './team';

/** How an invite link starts (Rust: `api::people::create_invite`). */
export const INVITE_LINK_PREFIX = 'anchordesk://join?';

export type InviteLink = { ok: true; hub: string; code: string } | { ok: false; problem: MessageKey };

/** The hub's address and the code in an invite link, or what is wrong with what was pasted. */
export function parseInviteLink(text: string): InviteLink {
  const link = text.trim();
  if (!link.toLowerCase().startsWith(INVITE_LINK_PREFIX)) return { ok: false, problem: 'settings.hubJoin.problem.notLink' };
  const query = new URLSearchParams(link.slice(INVITE_LINK_PREFIX.length));
  const hub = query.get('hub')?.trim() ?? '';
  const code = query.get('code')?.trim() ?? '';
  if (hub === '') return { ok: false, problem: 'settings.hubJoin.problem.linkNoHub' };
  if (code === '') return { ok: false, problem: 'settings.hubJoin.problem.linkNoCode' };
  return { ok: true, hub, code };
}

/** What joining sends, as typed ('' for not given). */
export interface JoinForm {
  url: string;
  code: string;
  name: string;
  ca: string;
}

export type JoinField = keyof JoinForm;
export type JoinProblems = Partial<Record<JoinField, MessageKey>>;

/** What is wrong with the join form, per field, before anything is sent. */
export function joinProblems(form: JoinForm): JoinProblems {
  const problems: JoinProblems = {};
  const url = form.url.trim();
  if (url === '') problems.url = 'settings.hubJoin.problem.urlNeeded';
  else if (!isHubUrl(url)) problems.url = 'settings.problem.hubUrl';
  const code = form.code.trim();
  if (code === '') problems.code = 'settings.hubJoin.problem.codeNeeded';
  else if (/\s/.test(code)) problems.code = 'settings.hubJoin.problem.codeSpaces';
  const name = form.name.trim();
  const issue = name === '' ? null : nameIssue(name);
  if (issue === 'format') problems.name = 'settings.hubJoin.problem.name';
  else if (issue === 'reserved') problems.name = 'settings.hubJoin.problem.nameReserved';
  else if (issue === 'lookAlike') problems.name = 'settings.hubJoin.problem.nameLookAlike';
  const ca = form.ca.trim();
  if (ca !== '' && !isCertificatePath(ca)) problems.ca = 'settings.problem.hubCa';
  return problems;
}

/** What `joinHub` is called with: trimmed, and an empty name or certificate path as not given. */
export function joinArgs(form: JoinForm): [hubUrl: string, code: string, name: string | null, hubCa: string | null] {
  return [form.url.trim(), form.code.trim(), form.name.trim() || null, form.ca.trim() || null];
}
