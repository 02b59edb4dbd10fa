// Why: the stream desk (Rust: `server::golive::StreamDesk`) simulated for the fake backend — the push
// address with its expiry, renewal and key rotation, putting it into OBS, the closed loop of going live
// (address → OBS → start → ingest → live, each step reported running then done or failed, the room
// called live only once the ingest has the stream), stopping, and the health both ends report. It keeps
// the Rust desk's rules and words where the UI can tell: what is refused and why, OBS's "already
// streaming" shortcut, confirming by OBS alone without a CSS key, auto-pause. Not simulated: real
// signatures (the txSecret only looks like an MD5) and a real QR code (the PNG is a QR-like pattern of
// the URL, so it changes with the address).
import type {
  GoLiveProgress,
  GoLiveStep,
  IngestState,
  ObsHealth,
  PlayUrl,
  RoomEvent,
  RoomStatus,
  StepState,
  StreamAddress,
  StreamHealth,
  WireError,
} from './bindings';
import { auditDuration } from './strikes';

export interface FakeStreamOptions {
  /** The push domain (default `push.example.com`). */
  pushDomain?: string;
  appName?: string;
  /** For play URLs; null: none configured (default `play.example.com`). */
  playDomain?: string | null;
  /** An OBS is configured (default true). */
  obs?: boolean;
  /** OBS answers (default true); otherwise the desk keeps retrying. */
  obsConnected?: boolean;
  /** OBS streams from the start (default false). */
  obsLive?: boolean;
  /** A CSS API key is configured, so the ingest confirms the stream (default true). */
  css?: boolean;
  /** The room pauses when the ingest loses the stream (default true). */
  autoPause?: boolean;
  /** A backup push key exists, so a rotation switches keys (default true). */
  backupKey?: boolean;
  /** How long a new address is valid (default 24 h). */
  validForSecs?: number;
  /** Renew ahead of the expiry by this much (default 1 h). */
  renewMarginSecs?: number;
  /** OBS's bitrate while streaming (default 2480 kbps). */
  bitrateKbps?: number;
}

/** What the desk needs of the room. */
export interface StreamDeskHost {
  clock: () => number;
  groupId: () => string;
  status: () => RoomStatus;
  /** Changes the status as `actor` (audited, sessions started or ended, like the room). */
  setStatus: (actor: string, status: RoomStatus) => void;
  push: (...events: RoomEvent[]) => void;
  /** Waits `beats` times the fake's latency (between the steps of going live). */
  pause: (beats: number) => Promise<void>;
}

/** The actor of status changes the monitor makes (Rust: `golive::MONITOR`). */
export const MONITOR = 'stream monitor';

/** Rust: `commands::desk` when the session has no stream desk. */
export const NOT_SET_UP =
  'going live is not set up: set ANCHORDESK_PUSH_DOMAIN and ANCHORDESK_PUSH_KEY (see the README)';
export const NO_OBS =
  'no OBS is configured: set ANCHORDESK_OBS_URL (and ANCHORDESK_OBS_PASSWORD if OBS asks for one)';
const OBS_VERSION = { obs: '31.0.2', websocket: '5.5.4' };
const FPS = 30;

/** Rust's `{step:?}` in a failed step's error. */
const STEP_DEBUG: Readonly<Record<GoLiveStep, string>> = {
  address: 'Address',
  obs: 'Obs',
  start: 'Start',
  ingest: 'Ingest',
  live: 'Live',
};

function invalid(message: string): WireError {
  return { code: 'invalid', message };
}

/** A stream name CSS accepts, from the group ID (Rust: `stream_name_for`). */
export function streamNameFor(groupId: string): string {
  return `room_${[...groupId].filter((c) => /[A-Za-z0-9_-]/.test(c)).join('')}`;
}

/** 32 hex digits from `text` (FNV-1a, four lanes): stands in for the MD5 txSecret. */
function fakeSecret(text: string): string {
  let out = '';
  for (let lane = 0; lane < 4; lane++) {
    let h = (0x811c9dc5 ^ lane) >>> 0;
    for (const ch of `${lane}:${text}`) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}

interface Address {
  expiresAt: number;
  backup: boolean;
}

export class FakeStreamDesk {
  readonly #host: StreamDeskHost;
  readonly #o: Required<FakeStreamOptions>;
  #address: Address | null = null;
  #goingLive = false;
  #obsConnected: boolean;
  #obsLive: boolean;
  /** When OBS started streaming (unix ms). */
  #liveSince: number | null = null;
  #ingest: IngestState = 'inactive';
  #activeSince: number | null = null;
  #pausedByMonitor = false;
  #failures = new Map<GoLiveStep, string>();
  #bitrate: number;

  constructor(host: StreamDeskHost, options: FakeStreamOptions = {}) {
    this.#host = host;
    this.#o = {
      pushDomain: 'push.example.com',
      appName: 'live',
      playDomain: 'play.example.com',
      obs: true,
      obsConnected: true,
      obsLive: false,
      css: true,
      autoPause: true,
      backupKey: true,
      validForSecs: 24 * 3600,
      renewMarginSecs: 3600,
      bitrateKbps: 2480,
      ...options,
    };
    this.#obsConnected = this.#o.obs && this.#o.obsConnected;
    this.#obsLive = this.#obsConnected && this.#o.obsLive;
    this.#bitrate = this.#o.bitrateKbps;
    if (this.#obsLive) {
      this.#liveSince = host.clock();
      this.#address = this.#make(false);
      if (this.#o.css) this.#active();
    }
  }

  // ---- test controls ----

  /** The next go-live fails at `step` with `message` (reported failed, rejected with it). */
  failAt(step: GoLiveStep, message: string): void {
    this.#failures.set(step, message);
  }

  /** OBS drops its WebSocket connection (the desk retries); its stream, if any, goes on unseen. */
  disconnectObs(reason: string): void {
    this.#obsConnected = false;
    this.#host.push(this.#health(reason));
  }

  /** OBS answers again. */
  reconnectObs(): void {
    this.#obsConnected = this.#o.obs;
    this.#host.push(this.#health());
  }

  /** The ingest loses the stream (two polls): with auto-pause, a live room is paused by the monitor. */
  loseIngest(): void {
    this.#ingest = 'inactive';
    this.#activeSince = null;
    this.#host.push(this.#health());
    if (this.#o.autoPause && !this.#goingLive && this.#host.status() === 'live') {
      this.#host.setStatus(MONITOR, 'paused');
      this.#pausedByMonitor = true;
    }
  }

  /** The stream reaches the ingest again: a room the monitor paused goes live again. */
  restoreIngest(): void {
    this.#active();
    this.#host.push(this.#health());
    if (this.#o.autoPause && this.#pausedByMonitor && this.#host.status() === 'paused') {
      this.#host.setStatus(MONITOR, 'live');
      this.#pausedByMonitor = false;
    }
  }

  /** A monitor poll: the health as it stands (OBS's figures move while it streams). */
  poll(jitter = 0): StreamHealth {
    if (this.#obsLive) this.#bitrate = Math.max(0, Math.round(this.#o.bitrateKbps * (1 + jitter)));
    const health = this.#health();
    this.#host.push(health);
    const { type: _type, ...rest } = health;
    return rest;
  }

  /** The health the desk reports now. */
  health(): StreamHealth {
    const { type: _type, ...rest } = this.#health();
    return rest;
  }

  // ---- the commands ----

  address(): StreamAddress {
    this.#address ??= this.#make(false);
    return this.#view(this.#address);
  }

  renew(rotate: boolean): StreamAddress {
    const wasBackup = this.#address?.backup ?? false;
    const backup = rotate && this.#o.backupKey ? !wasBackup : wasBackup;
    this.#address = this.#make(backup);
    return this.#view(this.#address);
  }

  applyToObs(): void {
    if (!this.#o.obs) throw invalid(NO_OBS);
    if (!this.#obsConnected) throw invalid(`Obs: ${this.#notConnected()}`);
    this.#current();
    if (this.#obsLive) {
      throw invalid('Obs: OBS refused to change the stream settings because it is streaming: stop the stream in OBS first');
    }
  }

  async goLive(actor: string): Promise<void> {
    if (this.#goingLive) throw invalid('going live is under way already');
    this.#goingLive = true;
    try {
      await this.#steps(actor);
    } finally {
      this.#goingLive = false;
    }
  }

  stop(actor: string, end: boolean): void {
    if (this.#obsLive && !this.#obsConnected) throw invalid(`Start: ${this.#notConnected()}`);
    if (this.#obsLive) {
      this.#obsLive = false;
      this.#liveSince = null;
      this.#ingest = 'inactive';
      this.#activeSince = null;
      this.#host.push(this.#health());
    }
    if (end) {
      const status = this.#host.status();
      if (status === 'live' || status === 'paused') this.#host.setStatus(actor, 'ended');
    }
  }

  // ---- internals ----

  async #steps(actor: string): Promise<void> {
    const status = this.#host.status();
    if (status !== 'upcoming' && status !== 'paused' && status !== 'live') {
      throw invalid(`the room is ${status}; start a new session (upcoming) before going live again`);
    }
    if (!this.#o.obs) throw invalid(NO_OBS);
    await this.#step(actor, 'address', 'making the push address', () => {
      const left = this.#current().expiresAt - this.#nowSecs();
      return `valid for ${auditDuration(Math.min(Math.max(0, left), 4294967295))}`;
    });
    const live = this.#obsLive;
    await this.#step(actor, 'obs', 'putting the address into OBS', () => {
      if (!this.#obsConnected) throw new Error(this.#notConnected());
      return live ? 'OBS is streaming already' : 'applied and read back';
    });
    await this.#step(actor, 'start', 'starting the stream in OBS', () => {
      if (live) return 'already streaming';
      if (!this.#obsConnected) throw new Error(this.#notConnected());
      this.#obsLive = true;
      this.#liveSince = this.#host.clock();
      this.#host.push(this.#health());
      return 'OBS is streaming';
    });
    await this.#step(actor, 'ingest', 'waiting for the stream to reach CSS', () => {
      if (!this.#o.css) return 'confirmed by OBS only: set a CSS API key to confirm it at the ingest';
      this.#active();
      return 'CSS receives the stream';
    });
    await this.#step(actor, 'live', 'calling the room live', () => {
      if (this.#host.status() !== 'live') this.#host.setStatus(actor, 'live');
      this.#pausedByMonitor = false;
      return 'the room is live';
    });
    this.#host.push(this.#health());
  }

  /** Reports `step` running, then done with what `work` returns, or failed with why it threw. */
  async #step(actor: string, step: GoLiveStep, running: string, work: () => string): Promise<void> {
    this.#progress(actor, step, 'running', running);
    await this.#host.pause(step === 'ingest' ? 3 : 1);
    let message: string;
    try {
      const injected = this.#failures.get(step);
      if (injected !== undefined) {
        this.#failures.delete(step);
        throw new Error(injected);
      }
      message = work();
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      this.#progress(actor, step, 'failed', why);
      throw invalid(`${STEP_DEBUG[step]}: ${why}`);
    }
    this.#progress(actor, step, 'done', message);
  }

  #progress(actor: string, step: GoLiveStep, state: StepState, message: string): void {
    const p: GoLiveProgress = { step, state, message, actor, at: this.#host.clock() };
    this.#host.push({ type: 'goLive', ...p });
  }

  #nowSecs(): number {
    return Math.floor(this.#host.clock() / 1000);
  }

  #make(backup: boolean): Address {
    return { expiresAt: this.#nowSecs() + this.#o.validForSecs, backup };
  }

  /** The address in use, renewed first when within the margin of its expiry (Rust: `current_address`). */
  #current(): Address {
    const a = this.#address;
    if (a && this.#nowSecs() + this.#o.renewMarginSecs < a.expiresAt) return a;
    this.#address = this.#make(a?.backup ?? false);
    return this.#address;
  }

  #notConnected(): string {
    return 'OBS is not connected (connection refused); AnchorDesk keeps retrying';
  }

  #active(): void {
    this.#ingest = 'active';
    this.#activeSince ??= this.#host.clock();
  }

  #view(a: Address): StreamAddress {
    const { pushDomain: domain, appName: app, playDomain } = this.#o;
    const name = streamNameFor(this.#host.groupId());
    const txTime = a.expiresAt.toString(16).toUpperCase();
    const txSecret = fakeSecret(`${a.backup ? 'backup' : 'primary'}|${name}|${txTime}`);
    const server = `rtmp://${domain}/${app}/`;
    const streamKey = `${name}?txSecret=${txSecret}&txTime=${txTime}`;
    const url = `${server}${streamKey}`;
    const play: PlayUrl[] =
      playDomain === null
        ? []
        : [
            { format: 'flv', url: `https://${playDomain}/${app}/${name}.flv` },
            { format: 'hls', url: `https://${playDomain}/${app}/${name}.m3u8` },
            { format: 'rtmp', url: `rtmp://${playDomain}/${app}/${name}` },
            { format: 'webrtc', url: `webrtc://${playDomain}/${app}/${name}` },
          ];
    return {
      server,
      streamKey,
      url,
      srtUrl: `srt://${domain}:9000?streamid=#!::h=${domain},r=${app}/${name},txSecret=${txSecret},txTime=${txTime}`,
      expiresAt: a.expiresAt,
      renewDue: this.#nowSecs() + this.#o.renewMarginSecs >= a.expiresAt,
      key: a.backup ? 'backup' : 'primary',
      qrPngBase64: qrLikePng(url),
      play,
      streamName: name,
    };
  }

  #obsHealth(disconnectReason?: string): ObsHealth | null {
    if (!this.#o.obs) return null;
    const base: ObsHealth = {
      connection: { type: 'connected', version: OBS_VERSION },
      output: 'stopped',
      live: false,
      reconnecting: false,
      bitrateKbps: null,
      bytes: 0,
      durationMs: 0,
      totalFrames: 0,
      skippedFrames: 0,
      dropRatio: 0,
      congestion: 0,
      server: this.#address ? `rtmp://${this.#o.pushDomain}/${this.#o.appName}/` : null,
    };
    if (!this.#obsConnected) {
      return {
        ...base,
        connection: { type: 'disconnected', reason: disconnectReason ?? 'connection refused', attempt: 1, retryInMs: 250 },
        output: 'unknown',
        server: null,
      };
    }
    if (!this.#obsLive || this.#liveSince === null) return base;
    const durationMs = Math.max(0, this.#host.clock() - this.#liveSince);
    const totalFrames = Math.floor((durationMs / 1000) * FPS);
    return {
      ...base,
      output: 'started',
      live: true,
      bitrateKbps: this.#bitrate,
      bytes: Math.floor((this.#bitrate * 1000 * durationMs) / 8000),
      durationMs,
      totalFrames,
    };
  }

  #health(disconnectReason?: string): RoomEvent & { type: 'streamHealth' } {
    const ingest = this.#o.css ? this.#ingest : 'unknown';
    return {
      type: 'streamHealth',
      obs: this.#obsHealth(disconnectReason),
      ingest: {
        state: ingest,
        error: null,
        checkedAt: this.#host.clock(),
        activeSince: ingest === 'active' ? this.#activeSince : null,
      },
      pushExpiresAt: this.#address?.expiresAt ?? null,
      autoPause: this.#o.autoPause,
    };
  }
}

// ---- a QR-like PNG: finder squares and a pattern from the text, as a real grayscale PNG ----

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function chunk(type: string, data: Uint8Array): number[] {
  const body = new Uint8Array([...[...type].map((c) => c.charCodeAt(0)), ...data]);
  return [...be32(data.length), ...body, ...be32(crc32(body))];
}

/** Raw scanlines in one stored (uncompressed) deflate block, wrapped as zlib. */
function zlibStored(raw: Uint8Array): Uint8Array {
  let a = 1;
  let b = 0;
  for (const byte of raw) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  const len = raw.length;
  return new Uint8Array([0x78, 0x01, 0x01, len & 0xff, len >>> 8, ~len & 0xff, (~len >>> 8) & 0xff, ...raw, ...be32(((b << 16) | a) >>> 0)]);
}

/** A 25×25-module QR-like picture of `text` (4 px a module, 4 modules of margin), as PNG base64. */
export function qrLikePng(text: string): string {
  const modules = 25;
  const scale = 4;
  const margin = 4;
  const size = (modules + 2 * margin) * scale;
  const bits = fakeSecret(text) + fakeSecret(`${text}#2`) + fakeSecret(`${text}#3`) + fakeSecret(`${text}#4`);
  const finder = (x: number, y: number) => {
    for (const [fx, fy] of [[0, 0], [modules - 7, 0], [0, modules - 7]]) {
      const dx = x - fx;
      const dy = y - fy;
      if (dx >= 0 && dx < 7 && dy >= 0 && dy < 7) {
        const ring = Math.max(Math.abs(dx - 3), Math.abs(dy - 3));
        return ring !== 2;
      }
    }
    return null;
  };
  const dark = (x: number, y: number) => {
    const f = finder(x, y);
    if (f !== null) return f;
    const i = (y * modules + x) % (bits.length * 4);
    return ((parseInt(bits[Math.floor(i / 4)], 16) >> (i % 4)) & 1) === 1;
  };
  const raw = new Uint8Array(size * (size + 1));
  for (let py = 0; py < size; py++) {
    raw[py * (size + 1)] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      const mx = Math.floor(px / scale) - margin;
      const my = Math.floor(py / scale) - margin;
      const inside = mx >= 0 && my >= 0 && mx < modules && my < modules;
      raw[py * (size + 1) + 1 + px] = inside && dark(mx, my) ? 0 : 255;
    }
  }
  const header = new Uint8Array([...be32(size), ...be32(size), 8, 0, 0, 0, 0]); // 8-bit grayscale
  const png = new Uint8Array([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
    ...chunk('IHDR', header),
    ...chunk('IDAT', zlibStored(raw)),
    ...chunk('IEND', new Uint8Array()),
  ]);
  let binary = '';
  for (const byte of png) binary += String.fromCharCode(byte);
  return btoa(binary);
}
