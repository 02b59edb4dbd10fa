// Why: the chat window and the OS locale cross the IPC boundary: the Tauri backend must call
// `system_locale`, `chat_pop_out` and `chat_pop_in` and follow the `chat-window` event (also when
// unsubscribed before `listen` resolved); the fake must report open and close like the app does.
import { afterEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
const unlisten = vi.fn();
let handler: ((event: { payload: { open: boolean } }) => void) | null = null;
let resolveListen: (() => void) | null = null;
const listen = vi.fn((_name: string, cb: (event: { payload: { open: boolean } }) => void) => {
  handler = cb;
  return new Promise<() => void>((resolve) => (resolveListen = () => resolve(unlisten)));
});

vi.mock('@tauri-apps/api/core', () => ({ invoke, Channel: class {} }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

const { TauriBackend } = await import('./backend');
const { FakeBackend } = await import('./fake-backend');

afterEach(() => {
  invoke.mockReset();
  unlisten.mockReset();
  listen.mockClear();
  handler = null;
});

describe('TauriBackend: OS locale and chat window', () => {
  it('calls system_locale, chat_pop_out and chat_pop_in', async () => {
    invoke.mockResolvedValueOnce('zh-CN').mockResolvedValueOnce(null).mockResolvedValueOnce(null).mockResolvedValueOnce(null);
    const b = new TauriBackend();
    expect(await b.systemLocale()).toBe('zh-CN');
    await b.popOutChat();
    await b.popInChat();
    expect(await b.systemLocale()).toBeNull();
    expect(invoke.mock.calls).toEqual([['system_locale', undefined], ['chat_pop_out', undefined], ['chat_pop_in', undefined], ['system_locale', undefined]]);
  });

  it('rejects with a WireError', async () => {
    invoke.mockRejectedValueOnce({ code: 'internal', message: 'could not open the chat window' });
    await expect(new TauriBackend().popOutChat()).rejects.toEqual({ code: 'internal', message: 'could not open the chat window' });
    invoke.mockRejectedValueOnce('unknown command chat_pop_in');
    await expect(new TauriBackend().popInChat()).rejects.toEqual({ code: 'internal', message: 'unknown command chat_pop_in' });
  });

  it('follows the chat-window event and stops on unsubscribe', async () => {
    const seen: boolean[] = [];
    const off = new TauriBackend().onChatWindow((open) => seen.push(open));
    expect(listen.mock.calls[0][0]).toBe('chat-window');
    resolveListen!();
    await Promise.resolve();
    handler!({ payload: { open: true } });
    handler!({ payload: { open: false } });
    expect(seen).toEqual([true, false]);
    off();
    expect(unlisten).toHaveBeenCalledTimes(1);
  });

  it('unlistens once listen resolves when unsubscribed before that', async () => {
    const off = new TauriBackend().onChatWindow(() => {});
    off();
    expect(unlisten).not.toHaveBeenCalled();
    resolveListen!();
    await Promise.resolve();
    await Promise.resolve();
    expect(unlisten).toHaveBeenCalledTimes(1);
  });
});

describe('FakeBackend: OS locale and chat window (simulated)', () => {
  it('answers the configured OS locale, null by default', async () => {
    expect(await new FakeBackend().systemLocale()).toBeNull();
    expect(await new FakeBackend({ systemLocale: 'ko-KR' }).systemLocale()).toBe('ko-KR');
  });

  it('reports the window opening and closing once each, also when the user closes it', async () => {
    const fake = new FakeBackend();
    const seen: boolean[] = [];
    const off = fake.onChatWindow((open) => seen.push(open));
    await fake.popOutChat();
    await fake.popOutChat(); // already open: focused, no second report
    expect([fake.chatWindowOpen, seen]).toEqual([true, [true]]);
    fake.closeChatWindow(); // from the window manager
    expect(seen).toEqual([true, false]);
    await fake.popOutChat();
    await fake.popInChat();
    await fake.popInChat();
    expect(seen).toEqual([true, false, true, false]);
    off();
    await fake.popOutChat();
    expect(seen).toHaveLength(4);
    expect(fake.calls.map((c) => c.method)).toEqual(['popOutChat', 'popOutChat', 'popOutChat', 'popInChat', 'popInChat', 'popOutChat']);
  });

  it('can fail like any call', async () => {
    const fake = new FakeBackend();
    const seen: boolean[] = [];
    fake.onChatWindow((open) => seen.push(open));
    fake.failNext('popOutChat', { code: 'internal', message: 'no display' });
    await expect(fake.popOutChat()).rejects.toEqual({ code: 'internal', message: 'no display' });
    expect(seen).toEqual([]);
  });
});
