// Why: the Tauri backend must call the exact command names with camelCase args, pass a Channel for
// the feed, and turn any rejection into a WireError; getBackend must pick the fake outside Tauri.
import { afterEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();

vi.mock('@tauri-apps/api/core', () => {
  class Channel<T> {
    onmessage: (message: T) => void = () => {};
  }
  return { invoke, Channel };
});

const { TauriBackend, getBackend, insideTauri } = await import('./backend');
const { FakeBackend } = await import('./fake-backend');

afterEach(() => {
  invoke.mockReset();
  vi.unstubAllGlobals();
});

describe('TauriBackend', () => {
  it('subscribes with a channel named onFeed and forwards everything on it, in order', async () => {
    invoke.mockResolvedValueOnce(null);
    const got: unknown[] = [];
    await expect(new TauriBackend().subscribe((feed) => got.push(feed))).resolves.toBeUndefined();
    const [command, args] = invoke.mock.calls[0];
    expect(command).toBe('room_subscribe');
    expect(Object.keys(args)).toEqual(['onFeed']);
    const snapshot = { type: 'snapshot', snapshot: { epoch: 1, seq: 3 } };
    const events = { type: 'events', events: [{ seq: 4, event: { type: 'likes', total: 1 } }] };
    args.onFeed.onmessage(snapshot);
    args.onFeed.onmessage(events);
    expect(got).toEqual([snapshot, events]);
  });

  it('calls the commands with camelCase args', async () => {
    invoke.mockResolvedValue(null);
    const b = new TauriBackend();
    const mute = { type: 'mute', userId: 'u1', seconds: 86400, untilEndOfStream: true, reason: 'spam' } as const;
    const rules = [{ pattern: 'spam', action: 'drop' }] as const;
    const query = { text: 'spam', target: null, action: null, limit: 0 };
    const ladder = { steps: [{ type: 'warn' as const }, { type: 'mute' as const, seconds: 600 }], windowSecs: 86400, fromFilter: true };
    await b.setStatus('live');
    await b.moderate(mute);
    await b.moderate({ type: 'unban', userId: 'u2' });
    await b.words();
    await b.setWords([...rules]);
    await b.parseWords('spam\tdrop\n');
    await b.formatWords([...rules]);
    await b.resolveHeld(7, true);
    await b.audit(query);
    await b.exportAudit(query, 'csv');
    await b.undo(12);
    await b.userCard('小龙女');
    await b.setNote('小龙女', 'regular');
    await b.setNotice({ notice: '今晚八点' });
    await b.setNotice({ introduction: 'intro', notice: undefined });
    await b.setNotice({ notice: 'n', introduction: 'i' });
    await b.moderate({ type: 'hide', msgId: '123', reason: 'ad' });
    await b.moderate({ type: 'muteAll', on: true, reason: '' });
    await b.moderate({ type: 'strike', userId: 'u3', reason: 'spam' });
    await b.setStrikeLadder(ladder);
    await b.sessions(20);
    await b.appInfo();
    expect(invoke.mock.calls).toEqual([
      ['room_set_status', { status: 'live' }],
      ['room_moderate', { action: mute }],
      ['room_moderate', { action: { type: 'unban', userId: 'u2' } }],
      ['room_words', undefined],
      ['room_set_words', { rules }],
      ['words_parse', { text: 'spam\tdrop\n' }],
      ['words_format', { rules }],
      ['room_resolve_held', { id: 7, approve: true }],
      ['room_audit', { query }],
      ['room_audit_export', { query, format: 'csv' }],
      ['room_undo', { auditId: 12 }],
      ['room_user_card', { userId: '小龙女' }],
      ['room_set_note', { userId: '小龙女', note: 'regular' }],
      ['room_set_notice', { notice: '今晚八点', introduction: null }],
      ['room_set_notice', { notice: null, introduction: 'intro' }],
      ['room_set_notice', { notice: 'n', introduction: 'i' }],
      ['room_moderate', { action: { type: 'hide', msgId: '123', reason: 'ad' } }],
      ['room_moderate', { action: { type: 'muteAll', on: true, reason: '' } }],
      ['room_moderate', { action: { type: 'strike', userId: 'u3', reason: 'spam' } }],
      ['room_set_strike_ladder', { ladder }],
      ['room_sessions', { limit: 20 }],
      ['app_info', undefined],
    ]);
  });

  it('returns what the commands return', async () => {
    const b = new TauriBackend();
    invoke.mockResolvedValueOnce([{ pattern: 'x', action: 'hold' }]);
    await expect(b.words()).resolves.toEqual([{ pattern: 'x', action: 'hold' }]);
    invoke.mockResolvedValueOnce('x\thold\n');
    await expect(b.formatWords([{ pattern: 'x', action: 'hold' }])).resolves.toBe('x\thold\n');
    invoke.mockResolvedValueOnce('id,at\n');
    await expect(b.exportAudit({ text: null, target: null, action: null, limit: 0 }, 'csv')).resolves.toBe('id,at\n');
    invoke.mockResolvedValueOnce(null);
    await expect(b.undo(1)).resolves.toBeUndefined();
    invoke.mockResolvedValueOnce({ userId: 'a', level: 3 });
    await expect(b.userCard('a')).resolves.toEqual({ userId: 'a', level: 3 });
    invoke.mockResolvedValueOnce(null);
    await expect(b.setNote('a', 'n')).resolves.toBeUndefined();
    invoke.mockResolvedValueOnce(null);
    await expect(b.setNotice({ notice: 'n' })).resolves.toBeUndefined();
    invoke.mockResolvedValueOnce(null);
    await expect(b.setStrikeLadder({ steps: [{ type: 'kick' }], windowSecs: 60, fromFilter: false })).resolves.toBeUndefined();
    const streams = [{ id: 2, startedAt: 1, endedAt: null, peakOnline: 3, messages: 4, likes: 5, giftValue: 6 }];
    invoke.mockResolvedValueOnce(streams);
    await expect(b.sessions(20)).resolves.toEqual(streams);
  });

  it('rejects with WireErrors', async () => {
    invoke.mockRejectedValueOnce({ code: 'notReady', message: 'starting' });
    await expect(new TauriBackend().subscribe(() => {})).rejects.toEqual({ code: 'notReady', message: 'starting' });
    invoke.mockRejectedValueOnce('Command room_moderate not found');
    await expect(new TauriBackend().moderate({ type: 'kick', userId: 'x', reason: '' })).rejects.toEqual({
      code: 'internal',
      message: 'Command room_moderate not found',
    });
    invoke.mockRejectedValueOnce({ code: 'invalid', message: 'line 2: "banish" is not an action' });
    await expect(new TauriBackend().parseWords('a\nb\tbanish')).rejects.toEqual({
      code: 'invalid',
      message: 'line 2: "banish" is not an action',
    });
    const tooLong = { code: 'invalid', message: 'the notice is 303 bytes; Tencent allows 300 (a Chinese, Japanese or Korean character counts 3)' };
    invoke.mockRejectedValueOnce(tooLong);
    await expect(new TauriBackend().setNotice({ notice: '公'.repeat(101) })).rejects.toEqual(tooLong);
    const badLadder = { code: 'invalid', message: 'strikes must be remembered for at least 60 seconds' };
    invoke.mockRejectedValueOnce(badLadder);
    await expect(new TauriBackend().setStrikeLadder({ steps: [{ type: 'warn' }], windowSecs: 5, fromFilter: true })).rejects.toEqual(badLadder);
  });
});

describe('TauriBackend: the stream desk', () => {
  it('calls stream_address, stream_renew {rotate}, stream_apply_obs, stream_go_live and stream_stop {end}', async () => {
    const address = { server: 'rtmp://push.example.com/live/', streamKey: 'k', expiresAt: 1 };
    invoke.mockResolvedValueOnce(address).mockResolvedValueOnce({ ...address, key: 'backup' }).mockResolvedValue(null);
    const b = new TauriBackend();
    await expect(b.streamAddress()).resolves.toEqual(address);
    await expect(b.renewStreamAddress(true)).resolves.toEqual({ ...address, key: 'backup' });
    await expect(b.applyToObs()).resolves.toBeUndefined();
    await expect(b.goLive()).resolves.toBeUndefined();
    await expect(b.stopStream(true)).resolves.toBeUndefined();
    await b.stopStream(false);
    await b.renewStreamAddress(false);
    expect(invoke.mock.calls).toEqual([
      ['stream_address', undefined],
      ['stream_renew', { rotate: true }],
      ['stream_apply_obs', undefined],
      ['stream_go_live', undefined],
      ['stream_stop', { end: true }],
      ['stream_stop', { end: false }],
      ['stream_renew', { rotate: false }],
    ]);
  });

  it('rejects with the desk’s WireError (not set up, a failed step)', async () => {
    const notSetUp = { code: 'invalid', message: 'going live is not set up: set ANCHORDESK_PUSH_DOMAIN and ANCHORDESK_PUSH_KEY (see the README)' };
    invoke.mockRejectedValueOnce(notSetUp);
    await expect(new TauriBackend().streamAddress()).rejects.toEqual(notSetUp);
    const failed = { code: 'invalid', message: 'Ingest: no stream reached CSS within 30 s' };
    invoke.mockRejectedValueOnce(failed);
    await expect(new TauriBackend().goLive()).rejects.toEqual(failed);
  });
});

describe('TauriBackend settings', () => {
  it('gets, saves (settings and secret changes as given) and restarts with the contract’s commands', async () => {
    const view = { settings: {}, secretsSet: ['imSecretKey'], secretStore: 'keychain', fromEnv: [], mode: 'tencent', restartNeeded: true };
    invoke.mockResolvedValueOnce(view).mockResolvedValueOnce(view).mockResolvedValueOnce(null);
    const b = new TauriBackend();
    const { EMPTY_SETTINGS } = await import('./fake-settings');
    const settings = { ...EMPTY_SETTINGS, sdkAppId: 1400123456 };
    const secrets = [{ name: 'imSecretKey' as const, value: 'k' }, { name: 'playKey' as const, value: null }];
    await expect(b.settings()).resolves.toEqual(view);
    await expect(b.saveSettings(settings, secrets)).resolves.toEqual(view);
    await expect(b.restart()).resolves.toBeUndefined();
    expect(invoke.mock.calls).toEqual([
      ['settings_get', undefined],
      ['settings_save', { settings, secrets }],
      ['app_restart', undefined],
    ]);
  });

  it('rejects a refused save with the app’s WireError', async () => {
    const refused = { code: 'invalid', message: 'imRegion "mars" is not a data center' };
    invoke.mockRejectedValueOnce(refused);
    const { EMPTY_SETTINGS } = await import('./fake-settings');
    await expect(new TauriBackend().saveSettings({ ...EMPTY_SETTINGS }, [])).rejects.toEqual(refused);
  });
});

describe('getBackend', () => {
  it('uses the fake outside Tauri and Tauri inside it', () => {
    const fakeWindow: Record<string, unknown> = {};
    vi.stubGlobal('window', fakeWindow);
    expect(insideTauri()).toBe(false);
    const fake = getBackend();
    expect(fake).toBeInstanceOf(FakeBackend);
    (fake as InstanceType<typeof FakeBackend>).stop();
    fakeWindow.__TAURI_INTERNALS__ = {};
    expect(insideTauri()).toBe(true);
    expect(getBackend()).toBeInstanceOf(TauriBackend);
  });

  it("lets a page's init script build the fake instead of the preview's busy room", () => {
    const quiet = new FakeBackend({ room: { name: 'Quiet room' } });
    const fakeWindow: Record<string, unknown> = {
      __anchordeskFakeSetup: (Fake: typeof FakeBackend) => (Fake === FakeBackend ? quiet : null),
    };
    vi.stubGlobal('window', fakeWindow);
    expect(getBackend()).toBe(quiet);
    // The page test reaches the same fake to push events and hold or fail calls.
    expect(fakeWindow.__anchordeskFake).toBe(quiet);
  });
});

describe('TauriBackend: the keyword lottery and broadcasts', () => {
  it('calls room_lottery_open {keyword}, room_lottery_close, room_lottery_draw {winners, seed} and room_broadcast {text}', async () => {
    invoke.mockResolvedValueOnce(null).mockResolvedValueOnce(null).mockResolvedValueOnce(['a', 'b']).mockResolvedValueOnce(['c']);
    invoke.mockResolvedValueOnce(null);
    const b = new TauriBackend();
    await expect(b.openLottery('抽奖')).resolves.toBeUndefined();
    await expect(b.closeLottery()).resolves.toBeUndefined();
    await expect(b.drawLottery(2)).resolves.toEqual(['a', 'b']);
    await expect(b.drawLottery(1, 42)).resolves.toEqual(['c']);
    await expect(b.broadcast('今晚九点开播')).resolves.toBeUndefined();
    expect(invoke.mock.calls).toEqual([
      ['room_lottery_open', { keyword: '抽奖' }],
      ['room_lottery_close', undefined],
      // Rust's `seed: Option<u64>`: null asks for a random one.
      ['room_lottery_draw', { winners: 2, seed: null }],
      ['room_lottery_draw', { winners: 1, seed: 42 }],
      ['room_broadcast', { text: '今晚九点开播' }],
    ]);
  });

  it('rejects with the room’s WireError', async () => {
    const open = { code: 'invalid', message: 'a lottery is open already; close or draw it first' };
    invoke.mockRejectedValueOnce(open);
    await expect(new TauriBackend().openLottery('888')).rejects.toEqual(open);
    const tooLong = { code: 'invalid', message: 'a broadcast is 1 to 4000 bytes of text' };
    invoke.mockRejectedValueOnce(tooLong);
    await expect(new TauriBackend().broadcast('x'.repeat(4001))).rejects.toEqual(tooLong);
  });
});
