// Why: the stream's health comes from both ends — OBS (connection, output, bitrate, dropped frames,
// congestion) and the ingest (CSS: receiving, no stream, forbidden, unknown) — as one `StreamHealth`.
// The header has room for a few words, so this folds it into two short parts with a tone each, the
// warnings worth a glance (dropped frames over 5 %, congestion over 0.5, a push address about to
// expire while streaming), and the details for a tooltip. Pure: the language and the time are passed in.
import type { IngestHealth, ObsHealth, OutputState, StreamHealth } from './bindings';
import { describeExpiry } from './expiry';
import { LANG_TAGS, translate, translateDuration, type Lang, type MessageKey } from './i18n';
import { formatClock } from './time';

/** Dropped frames above this share of all frames are worth a warning. */
export const DROP_WARN_RATIO = 0.05;
/** OBS's congestion (0 to 1) above this is worth a warning. */
export const CONGESTION_WARN = 0.5;

export type Tone = 'ok' | 'warn' | 'error' | 'idle';

export interface HealthPart {
  tone: Tone;
  text: string;
}

export type HealthWarningKind = 'drops' | 'congestion' | 'expiry';

export interface HealthWarning {
  kind: HealthWarningKind;
  text: string;
}

export interface HealthSummary {
  obs: HealthPart;
  ingest: HealthPart;
  warnings: HealthWarning[];
  /** Lines for the tooltip. */
  details: string[];
}

export interface SummaryOptions {
  nowMs: number;
  /** The room is live (or OBS streams): CSS without the stream is then a problem, not a rest. */
  expectStream: boolean;
}

const OUTPUT_KEYS: Readonly<Record<OutputState, MessageKey>> = {
  starting: 'output.starting',
  started: 'output.started',
  stopping: 'output.stopping',
  stopped: 'output.stopped',
  reconnecting: 'output.reconnecting',
  reconnected: 'output.reconnected',
  unknown: 'output.unknown',
};

/** OBS in a few words: not set up, connecting, disconnected, ready, starting, live with its bitrate… */
export function obsPart(lang: Lang, obs: ObsHealth | null): HealthPart {
  const tr = (key: MessageKey, params?: Record<string, string | number>) => translate(lang, key, params);
  if (obs === null) return { tone: 'idle', text: tr('health.obs.none') };
  switch (obs.connection.type) {
    case 'connecting':
      return { tone: 'warn', text: tr('health.obs.connecting') };
    case 'disconnected':
      return { tone: 'error', text: tr('health.obs.disconnected') };
    case 'stopped':
      return { tone: 'idle', text: tr('health.obs.stopped') };
    case 'connected':
      break;
  }
  if (obs.reconnecting || obs.output === 'reconnecting') return { tone: 'warn', text: tr('health.obs.reconnecting') };
  if (obs.live) {
    if (obs.bitrateKbps === null) return { tone: 'ok', text: tr('health.obs.live') };
    const kbps = new Intl.NumberFormat(LANG_TAGS[lang], { maximumFractionDigits: 0 }).format(obs.bitrateKbps);
    return { tone: 'ok', text: tr('health.obs.liveRate', { kbps }) };
  }
  if (obs.output === 'starting') return { tone: 'warn', text: tr('health.obs.starting') };
  if (obs.output === 'stopping') return { tone: 'warn', text: tr('health.obs.stopping') };
  return { tone: 'idle', text: tr('health.obs.ready') };
}

/** The ingest in a few words; no stream is a problem only while one is expected. */
export function ingestPart(lang: Lang, ingest: IngestHealth, expectStream: boolean): HealthPart {
  switch (ingest.state) {
    case 'active':
      return { tone: 'ok', text: translate(lang, 'health.css.active') };
    case 'inactive':
      return { tone: expectStream ? 'error' : 'idle', text: translate(lang, 'health.css.inactive') };
    case 'forbid':
      return { tone: 'error', text: translate(lang, 'health.css.forbid') };
    case 'unknown':
      return { tone: ingest.error ? 'warn' : 'idle', text: translate(lang, 'health.css.unknown') };
  }
}

function percent(lang: Lang, ratio: number): string {
  return new Intl.NumberFormat(LANG_TAGS[lang], { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

/** Bytes as B, KB, MB or GB (powers of 1000, one decimal past KB). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Seconds left until `expiresAt`, rounded up to whole minutes from a minute on (short, for the header). */
function wholeMinutes(expiresAt: number, nowMs: number): number {
  const secs = Math.max(0, expiresAt - Math.floor(nowMs / 1000));
  return secs >= 60 ? Math.ceil(secs / 60) * 60 : secs;
}

/** What is worth a glance: dropped frames, congestion (while OBS streams), an expiring address (while streaming). */
export function healthWarnings(lang: Lang, health: StreamHealth, options: SummaryOptions): HealthWarning[] {
  const out: HealthWarning[] = [];
  const obs = health.obs;
  if (obs?.live) {
    if (obs.dropRatio > DROP_WARN_RATIO) {
      out.push({ kind: 'drops', text: translate(lang, 'health.w.drops', { ratio: percent(lang, obs.dropRatio) }) });
    }
    if (obs.congestion > CONGESTION_WARN) {
      out.push({ kind: 'congestion', text: translate(lang, 'health.w.congestion', { ratio: percent(lang, obs.congestion) }) });
    }
  }
  const streaming = options.expectStream || obs?.live === true;
  if (streaming && health.pushExpiresAt !== null) {
    const expiry = describeExpiry(lang, health.pushExpiresAt, options.nowMs);
    if (expiry.level !== 'ok') {
      out.push({
        kind: 'expiry',
        text:
          expiry.level === 'expired'
            ? translate(lang, 'health.w.expired')
            : translate(lang, 'health.w.expiry', { left: translateDuration(lang, wholeMinutes(health.pushExpiresAt, options.nowMs)) }),
      });
    }
  }
  return out;
}

function obsDetails(lang: Lang, obs: ObsHealth | null): string[] {
  const tr = (key: MessageKey, params?: Record<string, string | number>) => translate(lang, key, params);
  if (obs === null) return [tr('health.d.obsNone')];
  const numbers = new Intl.NumberFormat(LANG_TAGS[lang]);
  const c = obs.connection;
  switch (c.type) {
    case 'connecting':
      return [tr('health.d.obsConnecting', { attempt: c.attempt })];
    case 'disconnected':
      return [tr('health.d.obsDisconnected', { reason: c.reason, seconds: Math.ceil(c.retryInMs / 1000), attempt: c.attempt })];
    case 'stopped':
      return [tr('health.d.obsStopped')];
    case 'connected':
      break;
  }
  const lines = [
    tr('health.d.obsVersion', { obs: c.version.obs, websocket: c.version.websocket }),
    tr('health.d.output', { state: tr(OUTPUT_KEYS[obs.output]) }),
  ];
  if (obs.server) lines.push(tr('health.d.server', { server: obs.server }));
  if (obs.bitrateKbps !== null) lines.push(tr('health.d.bitrate', { kbps: numbers.format(Math.round(obs.bitrateKbps)) }));
  if (obs.bytes > 0 || obs.durationMs > 0) {
    lines.push(tr('health.d.sent', { bytes: formatBytes(obs.bytes), duration: translateDuration(lang, Math.floor(obs.durationMs / 1000)) }));
  }
  if (obs.totalFrames > 0) {
    lines.push(
      tr('health.d.frames', {
        total: numbers.format(obs.totalFrames),
        skipped: numbers.format(obs.skippedFrames),
        ratio: percent(lang, obs.dropRatio),
      }),
    );
  }
  if (obs.live) lines.push(tr('health.d.congestion', { ratio: percent(lang, obs.congestion) }));
  return lines;
}

function ingestDetails(lang: Lang, ingest: IngestHealth, expectStream: boolean): string[] {
  const lines = [translate(lang, 'health.d.ingest', { state: ingestPart(lang, ingest, expectStream).text })];
  if (ingest.activeSince !== null) lines.push(translate(lang, 'health.d.activeSince', { time: formatClock(ingest.activeSince) }));
  if (ingest.error) lines.push(translate(lang, 'health.d.ingestError', { error: ingest.error }));
  lines.push(translate(lang, 'health.d.checked', { time: formatClock(ingest.checkedAt) }));
  return lines;
}

/** The header's view of the stream's health. */
export function summarizeHealth(lang: Lang, health: StreamHealth, options: SummaryOptions): HealthSummary {
  const details = [...obsDetails(lang, health.obs), ...ingestDetails(lang, health.ingest, options.expectStream)];
  if (health.pushExpiresAt !== null) {
    details.push(translate(lang, 'health.d.expires', { expiry: describeExpiry(lang, health.pushExpiresAt, options.nowMs).text }));
  }
  if (health.autoPause) details.push(translate(lang, 'health.d.autoPause'));
  return {
    obs: obsPart(lang, health.obs),
    ingest: ingestPart(lang, health.ingest, options.expectStream),
    warnings: healthWarnings(lang, health, options),
    details,
  };
}
