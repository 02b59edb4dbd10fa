// Why: the header has a few words for the stream's health, so the summary must pick the right ones for
// every OBS and ingest state, warn at the documented thresholds (dropped frames over 5 %, congestion
// over 0.5, an expiring address while streaming) and not before, and put the figures in the tooltip.
import { describe, expect, it } from 'vitest';
import type { IngestHealth, ObsHealth, StreamHealth } from './bindings';
import { CONGESTION_WARN, DROP_WARN_RATIO, formatBytes, healthWarnings, ingestPart, obsPart, summarizeHealth } from './health';
import { formatClock } from './time';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

const OBS_IDLE: ObsHealth = {
  connection: { type: 'connected', version: { obs: '31.0.2', websocket: '5.5.4' } },
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
  server: null,
};
const OBS_LIVE: ObsHealth = {
  ...OBS_IDLE,
  output: 'started',
  live: true,
  bitrateKbps: 2480.4,
  bytes: 1_240_000_000,
  durationMs: 3_720_000,
  totalFrames: 111_600,
  skippedFrames: 12,
  dropRatio: 12 / 111_600,
  congestion: 0.08,
  server: 'rtmp://push.example.com/live/',
};
const ACTIVE: IngestHealth = { state: 'active', error: null, checkedAt: NOW - 2000, activeSince: NOW - 3_720_000 };
const health = (over: Partial<StreamHealth> = {}): StreamHealth => ({
  obs: OBS_LIVE,
  ingest: ACTIVE,
  pushExpiresAt: NOW / 1000 + 86_000,
  autoPause: true,
  ...over,
});

describe('obsPart', () => {
  it('words each connection and output state with a tone', () => {
    expect(obsPart('en', null)).toEqual({ tone: 'idle', text: 'OBS not set up' });
    expect(obsPart('en', { ...OBS_IDLE, connection: { type: 'connecting', attempt: 2 } })).toEqual({ tone: 'warn', text: 'OBS connecting…' });
    expect(
      obsPart('en', { ...OBS_IDLE, connection: { type: 'disconnected', reason: 'connection refused', attempt: 3, retryInMs: 2000 } }),
    ).toEqual({ tone: 'error', text: 'OBS disconnected — retrying' });
    expect(obsPart('en', { ...OBS_IDLE, connection: { type: 'stopped' } })).toEqual({ tone: 'idle', text: 'OBS not connected' });
    expect(obsPart('en', OBS_IDLE)).toEqual({ tone: 'idle', text: 'OBS ready' });
    expect(obsPart('en', { ...OBS_IDLE, output: 'starting' }).text).toBe('OBS starting…');
    expect(obsPart('en', { ...OBS_IDLE, output: 'stopping' }).text).toBe('OBS stopping…');
    expect(obsPart('en', { ...OBS_LIVE, reconnecting: true, output: 'reconnecting' })).toEqual({ tone: 'warn', text: 'OBS reconnecting…' });
  });

  it('shows a live output with its bitrate, grouped in the language’s way, or without one yet', () => {
    expect(obsPart('en', OBS_LIVE)).toEqual({ tone: 'ok', text: 'OBS live 2,480 kbps' });
    expect(obsPart('zh', OBS_LIVE).text).toBe('OBS 推流中 2,480 kbps');
    expect(obsPart('en', { ...OBS_LIVE, bitrateKbps: null }).text).toBe('OBS live');
  });
});

describe('ingestPart', () => {
  it('words the four states; no stream is an error only while one is expected', () => {
    expect(ingestPart('en', ACTIVE, true)).toEqual({ tone: 'ok', text: 'CSS receiving' });
    const inactive: IngestHealth = { ...ACTIVE, state: 'inactive', activeSince: null };
    expect(ingestPart('en', inactive, false)).toEqual({ tone: 'idle', text: 'CSS: no stream' });
    expect(ingestPart('en', inactive, true)).toEqual({ tone: 'error', text: 'CSS: no stream' });
    expect(ingestPart('en', { ...inactive, state: 'forbid' }, false)).toEqual({ tone: 'error', text: 'CSS: forbidden' });
    expect(ingestPart('en', { ...inactive, state: 'unknown' }, false)).toEqual({ tone: 'idle', text: 'CSS: unknown' });
    expect(ingestPart('en', { ...inactive, state: 'unknown', error: 'the CSS API key was refused' }, false).tone).toBe('warn');
  });
});

describe('healthWarnings', () => {
  const opts = { nowMs: NOW, expectStream: true };

  it('warns about dropped frames over 5 % and congestion over 0.5, not at them', () => {
    expect(DROP_WARN_RATIO).toBe(0.05);
    expect(CONGESTION_WARN).toBe(0.5);
    expect(healthWarnings('en', health({ obs: { ...OBS_LIVE, dropRatio: 0.05, congestion: 0.5 } }), opts)).toEqual([]);
    expect(healthWarnings('en', health({ obs: { ...OBS_LIVE, dropRatio: 0.072, congestion: 0.62 } }), opts)).toEqual([
      { kind: 'drops', text: 'Drops 7.2%' },
      { kind: 'congestion', text: 'Congestion 62%' },
    ]);
  });

  it('ignores the figures of an output that is not live (they are the last stream’s)', () => {
    expect(healthWarnings('en', health({ obs: { ...OBS_IDLE, dropRatio: 0.5, congestion: 0.9 } }), { nowMs: NOW, expectStream: false })).toEqual([]);
  });

  it('warns about an address expiring within the hour, or expired, only while streaming', () => {
    const soon = health({ pushExpiresAt: NOW / 1000 + 1799 });
    expect(healthWarnings('en', soon, opts)).toEqual([{ kind: 'expiry', text: 'Key 30 min left' }]);
    expect(healthWarnings('en', { ...soon, obs: OBS_IDLE }, { nowMs: NOW, expectStream: false })).toEqual([]);
    expect(healthWarnings('en', health({ pushExpiresAt: NOW / 1000 - 1 }), opts)).toEqual([{ kind: 'expiry', text: 'Key expired' }]);
    expect(healthWarnings('en', health({ pushExpiresAt: null }), opts)).toEqual([]);
  });
});

describe('summarizeHealth', () => {
  it('puts the figures in the tooltip: version, output, server, bitrate, bytes and time, frames, the ingest, the expiry', () => {
    const s = summarizeHealth('en', health(), { nowMs: NOW, expectStream: true });
    expect(s.obs.text).toBe('OBS live 2,480 kbps');
    expect(s.ingest.text).toBe('CSS receiving');
    expect(s.warnings).toEqual([]);
    expect(s.details).toEqual([
      'OBS 31.0.2, obs-websocket 5.5.4',
      'Output: streaming',
      'Server: rtmp://push.example.com/live/',
      'Bitrate: 2,480 kbps',
      'Sent 1.2 GB in 1 h 2 min',
      'Frames: 111,600, skipped 12 (0%)',
      'Congestion: 8%',
      'Ingest: CSS receiving',
      `Receiving since ${formatClock(NOW - 3_720_000)}`,
      `Last checked at ${formatClock(NOW - 2000)}`,
      'Push address: expires in 23 h 53 min',
      'Auto-pause is on',
    ]);
  });

  it('says why OBS is away and why the ingest is unknown', () => {
    const s = summarizeHealth(
      'en',
      health({
        obs: { ...OBS_IDLE, connection: { type: 'disconnected', reason: 'connection refused', attempt: 4, retryInMs: 1500 } },
        ingest: { state: 'unknown', error: 'the CSS API did not answer', checkedAt: NOW, activeSince: null },
        pushExpiresAt: null,
        autoPause: false,
      }),
      { nowMs: NOW, expectStream: false },
    );
    expect(s.details).toEqual([
      'Lost OBS: connection refused; retrying in 2 s (attempt 4)',
      'Ingest: CSS: unknown',
      'Last check failed: the CSS API did not answer',
      `Last checked at ${formatClock(NOW)}`,
    ]);
    expect(summarizeHealth('en', health({ obs: null }), { nowMs: NOW, expectStream: true }).details[0]).toBe(
      'No OBS is set up (ANCHORDESK_OBS_URL)',
    );
  });
});

describe('formatBytes', () => {
  it('uses B, KB, MB, GB', () => {
    expect([0, 999, 1000, 1_500_000, 1_240_000_000].map(formatBytes)).toEqual(['0 B', '999 B', '1 KB', '1.5 MB', '1.2 GB']);
  });
});
