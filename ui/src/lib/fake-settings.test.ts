// Why: the browser preview and every UI test exercise the Settings screen against the fake, so the
// fake must keep the contract where the UI can tell: checks before saving (nothing saved on a
// refusal, the field named), write-only secrets, read-only environment overrides, the mode following
// the saved SDKAppID, restartNeeded until a restart, and injected failures like the other methods.
import { describe, expect, it } from 'vitest';
import { FakeBackend } from './fake-backend';
import { EMPTY_SETTINGS } from './fake-settings';
import type { SecretChange, Settings } from './bindings';

const settings = (over: Partial<Settings> = {}): Settings => ({ ...EMPTY_SETTINGS, ...over });

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('FakeBackend settings', () => {
  it('starts with nothing saved: the sandbox, secrets in the keychain, no restart due', async () => {
    const fake = new FakeBackend();
    expect(await fake.settings()).toEqual({
      settings: EMPTY_SETTINGS,
      secretsSet: [],
      secretStore: 'keychain',
      fromEnv: [],
      mode: 'sandbox',
      restartNeeded: false,
    });
    expect((await fake.appInfo()).mode).toBe('sandbox');
  });

  it('saves settings and secrets, answering with secret names only, and a restart due', async () => {
    const fake = new FakeBackend();
    const secrets: SecretChange[] = [
      { name: 'imSecretKey', value: 'im-secret-123' },
      { name: 'obsPassword', value: 'obs pass' },
    ];
    const view = await fake.saveSettings(settings({ sdkAppId: 1400123456, imRegion: 'tokyo' }), secrets);
    expect(view.settings.sdkAppId).toBe(1400123456);
    expect(view.secretsSet).toEqual(['imSecretKey', 'obsPassword']);
    expect(view.mode).toBe('tencent');
    expect(view.restartNeeded).toBe(true);
    expect(JSON.stringify(view), 'no secret value comes back').not.toMatch(/im-secret-123|obs pass/);
    expect(JSON.stringify(await fake.settings())).not.toMatch(/im-secret-123|obs pass/);
    expect(fake.savedSettings.storedSecret('imSecretKey')).toBe('im-secret-123');
  });

  it('keeps secrets not listed, and forgets one sent as null', async () => {
    const fake = new FakeBackend({ settings: { secrets: ['pushKey', 'playKey'] } });
    const view = await fake.saveSettings(settings(), [{ name: 'playKey', value: null }]);
    expect(view.secretsSet).toEqual(['pushKey']);
    expect(fake.savedSettings.storedSecret('pushKey')).toBe('stored-pushKey');
  });

  it('after a restart the saved settings run: no restart due, the mode follows, the room starts over', async () => {
    const fake = new FakeBackend();
    const feeds: string[] = [];
    await fake.subscribe((feed) => feeds.push(feed.type));
    await fake.saveSettings(settings({ sdkAppId: 1400000001 }), [{ name: 'imSecretKey', value: 'k' }]);
    await fake.restart();
    const view = await fake.settings();
    expect(view.restartNeeded).toBe(false);
    expect((await fake.appInfo()).mode).toBe('tencent');
    expect(feeds, 'a fresh snapshot after the restart').toEqual(['snapshot', 'snapshot']);
    expect(fake.snapshot().epoch).toBe(2);
  });

  it('saving what already runs needs no restart', async () => {
    const fake = new FakeBackend({ settings: { settings: { obsUrl: 'ws://127.0.0.1:4455' } } });
    await fake.saveSettings(settings({ obsUrl: 'ws://10.0.0.2:4455' }), []);
    expect((await fake.settings()).restartNeeded).toBe(true);
    const back = await fake.saveSettings(settings({ obsUrl: 'ws://127.0.0.1:4455' }), []);
    expect(back.restartNeeded).toBe(false);
  });

  it.each([
    [settings({ imRegion: 'mars' }), /^imRegion "mars" is not a data center: use china, singapore/],
    [settings({ obsUrl: 'http://127.0.0.1:4455' }), /^obsUrl .* use ws:\/\/ or wss:\/\//],
    [settings({ hubListen: 'localhost:8690' }), /^hubListen .* IP:port/],
    [settings({ sdkAppId: 1.5 }), /^sdkAppId 1.5 is not an SDKAppID/],
    [settings({ pushDomain: 'rtmp://push.example.com' }), /^pushDomain .* only the domain/],
    [settings({ pushValidFor: '1y' }), /^pushValidFor "1y"/],
    [settings({ roomName: '' }), /^roomName is empty/],
    [settings({ sdkAppId: 1400000001 }), /^sdkAppId needs the IM secret key/],
  ])('refuses %j as invalid, naming the field, and saves nothing', async (bad, message) => {
    const fake = new FakeBackend();
    const e = await refusal(fake.saveSettings(bad, [{ name: 'pushKey', value: 'pk' }]));
    expect(e.code).toBe('invalid');
    expect(e.message).toMatch(message);
    const view = await fake.settings();
    expect(view.settings).toEqual(EMPTY_SETTINGS);
    expect(view.secretsSet, 'the secret in the same save was not stored either').toEqual([]);
  });

  it('refuses malformed secret changes without repeating the value', async () => {
    const fake = new FakeBackend();
    const e1 = await refusal(fake.saveSettings(settings(), [{ name: 'password' as never, value: 'hunter2' }]));
    expect(e1.message).toMatch(/^"password" is not a secret/);
    expect(e1.message).not.toContain('hunter2');
    const e2 = await refusal(
      fake.saveSettings(settings(), [
        { name: 'pushKey', value: 'a' },
        { name: 'pushKey', value: 'b' },
      ]),
    );
    expect(e2.message).toBe('pushKey is changed twice in one save');
    const e3 = await refusal(fake.saveSettings(settings(), [{ name: 'pushKey', value: '' }]));
    expect(e3.message).toBe('pushKey: send the new value, or null to forget it');
  });

  it('keeps what an environment variable sets read-only, for settings and secrets', async () => {
    const fake = new FakeBackend({
      settings: { settings: { obsUrl: 'ws://env:4455' }, fromEnv: ['obsUrl', 'obsPassword'], secretStore: 'file' },
    });
    const view = await fake.settings();
    expect(view.fromEnv).toEqual(['obsUrl', 'obsPassword']);
    expect(view.secretsSet, 'a variable gives the secret').toEqual(['obsPassword']);
    expect(view.secretStore).toBe('file');
    const e1 = await refusal(fake.saveSettings(settings({ obsUrl: 'ws://mine:4455' }), []));
    expect(e1.message).toBe('obsUrl is set by ANCHORDESK_OBS_URL: change it there');
    const e2 = await refusal(fake.saveSettings(settings({ obsUrl: 'ws://env:4455' }), [{ name: 'obsPassword', value: 'x' }]));
    expect(e2.message).toBe('obsPassword is set by ANCHORDESK_OBS_PASSWORD: change it there');
    await expect(fake.saveSettings(settings({ obsUrl: 'ws://env:4455', pushApp: 'live' }), [])).resolves.toMatchObject({
      settings: { obsUrl: 'ws://env:4455', pushApp: 'live' },
    });
  });

  it('fails the next calls on demand and records them, like the other methods', async () => {
    const fake = new FakeBackend();
    fake.failNext('saveSettings', { code: 'internal', message: 'the disk is full' });
    fake.failNext('settings', { code: 'offline', message: 'gone' });
    fake.failNext('restart', { code: 'internal', message: 'cannot restart' });
    await expect(fake.saveSettings(settings({ pushApp: 'live' }), [])).rejects.toEqual({ code: 'internal', message: 'the disk is full' });
    expect((await refusal(fake.settings())).code).toBe('offline');
    expect((await refusal(fake.restart())).message).toBe('cannot restart');
    expect((await fake.settings()).settings.pushApp, 'a failed save saved nothing').toBeNull();
    expect(fake.calls.map((c) => c.method)).toEqual(['saveSettings', 'settings', 'restart', 'settings']);
  });
});
