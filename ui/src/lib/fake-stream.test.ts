// Why: the fake's stream desk stands in for the Rust desk in every UI test and in the preview, so it
// must keep the desk's rules: the push address's shape and expiry, renewal and key rotation, refusing
// everything when going live is not set up, the closed loop step by step (running then done, the room
// called live only after the ingest has the stream, then the health of both ends), a failing step
// reported and rejected with its reason, stopping and ending, and auto-pause.
import { describe, expect, it } from 'vitest';
import type { EventEnvelope, Feed, GoLiveProgress, RoomEvent, RoomStatus } from './bindings';
import { FakeBackend } from './fake-backend';
import { MONITOR, NOT_SET_UP, NO_OBS, qrLikePng, streamNameFor } from './fake-stream';
import { fixedClock } from './test-support';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const T0_SECS = T0 / 1000;

async function desk(options: ConstructorParameters<typeof FakeBackend>[0] = {}, status: RoomStatus = 'upcoming') {
  const clock = fixedClock(T0);
  const fake = new FakeBackend({ clock, room: { status, online: 10 }, ...options });
  const got: EventEnvelope[] = [];
  await fake.subscribe((feed: Feed) => {
    if (feed.type === 'events') got.push(...feed.events);
  });
  const events = () => got.map((e) => e.event);
  const steps = () =>
    events()
      .filter((e): e is Extract<RoomEvent, { type: 'goLive' }> => e.type === 'goLive')
      .map((e) => `${e.step} ${e.state}`);
  const lastHealth = () => events().filter((e) => e.type === 'streamHealth').at(-1) as Extract<RoomEvent, { type: 'streamHealth' }> | undefined;
  return { fake, clock, events, steps, lastHealth };
}

function pngBytes(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

describe('the fake stream desk', () => {
  it('refuses every stream command when going live is not set up, with the app’s words', async () => {
    const { fake } = await desk({ stream: null });
    const refused = { code: 'invalid', message: NOT_SET_UP };
    expect(NOT_SET_UP).toMatch(/^going live is not set up: /);
    await expect(fake.streamAddress()).rejects.toEqual(refused);
    await expect(fake.renewStreamAddress(true)).rejects.toEqual(refused);
    await expect(fake.applyToObs()).rejects.toEqual(refused);
    await expect(fake.goLive()).rejects.toEqual(refused);
    await expect(fake.stopStream(true)).rejects.toEqual(refused);
    expect(fake.snapshot().streamHealth).toBeNull();
    expect(fake.snapshot().goLive).toBeNull();
  });

  it('makes a push address: server + key is the URL, txTime the expiry in hex, with SRT, a QR PNG and play URLs', async () => {
    const { fake } = await desk();
    const a = await fake.streamAddress();
    const name = streamNameFor('@TGS#aFAKEROOM');
    expect(name).toBe('room_TGSaFAKEROOM');
    expect(a.server).toBe('rtmp://push.example.com/live/');
    expect(a.streamKey).toMatch(new RegExp(`^${name}\\?txSecret=[0-9a-f]{32}&txTime=${(T0_SECS + 86400).toString(16).toUpperCase()}$`));
    expect(a.url).toBe(a.server + a.streamKey);
    expect(a.srtUrl).toMatch(new RegExp(`^srt://push\\.example\\.com:9000\\?streamid=#!::h=push\\.example\\.com,r=live/${name},txSecret=`));
    expect(a).toMatchObject({ expiresAt: T0_SECS + 86400, renewDue: false, key: 'primary', streamName: name });
    expect(a.play.map((p) => p.format)).toEqual(['flv', 'hls', 'rtmp', 'webrtc']);
    expect(a.play[0].url).toBe(`https://play.example.com/live/${name}.flv`);
    const png = pngBytes(a.qrPngBase64);
    expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(new TextDecoder().decode(png.slice(12, 16))).toBe('IHDR');
    expect(await fake.streamAddress()).toEqual(a); // the same address until renewed
  });

  it('draws a different QR picture for a different URL', () => {
    expect(qrLikePng('rtmp://a/live/x')).not.toBe(qrLikePng('rtmp://a/live/y'));
    expect(qrLikePng('rtmp://a/live/x')).toBe(qrLikePng('rtmp://a/live/x'));
  });

  it('renews with a new expiry and a new key; rotates between the primary and backup keys', async () => {
    const { fake, clock } = await desk();
    const first = await fake.streamAddress();
    clock.advance(3_600_000);
    const renewed = await fake.renewStreamAddress(false);
    expect(renewed.expiresAt).toBe(first.expiresAt + 3600);
    expect(renewed.key).toBe('primary');
    expect(renewed.streamKey).not.toBe(first.streamKey);
    const rotated = await fake.renewStreamAddress(true);
    expect(rotated.key).toBe('backup');
    expect(rotated.streamKey).not.toBe(renewed.streamKey);
    expect((await fake.renewStreamAddress(false)).key).toBe('backup'); // a renewal keeps the key
    expect((await fake.renewStreamAddress(true)).key).toBe('primary');
    expect(fake.calls.filter((c) => c.method === 'renewStreamAddress').map((c) => c.args)).toEqual([[false], [true], [false], [true]]);
  });

  it('stays on the primary key when there is no backup key', async () => {
    const { fake } = await desk({ stream: { backupKey: false } });
    expect((await fake.renewStreamAddress(true)).key).toBe('primary');
  });

  it('says a renewal is due within the hour before the expiry', async () => {
    const { fake, clock } = await desk();
    await fake.streamAddress();
    clock.advance((86400 - 3601) * 1000);
    expect((await fake.streamAddress()).renewDue).toBe(false);
    clock.advance(1000);
    expect((await fake.streamAddress()).renewDue).toBe(true);
  });

  it('lists no play URLs without a play domain', async () => {
    const { fake } = await desk({ stream: { playDomain: null } });
    expect((await fake.streamAddress()).play).toEqual([]);
  });

  it('reports the desk’s first health in the snapshot: OBS connected and idle, the ingest without a stream', async () => {
    const { fake } = await desk();
    const health = fake.snapshot().streamHealth!;
    expect(health.obs).toMatchObject({ connection: { type: 'connected' }, output: 'stopped', live: false, bitrateKbps: null });
    expect(health.ingest).toEqual({ state: 'inactive', error: null, checkedAt: T0, activeSince: null });
    expect(health).toMatchObject({ pushExpiresAt: null, autoPause: true });
  });

  it('goes live in five steps, each running then done, the room live only once the ingest has the stream', async () => {
    const { fake, events, steps, lastHealth } = await desk();
    await fake.goLive();
    expect(steps()).toEqual([
      'address running',
      'address done',
      'obs running',
      'obs done',
      'start running',
      'start done',
      'ingest running',
      'ingest done',
      'live running',
      'live done',
    ]);
    const reports = events().filter((e) => e.type === 'goLive') as Array<GoLiveProgress & { type: 'goLive' }>;
    expect(reports.map((r) => r.message).filter((_, i) => i % 2 === 1)).toEqual([
      'valid for 1 d',
      'applied and read back',
      'OBS is streaming',
      'CSS receives the stream',
      'the room is live',
    ]);
    expect(reports.every((r) => r.actor === 'anchor' && r.at === T0)).toBe(true);

    // The status changes inside the live step, with its audit line and a new stream.
    const order = events().map((e) => (e.type === 'goLive' ? `${e.step} ${e.state}` : e.type));
    const status = order.indexOf('status');
    expect(status).toBeGreaterThan(order.indexOf('ingest done'));
    expect(status).toBeLessThan(order.indexOf('live done'));
    expect(events().find((e) => e.type === 'status')).toEqual({ type: 'status', status: 'live' });
    expect(events().find((e) => e.type === 'audit')).toMatchObject({ actor: 'anchor', action: 'status', detail: 'upcoming → live' });
    expect(events().find((e) => e.type === 'session')).toMatchObject({ id: 1, startedAt: T0, endedAt: null });

    // Then both ends are healthy.
    expect(order.at(-1)).toBe('streamHealth');
    expect(lastHealth()).toMatchObject({
      obs: { live: true, output: 'started', bitrateKbps: 2480, connection: { type: 'connected' } },
      ingest: { state: 'active', activeSince: T0 },
      pushExpiresAt: T0_SECS + 86400,
    });
    const snapshot = fake.snapshot();
    expect(snapshot.status).toBe('live');
    expect(snapshot.goLive).toMatchObject({ step: 'live', state: 'done' });
    expect(snapshot.streamHealth).toEqual((({ type: _t, ...h }) => h)(lastHealth()!));
  });

  it('fails at the step it is told to: reported failed, rejected with the reason, the room left as it was', async () => {
    const { fake, steps } = await desk();
    const why = 'no stream reached CSS within 30 s (CSS does not receive the stream yet); check OBS’s output and the network';
    fake.failGoLiveAt('ingest', why);
    await expect(fake.goLive()).rejects.toEqual({ code: 'invalid', message: `Ingest: ${why}` });
    expect(steps().slice(-2)).toEqual(['ingest running', 'ingest failed']);
    expect(steps()).not.toContain('live running');
    expect(fake.snapshot().status).toBe('upcoming');
    expect(fake.snapshot().goLive).toMatchObject({ step: 'ingest', state: 'failed', message: why });

    // Once: the next run goes through (OBS streams already, so those steps say so).
    await fake.goLive();
    expect(steps().slice(-10, -8)).toEqual(['address running', 'address done']);
    expect(fake.snapshot().goLive).toMatchObject({ step: 'live', state: 'done' });
    expect(fake.snapshot().status).toBe('live');
  });

  it('refuses to go live from an ended room or without OBS, before any step', async () => {
    const ended = await desk({}, 'ended');
    await expect(ended.fake.goLive()).rejects.toEqual({
      code: 'invalid',
      message: 'the room is ended; start a new session (upcoming) before going live again',
    });
    expect(ended.steps()).toEqual([]);
    const noObs = await desk({ stream: { obs: false } });
    await expect(noObs.fake.goLive()).rejects.toEqual({ code: 'invalid', message: NO_OBS });
    await expect(noObs.fake.applyToObs()).rejects.toEqual({ code: 'invalid', message: NO_OBS });
    expect(noObs.fake.snapshot().streamHealth!.obs).toBeNull();
  });

  it('fails the OBS step while OBS is away', async () => {
    const { fake, steps, lastHealth } = await desk();
    fake.streamDesk!.disconnectObs('connection refused');
    expect(lastHealth()!.obs!.connection).toEqual({ type: 'disconnected', reason: 'connection refused', attempt: 1, retryInMs: 250 });
    await expect(fake.goLive()).rejects.toEqual({
      code: 'invalid',
      message: 'Obs: OBS is not connected (connection refused); AnchorDesk keeps retrying',
    });
    expect(steps().at(-1)).toBe('obs failed');
    fake.streamDesk!.reconnectObs();
    await expect(fake.goLive()).resolves.toBeUndefined();
  });

  it('takes OBS streaming already as done, and confirms by OBS alone without a CSS key', async () => {
    const { fake, events, lastHealth } = await desk({ stream: { obsLive: true, css: false } }, 'paused');
    await fake.goLive();
    const done = events()
      .filter((e): e is Extract<RoomEvent, { type: 'goLive' }> => e.type === 'goLive' && e.state === 'done')
      .map((e) => e.message);
    expect(done.slice(1)).toEqual([
      'OBS is streaming already',
      'already streaming',
      'confirmed by OBS only: set a CSS API key to confirm it at the ingest',
      'the room is live',
    ]);
    expect(lastHealth()!.ingest.state).toBe('unknown');
    expect(fake.snapshot().status).toBe('live');
  });

  it('refuses a second go-live while one runs', async () => {
    const { fake } = await desk();
    const first = fake.goLive();
    await expect(fake.goLive()).rejects.toEqual({ code: 'invalid', message: 'going live is under way already' });
    await expect(first).resolves.toBeUndefined();
  });

  it('applies the address to OBS, but not while OBS streams', async () => {
    const { fake } = await desk();
    await expect(fake.applyToObs()).resolves.toBeUndefined();
    await fake.goLive();
    await expect(fake.applyToObs()).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('because it is streaming') });
  });

  it('stops OBS (the health says so) and, with end, ends the room’s stream', async () => {
    const { fake, events, lastHealth } = await desk();
    await fake.goLive();
    await fake.stopStream(false);
    expect(lastHealth()).toMatchObject({ obs: { live: false, output: 'stopped', bitrateKbps: null }, ingest: { state: 'inactive' } });
    expect(fake.snapshot().status).toBe('live'); // stopping alone leaves the room as it is
    await fake.goLive();
    await fake.stopStream(true);
    expect(fake.snapshot().status).toBe('ended');
    expect(events().filter((e) => e.type === 'session').at(-1)).toMatchObject({ endedAt: T0 });
    expect(lastHealth()!.obs!.live).toBe(false);
    expect(fake.calls.filter((c) => c.method === 'stopStream').map((c) => c.args)).toEqual([[false], [true]]);
  });

  it('pauses a live room when the ingest loses the stream (auto-pause), and brings it back', async () => {
    const { fake, events } = await desk();
    await fake.goLive();
    fake.streamDesk!.loseIngest();
    expect(fake.snapshot().status).toBe('paused');
    expect(events().filter((e) => e.type === 'audit').at(-1)).toMatchObject({ actor: MONITOR, detail: 'live → paused' });
    fake.streamDesk!.restoreIngest();
    expect(fake.snapshot().status).toBe('live');
    expect(events().filter((e) => e.type === 'audit').at(-1)).toMatchObject({ actor: MONITOR, detail: 'paused → live' });

    const manual = await desk({ stream: { autoPause: false } });
    await manual.fake.goLive();
    manual.fake.streamDesk!.loseIngest();
    expect(manual.fake.snapshot().status).toBe('live');
  });
});
