// Why: the settings the fake backend keeps in memory, faithful to the contract where the UI can tell
// (settings_get / settings_save / app_restart): a save checks everything first and refuses with
// `invalid` naming the field and what to fix, saving nothing; secrets are stored but only their names
// come back; fields and secrets an environment variable sets cannot be changed; an SDKAppID needs its
// secret key on this computer's own hub, a remote hub its token, and a hub certificate is a file it can
// read; the mode follows the saved hub URL and SDKAppID; and `restartNeeded` says whether what was
// saved differs from what runs until a restart. Joining a hub by invite (hub_join) checks, as the app
// does, everything it would save before the hub is asked, so a refusal never spends the code.
// Refusals never repeat a secret's value.
import {
  ADMIN_MAX_BYTES,
  ENV_VARS,
  IM_REGIONS,
  ROOM_NAME_MAX_BYTES,
  SECRET_NAMES,
  hubAddress,
  isSdkAppId,
  isWellFormed,
} from './settings-form';
import { FAKE_HUB_URL } from './fake-team';
import { utf8Bytes } from './limits';
import type { HubJoined, Role, SecretChange, SecretName, SecretStore, Settings, SettingsView, WireError } from './bindings';

export interface FakeSettingsOptions {
  /** Saved from the start (the rest not set). */
  settings?: Partial<Settings>;
  /** Secrets stored from the start (with made-up values: the UI never sees them). */
  secrets?: SecretName[];
  /** Fields and secrets an environment variable sets (read-only). */
  fromEnv?: (keyof Settings | SecretName)[];
  /** Where secrets live (default: the OS keychain). */
  secretStore?: SecretStore;
  /** Files this computer has, by path, with their text (for a hub's certificate; default none). */
  files?: Record<string, string>;
  /** The hubs this computer reaches, by address (default: the fake's own, FAKE_HUB_URL). */
  hubs?: string[];
}

/** Where the fake's own hub is, as its invites name it (fake-backend.ts, `invite`). */

/** What the app stores for a secret a check only probes (Rust: `SettingsFolder::check`). */
const PROBE = 'value-to-check';

/** Nothing saved: every default applies (the sandbox). */
export const EMPTY_SETTINGS: Readonly<Settings> = {
  sdkAppId: null,
  imRegion: null,
  imEndpoint: null,
  imAdmin: null,
  roomName: null,
  hubListen: null,
  hubPublicUrl: null,
  pushDomain: null,
  pushApp: null,
  streamName: null,
  pushValidFor: null,
  playDomain: null,
  cssSecretId: null,
  cssRegion: null,
  obsUrl: null,
  autoPause: null,
  hubUrl: null,
  hubCa: null,
};

const FIELDS = Object.keys(EMPTY_SETTINGS) as (keyof Settings)[];
/** What names this console's hub: the environment must not set them for a join to be saved. */
const HUB_NAMES = ['hubUrl', 'hubCa', 'hubToken'] as const;

function invalid(message: string): WireError {
  return { code: 'invalid', message };
}

/** A hub's address as the app compares and names it: scheme, host and path, no trailing slash. */
function hubBase(url: string): string {
  const u = new URL(url);
  const scheme = u.protocol === 'wss:' ? 'https:' : u.protocol === 'ws:' ? 'http:' : u.protocol;
  return `${scheme}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/** What is wrong with one setting's value (null: nothing), in the app's words; the rules are the form's. */
function fieldProblem(field: keyof Settings, value: unknown): string | null {
  if (value === null) return null;
  if (field === 'autoPause') return typeof value === 'boolean' ? null : 'autoPause must be true, false or null';
  if (field === 'sdkAppId') {
    return isSdkAppId(value) ? null : `sdkAppId ${JSON.stringify(value)} is not an SDKAppID: copy the number from the IM console`;
  }
  if (typeof value !== 'string') return `${field} must be text or null`;
  if (value.trim() === '') return `${field} is empty: leave it unset (null) for the default`;
  if (value !== value.trim()) return `${field} has spaces around it: remove them`;
  if (isWellFormed(field, value)) return null;
  const shown = JSON.stringify(value);
  switch (field) {
    case 'imRegion':
      return `imRegion ${shown} is not a data center: use ${IM_REGIONS.join(', ')}`;
    case 'imEndpoint':
      return `imEndpoint ${shown} is not a web address: use https://…`;
    case 'imAdmin':
      return `imAdmin must be 1 to ${ADMIN_MAX_BYTES} bytes without spaces`;
    case 'roomName':
      return `roomName is ${utf8Bytes(value)} bytes; Tencent allows ${ROOM_NAME_MAX_BYTES}`;
    case 'hubListen':
      return `hubListen ${shown} is not an address: use IP:port, e.g. 127.0.0.1:8690`;
    case 'pushDomain':
    case 'playDomain':
      return `${field} ${shown} is not a domain: give only the domain, e.g. push.example.com`;
    case 'pushApp':
    case 'streamName':
      return `${field} ${shown} may hold only letters, digits, _ and -`;
    case 'pushValidFor':
      return `pushValidFor ${shown}: use a number and s, m, h or d, e.g. 24h`;
    case 'cssSecretId':
      return 'cssSecretId may hold only letters and digits';
    case 'cssRegion':
      return `cssRegion ${shown} is not a region: use a code such as ap-guangzhou`;
    case 'obsUrl':
      return `obsUrl ${shown} is not a WebSocket address: use ws:// or wss://, e.g. ws://127.0.0.1:4455`;
    case 'hubUrl':
    case 'hubPublicUrl':
      return hubAddress(value) === null
        ? `${field}: ${shown} is not a hub address; write it like https://hub.example.com`
        : `${field}: ${shown}: use https:// — a token must not cross the internet in clear (http:// is only for a hub on this machine, like http://127.0.0.1:8690)`;
    case 'hubCa':
      return null; // a path: whether it is a certificate is read from the file (FakeSettings.#checkCa)
  }
}

export class FakeSettings {
  #saved: Settings;
  readonly #secrets: Map<SecretName, string>;
  /** What runs until the next restart. */
  #running: { settings: Settings; secrets: Map<SecretName, string> };
  readonly #fromEnv: readonly (keyof Settings | SecretName)[];
  readonly #store: SecretStore;
  readonly #files: ReadonlyMap<string, string>;
  readonly #hubs: readonly string[];

  constructor(options: FakeSettingsOptions = {}) {
    this.#saved = { ...EMPTY_SETTINGS, ...options.settings };
    this.#secrets = new Map((options.secrets ?? []).map((name) => [name, `stored-${name}`]));
    this.#fromEnv = [...(options.fromEnv ?? [])];
    this.#store = options.secretStore ?? 'keychain';
    this.#files = new Map(Object.entries(options.files ?? {}));
    this.#hubs = (options.hubs ?? [FAKE_HUB_URL]).map(hubBase);
    this.#running = { settings: { ...this.#saved }, secrets: new Map(this.#secrets) };
  }

  /** What the saved settings run: a remote hub's console once a hub URL is saved, else Tencent once an
   * SDKAppID is saved, else the sandbox. */
  get mode(): SettingsView['mode'] {
    if (this.#saved.hubUrl !== null) return 'remote';
    return this.#saved.sdkAppId !== null ? 'tencent' : 'sandbox';
  }

  /**
   * Joining a hub by invite, as `hub_join` does: the certificate file read, then everything it would
   * save checked (the hub's URL and certificate with a token; the environment must not set the hub),
   * and only then the hub asked (`hub` stands for it: it redeems the code, throwing its refusal), and
   * the URL, the certificate and the token the hub returned saved together.
   */
  join(
    hubUrl: string,
    code: string,
    name: string | null,
    hubCa: string | null,
    hub: (code: string, name: string | null) => { name: string; role: Role },
  ): HubJoined {
    const url = hubUrl.trim();
    const ca = hubCa?.trim() || null;
    if (ca !== null && !this.#files.has(ca)) {
      throw invalid(`cannot read the hub's certificate file ${ca}: No such file or directory (os error 2)`);
    }
    const fromEnv = HUB_NAMES.find((n) => this.#fromEnv.includes(n));
    if (fromEnv) {
      throw invalid(`${fromEnv}: ${ENV_VARS[fromEnv]} is set in this computer's environment and would win over the hub you join; unset it, then join`);
    }
    const check = this.#prepare({ ...this.#saved, hubUrl: url || null, hubCa: ca }, [{ name: 'hubToken', value: PROBE }]);
    if (check.settings.hubUrl === null) throw invalid(`"" is not a web address; write it like https://hub.example.com`);
    const base = hubBase(url);
    if (!this.#hubs.includes(base)) throw { code: 'offline', message: `cannot reach the hub at ${base}; this was not done` } satisfies WireError;
    const joined = hub(code.trim(), name?.trim() || null);
    this.#commit(check.settings, new Map([...check.secrets, ['hubToken', `token-for-${joined.name}`]]));
    return { name: joined.name, role: joined.role, settings: this.view() };
  }

  view(): SettingsView {
    return {
      settings: { ...this.#saved },
      secretsSet: SECRET_NAMES.filter((n) => this.#secrets.has(n) || this.#fromEnv.includes(n)),
      secretStore: this.#store,
      fromEnv: [...this.#fromEnv],
      mode: this.mode,
      restartNeeded: this.#restartNeeded(),
    };
  }

  /** For tests: the stored value of a secret (the UI can never ask for it). */
  storedSecret(name: SecretName): string | null {
    return this.#secrets.get(name) ?? null;
  }

  /** Checks everything first; saves nothing when anything is wrong. */
  save(settings: unknown, secrets: unknown): SettingsView {
    const next = this.#prepare(settings, secrets);
    this.#commit(next.settings, next.secrets);
    return this.view();
  }

  /** The checks of a save, and what it would keep: the settings and every secret after it. */
  #prepare(settings: unknown, secrets: unknown): { settings: Settings; secrets: Map<SecretName, string> } {
    const next = this.#checkSettings(settings);
    const changes = this.#checkSecrets(secrets);
    const after = new Map(this.#secrets);
    for (const { name, value } of changes) {
      if (value === null) after.delete(name);
      else after.set(name, value);
    }
    const has = (name: SecretName) => after.has(name) || this.#fromEnv.includes(name);
    const remote = next.hubUrl !== null;
    if (!remote && next.sdkAppId !== null && !has('imSecretKey')) {
      throw invalid('sdkAppId needs the IM secret key (imSecretKey): set the key from the IM console too');
    }
    if (remote && !has('hubToken')) {
      throw invalid("hubToken: a remote hub (hubUrl) needs this console's token: paste the one from your invite");
    }
    if (next.hubCa !== null) this.#checkCa(next.hubCa);
    return { settings: next, secrets: after };
  }

  #commit(settings: Settings, secrets: Map<SecretName, string>): void {
    this.#saved = settings;
    this.#secrets.clear();
    for (const [name, value] of secrets) this.#secrets.set(name, value);
  }

  /** The hub's certificate must be a file this computer reads, with a PEM certificate in it. */
  #checkCa(path: string): void {
    const pem = this.#files.get(path);
    const shown = JSON.stringify(path);
    if (pem === undefined) {
      throw invalid(`hubCa: cannot read ${shown}: No such file or directory (os error 2); give the hub's PEM certificate file`);
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw invalid(`hubCa: ${shown}: the hub's root certificate: no certificate in it: give the PEM file (-----BEGIN CERTIFICATE-----)`);
    }
  }

  /** The restart: what was saved is what runs. */
  restart(): void {
    this.#running = { settings: { ...this.#saved }, secrets: new Map(this.#secrets) };
  }

  #checkSettings(settings: unknown): Settings {
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
      throw invalid('settings must be an object with every field');
    }
    const given = settings as Record<string, unknown>;
    const unknown = Object.keys(given).find((k) => !(FIELDS as string[]).includes(k));
    if (unknown !== undefined) throw invalid(`unknown setting ${JSON.stringify(unknown)}`);
    const out = { ...EMPTY_SETTINGS } as Record<keyof Settings, unknown>;
    for (const field of FIELDS) {
      if (!(field in given)) throw invalid(`${field} is missing: send null to leave it unset`);
      const value = given[field];
      const problem = fieldProblem(field, value);
      if (problem) throw invalid(problem);
      if (this.#fromEnv.includes(field) && value !== this.#saved[field]) {
        throw invalid(`${field} is set by ${ENV_VARS[field]}: change it there`);
      }
      out[field] = value;
    }
    return out as Settings;
  }

  #checkSecrets(secrets: unknown): SecretChange[] {
    if (!Array.isArray(secrets)) throw invalid('secrets must be a list of changes');
    const seen = new Set<string>();
    return secrets.map((change: unknown) => {
      const c = change as Partial<SecretChange> | null;
      const name = c?.name;
      if (typeof name !== 'string' || !(SECRET_NAMES as readonly string[]).includes(name)) {
        throw invalid(`${JSON.stringify(name)} is not a secret: use ${SECRET_NAMES.join(', ')}`);
      }
      const secret = name as SecretName;
      if (seen.has(secret)) throw invalid(`${secret} is changed twice in one save`);
      seen.add(secret);
      if (this.#fromEnv.includes(secret)) throw invalid(`${secret} is set by ${ENV_VARS[secret]}: change it there`);
      const value = c?.value;
      if (value !== null && (typeof value !== 'string' || value === '')) {
        throw invalid(`${secret}: send the new value, or null to forget it`);
      }
      return { name: secret, value };
    });
  }

  #restartNeeded(): boolean {
    const r = this.#running;
    if (FIELDS.some((f) => r.settings[f] !== this.#saved[f])) return true;
    if (r.secrets.size !== this.#secrets.size) return true;
    for (const [name, value] of this.#secrets) if (r.secrets.get(name) !== value) return true;
    return false;
  }
}
