// Why: the Settings screen's form as plain data, so its rules are testable without a DOM. The form
// holds what the anchor typed (text as typed, secrets as a write-only draft: keep, replace with a new
// value, or forget); from it come the `Settings` to save, the `SecretChange`s to send (only for secrets
// the anchor touched, never the stored values, which the UI never has), whether anything changed, and
// the obvious mistakes to point out next to a field before asking the app. Invariants: a field an
// environment variable overrides is sent back exactly as the app gave it and its secret is never
// changed; a form with no problems turns into settings the contract's checks accept. Words are left to
// the catalogue: problems are message keys. The hub is a choice, not only fields: a console runs its
// own hub (embedded) or is a team's hub's client (remote: a hub URL, maybe a certificate, a token);
// an embedded choice saves no hub URL or certificate, whatever was typed for them.
import type { MessageKey, Params } from './i18n';
import { utf8Bytes } from './limits';
import type { ConsoleMode, SecretChange, SecretName, Settings, SettingsView } from './bindings';

/** Tencent IM's data centers, as the contract names them (the app's default is `china`). */
export const IM_REGIONS = [
  'china',
  'singapore',
  'seoul',
  'tokyo',
  'frankfurt',
  'mumbai',
  'siliconvalley',
  'jakarta',
] as const;
export type ImRegion = (typeof IM_REGIONS)[number];

export const SECRET_NAMES: readonly SecretName[] = [
  'imSecretKey',
  'callbackToken',
  'apiToken',
  'pushKey',
  'pushBackupKey',
  'playKey',
  'cssSecretKey',
  'obsPassword',
  'hubToken',
];

/** The settings typed as text (all but the auto-pause switch). */
export type TextField = Exclude<keyof Settings, 'autoPause'>;
export const TEXT_FIELDS: readonly TextField[] = [
  'sdkAppId',
  'imRegion',
  'imEndpoint',
  'imAdmin',
  'roomName',
  'hubListen',
  'hubPublicUrl',
  'pushDomain',
  'pushApp',
  'streamName',
  'pushValidFor',
  'playDomain',
  'cssSecretId',
  'cssRegion',
  'obsUrl',
  'hubUrl',
  'hubCa',
];

/** The environment variable behind each setting and secret (README, `anchordesk --help`). */
export const ENV_VARS: Readonly<Record<keyof Settings | SecretName, string>> = {
  sdkAppId: 'ANCHORDESK_SDKAPPID',
  imRegion: 'ANCHORDESK_IM_REGION',
  imEndpoint: 'ANCHORDESK_IM_ENDPOINT',
  imAdmin: 'ANCHORDESK_IM_ADMIN',
  roomName: 'ANCHORDESK_ROOM_NAME',
  hubListen: 'ANCHORDESK_HUB_LISTEN',
  hubPublicUrl: 'ANCHORDESK_HUB_PUBLIC_URL',
  pushDomain: 'ANCHORDESK_PUSH_DOMAIN',
  pushApp: 'ANCHORDESK_PUSH_APP',
  streamName: 'ANCHORDESK_STREAM_NAME',
  pushValidFor: 'ANCHORDESK_PUSH_VALID_FOR',
  playDomain: 'ANCHORDESK_PLAY_DOMAIN',
  cssSecretId: 'ANCHORDESK_CSS_SECRET_ID',
  cssRegion: 'ANCHORDESK_CSS_REGION',
  obsUrl: 'ANCHORDESK_OBS_URL',
  autoPause: 'ANCHORDESK_AUTO_PAUSE',
  hubUrl: 'ANCHORDESK_HUB_URL',
  hubCa: 'ANCHORDESK_HUB_CA',
  imSecretKey: 'ANCHORDESK_IM_SECRET_KEY',
  callbackToken: 'ANCHORDESK_CALLBACK_TOKEN',
  apiToken: 'ANCHORDESK_API_TOKEN',
  pushKey: 'ANCHORDESK_PUSH_KEY',
  pushBackupKey: 'ANCHORDESK_PUSH_BACKUP_KEY',
  playKey: 'ANCHORDESK_PLAY_KEY',
  cssSecretKey: 'ANCHORDESK_CSS_SECRET_KEY',
  obsPassword: 'ANCHORDESK_OBS_PASSWORD',
  hubToken: 'ANCHORDESK_HUB_TOKEN',
};

/**
 * What an empty field means (the app's defaults), shown as the field's placeholder; for the rest an
 * example of the shape. Data, not words: the same in every language.
 */
export const FIELD_EXAMPLES: Readonly<Record<TextField, string>> = {
  sdkAppId: '1400123456',
  imRegion: '',
  imEndpoint: 'https://adminapisgp.im.qcloud.com',
  imAdmin: 'administrator',
  roomName: 'AnchorDesk live room',
  hubListen: '127.0.0.1:8690',
  hubPublicUrl: 'https://hub.example.com:8690',
  pushDomain: 'push.example.com',
  pushApp: 'live',
  streamName: 'room_…',
  pushValidFor: '24h',
  playDomain: 'play.example.com',
  cssSecretId: 'AKID…',
  cssRegion: 'ap-guangzhou',
  obsUrl: 'ws://127.0.0.1:4455',
  hubUrl: 'https://hub.example.com:8690',
  hubCa: '/home/me/hub-cert.pem',
};

/** Auto-pause is on unless turned off (Rust: `ANCHORDESK_AUTO_PAUSE` defaults to on). */
export const AUTO_PAUSE_DEFAULT = true;
/** Tencent's limit on a group name, in UTF-8 bytes (Rust: `im::api::limits::NAME_BYTES`). */
export const ROOM_NAME_MAX_BYTES = 30;
/** A user ID is 1 to 32 bytes (Rust: `im::client::validate_user_id`). */
export const ADMIN_MAX_BYTES = 32;
/** SDKAppIDs are unsigned 32-bit numbers in the IM console. */
export const SDKAPPID_MAX = 4_294_967_295;

/**
 * A secret as the form holds it: left as stored (`keep`), to be replaced by what was typed (`replace`;
 * nothing typed means nothing changes), or to be forgotten (`forget`).
 */
export interface SecretDraft {
  mode: 'keep' | 'replace' | 'forget';
  /** What the anchor typed for `replace` (never a stored value: the UI never has one). */
  value: string;
}

/** Where this console's hub is: its own (`embedded`), or a team's that it connects to (`remote`). */
export type HubChoice = 'embedded' | 'remote';

/** What the header and the Settings call each mode. */
export const MODE_KEYS: Readonly<Record<ConsoleMode, MessageKey>> = {
  sandbox: 'header.mode.sandbox',
  tencent: 'header.mode.tencent',
  remote: 'header.mode.remote',
};

export interface SettingsForm {
  /** The hub chosen: remote when a hub URL is saved (or set by the environment). */
  hub: HubChoice;
  /** Each text setting as typed ('' for not set). */
  text: Record<TextField, string>;
  /** The auto-pause switch as shown (the default filled in). */
  autoPause: boolean;
  secrets: Record<SecretName, SecretDraft>;
}

/** Which Settings section each field is in (to go to the first one that needs fixing). */
export const FIELD_SECTIONS: Readonly<Record<FieldName, 'im' | 'hub' | 'streaming' | 'obs'>> = {
  sdkAppId: 'im',
  imRegion: 'im',
  imEndpoint: 'im',
  imAdmin: 'im',
  roomName: 'im',
  imSecretKey: 'im',
  hubListen: 'hub',
  hubPublicUrl: 'hub',
  callbackToken: 'hub',
  apiToken: 'hub',
  pushDomain: 'streaming',
  pushApp: 'streaming',
  streamName: 'streaming',
  pushValidFor: 'streaming',
  playDomain: 'streaming',
  cssSecretId: 'streaming',
  cssRegion: 'streaming',
  pushKey: 'streaming',
  pushBackupKey: 'streaming',
  playKey: 'streaming',
  cssSecretKey: 'streaming',
  obsUrl: 'obs',
  obsPassword: 'obs',
  hubUrl: 'hub',
  hubCa: 'hub',
  hubToken: 'hub',
};

export interface Problem {
  key: MessageKey;
  params?: Params;
}
export type FieldName = TextField | SecretName;
export type Problems = Partial<Record<FieldName, Problem>>;

/** The text a stored setting shows as. */
function asText(value: string | number | null): string {
  return value === null ? '' : String(value);
}

/** The form for a view: every setting as stored, every secret kept. */
export function formFrom(view: SettingsView): SettingsForm {
  const text = {} as Record<TextField, string>;
  for (const field of TEXT_FIELDS) text[field] = asText(view.settings[field]);
  const secrets = {} as Record<SecretName, SecretDraft>;
  for (const name of SECRET_NAMES) secrets[name] = { mode: 'keep', value: '' };
  const hub: HubChoice = view.settings.hubUrl !== null || isFromEnv(view, 'hubUrl') ? 'remote' : 'embedded';
  return { hub, text, autoPause: view.settings.autoPause ?? AUTO_PAUSE_DEFAULT, secrets };
}

/** The settings that only a remote hub uses: an embedded choice saves them unset. */
const REMOTE_FIELDS: readonly TextField[] = ['hubUrl', 'hubCa'];

/** Whether an environment variable overrides this setting or secret (read-only here). */
export function isFromEnv(view: SettingsView, name: keyof Settings | SecretName): boolean {
  return view.fromEnv.includes(name);
}

/**
 * The value a secret draft would store: keys lose the whitespace a paste brings along (a trailing
 * newline is the usual one); the OBS password is taken as typed, since a password may have spaces.
 * Null when nothing was typed.
 */
function typedSecret(name: SecretName, draft: SecretDraft): string | null {
  const value = name === 'obsPassword' ? draft.value : draft.value.trim();
  return value === '' ? null : value;
}

/**
 * The secret changes to send: a replaced secret with something typed, and a forgotten secret that is
 * stored. Untouched secrets, an empty replacement and those an environment variable sets are not sent.
 */
export function secretChanges(form: SettingsForm, view: SettingsView): SecretChange[] {
  const changes: SecretChange[] = [];
  for (const name of SECRET_NAMES) {
    if (isFromEnv(view, name)) continue;
    const draft = form.secrets[name];
    if (draft.mode === 'replace') {
      const value = typedSecret(name, draft);
      if (value !== null) changes.push({ name, value });
    } else if (draft.mode === 'forget' && view.secretsSet.includes(name)) {
      changes.push({ name, value: null });
    }
  }
  return changes;
}

/** Whether a secret will be stored after saving this form. */
export function secretWillBeSet(form: SettingsForm, view: SettingsView, name: SecretName): boolean {
  if (isFromEnv(view, name)) return true; // the variable gives it
  const draft = form.secrets[name];
  if (draft.mode === 'forget') return false;
  if (draft.mode === 'replace' && typedSecret(name, draft) !== null) return true;
  return view.secretsSet.includes(name);
}

/** A text field as it would be saved: trimmed, empty as null (a remote hub's field, unless remote). */
function typedText(form: SettingsForm, field: TextField): string | null {
  if (form.hub === 'embedded' && REMOTE_FIELDS.includes(field)) return null;
  const value = form.text[field].trim();
  return value === '' ? null : value;
}

/**
 * The settings to save. Fields an environment variable overrides go back exactly as the view had
 * them; auto-pause stays unset while the switch shows the default. Call on a form without problems
 * (a malformed SDKAppID would be sent as null).
 */
export function settingsFrom(form: SettingsForm, view: SettingsView): Settings {
  const out = { ...view.settings };
  for (const field of TEXT_FIELDS) {
    if (isFromEnv(view, field)) continue;
    const value = typedText(form, field);
    if (field === 'sdkAppId') out.sdkAppId = value === null ? null : parseSdkAppId(value);
    else out[field] = value;
  }
  if (!isFromEnv(view, 'autoPause') && form.autoPause !== (view.settings.autoPause ?? AUTO_PAUSE_DEFAULT)) {
    out.autoPause = form.autoPause;
  }
  return out;
}

/** Whether the form differs from the view: a setting changed, or a secret change would be sent. */
export function isDirty(form: SettingsForm, view: SettingsView): boolean {
  const before = formFrom(view);
  for (const field of TEXT_FIELDS) {
    if (!isFromEnv(view, field) && typedText(form, field) !== typedText(before, field)) return true;
  }
  if (!isFromEnv(view, 'autoPause') && form.autoPause !== before.autoPause) return true;
  return secretChanges(form, view).length > 0;
}

/** Whether a stored SDKAppID is one: a whole number from 1 to 4294967295. */
export function isSdkAppId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= SDKAPPID_MAX;
}

/** The SDKAppID typed, or null when it is not one (digits only, 1 to 4294967295). */
export function parseSdkAppId(text: string): number | null {
  if (!/^\d{1,10}$/.test(text)) return null;
  const n = Number(text);
  return isSdkAppId(n) ? n : null;
}

/** `ip:port` as Rust's `SocketAddr` reads it: an IPv4 address or a bracketed IPv6 one, port 1 to 65535. */
export function isListenAddress(text: string): boolean {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/.exec(text);
  if (!m) return false;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return false;
  if (m[1].startsWith('[')) return m[1].includes(':');
  return m[1].split('.').every((octet) => Number(octet) <= 255 && !/^0\d/.test(octet));
}

/** An obs-websocket address: `ws://` or `wss://` with a host. */
export function isWebSocketUrl(text: string): boolean {
  const url = parseUrl(text);
  return url !== null && (url.protocol === 'ws:' || url.protocol === 'wss:') && url.hostname !== '';
}

/** An HTTP(S) base URL with a host (the IM endpoint). */
export function isHttpUrl(text: string): boolean {
  const url = parseUrl(text);
  return url !== null && (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** A hub's address read the way the app reads it (Rust: `HubAddress::parse`), or null when it is none. */
export function hubAddress(text: string): { tls: boolean; loopback: boolean } | null {
  const url = parseUrl(text.trim());
  if (url === null || url.hostname === '' || url.username !== '' || url.password !== '') return null;
  if (url.search !== '' || url.hash !== '') return null;
  const tls = url.protocol === 'https:' || url.protocol === 'wss:';
  if (!tls && url.protocol !== 'http:' && url.protocol !== 'ws:') return null;
  const host = url.hostname.toLowerCase();
  const loopback = host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  return { tls, loopback };
}

/** A hub's address this console may send its token to: https:// anywhere, http:// only on this computer. */
export function isHubUrl(text: string): boolean {
  const address = hubAddress(text);
  return address !== null && (address.tls || address.loopback);
}

/** A path to the hub's certificate file (one line), not the PEM text pasted in its place. */
export function isCertificatePath(text: string): boolean {
  return !/[\r\n]/.test(text) && !text.includes('-----BEGIN');
}

/** A bare domain name (`push.example.com`): no scheme, no path, no port. */
export function isDomain(text: string): boolean {
  return (
    text.length <= 253 &&
    /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(text)
  );
}

/** A CSS AppName or stream name: letters, digits, `_` and `-`. */
export function isStreamPart(text: string): boolean {
  return /^[A-Za-z0-9_-]{1,256}$/.test(text);
}

/** One number and one unit, more than zero (Rust: `stream::expiry::parse_duration`). */
export function isValidFor(text: string): boolean {
  const m = /^(\d+)([smhd])$/.exec(text);
  return m !== null && Number(m[1]) > 0;
}

/** A Tencent Cloud region code (`ap-guangzhou`, `na-siliconvalley`). */
export function isCloudRegion(text: string): boolean {
  return /^[a-z]+(?:-[a-z0-9]+)+$/.test(text);
}

export function isImRegion(text: string): text is ImRegion {
  return (IM_REGIONS as readonly string[]).includes(text);
}

/**
 * Whether a text setting's value (already trimmed and non-empty) is well formed, as the app checks it.
 * The one rule per field: the form's hints here and the fake's refusals (fake-settings.ts) both ask it.
 */
export function isWellFormed(field: TextField, value: string): boolean {
  switch (field) {
    case 'sdkAppId':
      return parseSdkAppId(value) !== null;
    case 'imRegion':
      return isImRegion(value);
    case 'imEndpoint':
      return isHttpUrl(value);
    case 'imAdmin':
      return utf8Bytes(value) <= ADMIN_MAX_BYTES && !/\s/.test(value);
    case 'roomName':
      return utf8Bytes(value) <= ROOM_NAME_MAX_BYTES;
    case 'hubListen':
      return isListenAddress(value);
    case 'pushDomain':
    case 'playDomain':
      return isDomain(value);
    case 'pushApp':
    case 'streamName':
      return isStreamPart(value);
    case 'pushValidFor':
      return isValidFor(value);
    case 'cssSecretId':
      return /^[A-Za-z0-9]+$/.test(value);
    case 'cssRegion':
      return isCloudRegion(value);
    case 'obsUrl':
      return isWebSocketUrl(value);
    case 'hubUrl':
    case 'hubPublicUrl':
      return isHubUrl(value);
    case 'hubCa':
      return isCertificatePath(value);
  }
}

/** What each text field's problem says to fix. */
const PROBLEM_KEYS: Readonly<Record<TextField, MessageKey>> = {
  sdkAppId: 'settings.problem.sdkAppId',
  imRegion: 'settings.problem.region',
  imEndpoint: 'settings.problem.endpoint',
  imAdmin: 'settings.problem.admin',
  roomName: 'settings.problem.roomName',
  hubListen: 'settings.problem.listen',
  hubPublicUrl: 'settings.problem.hubUrl',
  pushDomain: 'settings.problem.domain',
  playDomain: 'settings.problem.domain',
  pushApp: 'settings.problem.streamPart',
  streamName: 'settings.problem.streamPart',
  pushValidFor: 'settings.problem.validFor',
  cssSecretId: 'settings.problem.secretId',
  cssRegion: 'settings.problem.cssRegion',
  obsUrl: 'settings.problem.obsUrl',
  hubUrl: 'settings.problem.hubUrl',
  hubCa: 'settings.problem.hubCa',
};

/** Problems with a text field's value (already trimmed and non-empty), or null. */
function textProblem(field: TextField, value: string): Problem | null {
  if (isWellFormed(field, value)) return null;
  return field === 'roomName' ? { key: PROBLEM_KEYS.roomName, params: { max: ROOM_NAME_MAX_BYTES } } : { key: PROBLEM_KEYS[field] };
}

/** Whether the form, saved, runs a remote hub's console (a hub URL from the form or the environment). */
function isRemote(form: SettingsForm, view: SettingsView): boolean {
  return isFromEnv(view, 'hubUrl') || typedText(form, 'hubUrl') !== null;
}

/**
 * The obvious mistakes, per field, that the app would refuse anyway: malformed values, a key pasted
 * with spaces in it, an SDKAppID without its secret key (on this computer's own hub), a remote hub
 * without its address or this console's token. Fields an environment variable sets are not the
 * anchor's to fix here and are not checked.
 */
export function validate(form: SettingsForm, view: SettingsView): Problems {
  const problems: Problems = {};
  for (const field of TEXT_FIELDS) {
    if (isFromEnv(view, field)) continue;
    const value = typedText(form, field);
    if (value === null) continue;
    const problem = textProblem(field, value);
    if (problem) problems[field] = problem;
  }
  for (const name of SECRET_NAMES) {
    if (isFromEnv(view, name) || name === 'obsPassword') continue;
    const draft = form.secrets[name];
    const value = draft.mode === 'replace' ? typedSecret(name, draft) : null;
    if (value !== null && /\s/.test(value)) problems[name] = { key: 'settings.problem.secretSpaces' };
  }
  const sdkAppId = isFromEnv(view, 'sdkAppId') ? asText(view.settings.sdkAppId) : form.text.sdkAppId.trim();
  const remote = isRemote(form, view);
  if (!remote && sdkAppId !== '' && !secretWillBeSet(form, view, 'imSecretKey') && !problems.imSecretKey) {
    problems.imSecretKey = { key: 'settings.problem.secretNeeded' };
  }
  if (form.hub === 'remote' && !remote) problems.hubUrl = { key: 'settings.problem.hubUrlNeeded' };
  if (remote && !secretWillBeSet(form, view, 'hubToken') && !problems.hubToken) {
    problems.hubToken = { key: 'settings.problem.hubTokenNeeded' };
  }
  return problems;
}
