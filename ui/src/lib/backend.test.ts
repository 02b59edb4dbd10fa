// Why: the Tauri backend must call the exact command names with camelCase args, pass a Channel for
// events, and turn any rejection into a WireError; getBackend must pick the fake outside Tauri.
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
  it('subscribes with a channel and forwards its batches', async () => {
    invoke.mockResolvedValueOnce({ seq: 3 });
    const got: unknown[] = [];
    const snap = await new TauriBackend().subscribe((batch) => got.push(batch));
    expect(snap).toEqual({ seq: 3 });
    const [command, args] = invoke.mock.calls[0];
    expect(command).toBe('room_subscribe');
    const batch = [{ seq: 4, event: { type: 'likes', total: 1 } }];
    args.onEvents.onmessage(batch);
    expect(got).toEqual([batch]);
  });

  it('calls the commands with camelCase args', async () => {
    invoke.mockResolvedValue(null);
    const b = new TauriBackend();
    await b.setStatus('live');
    await b.mute('u1', 4294967295);
    await b.kick('u2');
    await b.appInfo();
    expect(invoke.mock.calls).toEqual([
      ['room_set_status', { status: 'live' }],
      ['room_mute', { userId: 'u1', seconds: 4294967295 }],
      ['room_kick', { userId: 'u2' }],
      ['app_info', undefined],
    ]);
  });

  it('rejects with WireErrors', async () => {
    invoke.mockRejectedValueOnce({ code: 'notReady', message: 'starting' });
    await expect(new TauriBackend().subscribe(() => {})).rejects.toEqual({ code: 'notReady', message: 'starting' });
    invoke.mockRejectedValueOnce('Command room_kick not found');
    await expect(new TauriBackend().kick('x')).rejects.toEqual({ code: 'internal', message: 'Command room_kick not found' });
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
});
