// Why: the browser preview and every UI test exercise the Settings screen against the fake, so the
// fake must keep the contract where the UI can tell: checks before saving (nothing saved on a
// refusal, the field named), write-only secrets, read-only environment overrides, the mode following
// the saved SDKAppID, restartNeeded until a restart, and injected failures like the other methods. And
// joining a hub by invite as the app does it: everything that would be saved is checked before the hub
// is asked, so a refusal never spends the code; the hub's own refusals; the token stored, never shown.
import { describe, expect, it } from 'vitest';
import { FakeBackend, type FakeOptions } from './fake-backend';
import { EMPTY_SETTINGS } from './fake-settings';
import { FAKE_HUB_URL } from './fake-team';
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
    [settings({ hubUrl: 'http://hub.example.com:8690' }), /^hubUrl: "http:\/\/hub.example.com:8690": use https:\/\/ — a token must not cross/],
    [settings({ hubUrl: 'hub.example.com' }), /^hubUrl: "hub.example.com" is not a hub address/],
    [settings({ hubUrl: 'https://hub.example.com' }), /^hubToken: a remote hub \(hubUrl\) needs this console's token/],
    [settings({ hubCa: '/home/me/nowhere.pem' }), /^hubCa: cannot read "\/home\/me\/nowhere.pem"/],
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

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

/** A fake whose own hub invites `name` as a moderator: the fake and the invite's code. */
function withInvite(options: FakeOptions = {}, name: string | null = 'mod_kim') {
  const fake = new FakeBackend({ ...options, settings: { files: { '/home/me/hub.pem': PEM, '/home/me/notes.txt': 'hello' }, ...options.settings } });
  const invite = fake.hubTeam.invite('moderator', name, 3600, FAKE_HUB_URL);
  expect(invite.link).toBe(`anchordesk://join?hub=${FAKE_HUB_URL}&code=${invite.code}`);
  return { fake, code: invite.code };
}

describe('FakeBackend joining a hub by invite', () => {
  it('saves the hub, its certificate and the token the hub gave (never shown), for the next start', async () => {
    const { fake, code } = withInvite();
    const joined = await fake.joinHub(` ${FAKE_HUB_URL}/ `, ` ${code} `, null, ' /home/me/hub.pem ');
    expect([joined.name, joined.role]).toEqual(['mod_kim', 'moderator']);
    expect(joined.settings.settings).toEqual({ ...EMPTY_SETTINGS, hubUrl: `${FAKE_HUB_URL}/`, hubCa: '/home/me/hub.pem' });
    expect(joined.settings.secretsSet).toEqual(['hubToken']);
    expect([joined.settings.mode, joined.settings.restartNeeded]).toEqual(['remote', true]);
    const token = fake.savedSettings.storedSecret('hubToken')!;
    expect(token).toBeTruthy();
    expect(JSON.stringify(joined)).not.toContain(token);
    expect(fake.hubTeam.team().map((m) => m.name), 'the hub has the new person').toContain('mod_kim');
    await fake.restart();
    expect((await fake.appInfo()).mode).toBe('remote');
  });

  it('passes on the hub’s refusal of a used, unknown or expired code, and saves nothing', async () => {
    const { fake, code } = withInvite();
    await fake.joinHub(FAKE_HUB_URL, code, null, null);
    const before = await fake.settings();
    const used = await refusal(fake.joinHub(FAKE_HUB_URL, code, null, null));
    expect(used).toEqual({ code: 'forbidden', message: 'this invite has already been used; ask the owner for a new one' });
    const unknown = await refusal(fake.joinHub(FAKE_HUB_URL, 'made-up', null, null));
    expect(unknown.message).toBe('this invite code is not known: check it was copied whole');
    expect(await fake.settings()).toEqual(before);
  });

  it('needs a name when the invite has none, in the hub’s words, and the code still works after', async () => {
    const { fake, code } = withInvite({}, null);
    const e = await refusal(fake.joinHub(FAKE_HUB_URL, code, 'kim lee', null));
    expect(e.code).toBe('invalid');
    expect(e.message).toMatch(/not a usable name/);
    await expect(fake.joinHub(FAKE_HUB_URL, code, 'kim_lee', null)).resolves.toMatchObject({ name: 'kim_lee' });
  });

  it.each([
    ['an unreadable certificate file', FAKE_HUB_URL, '/home/me/missing.pem', "cannot read the hub's certificate file /home/me/missing.pem"],
    ['a file with no certificate', FAKE_HUB_URL, '/home/me/notes.txt', 'hubCa: "/home/me/notes.txt": the hub\'s root certificate: no certificate in it'],
    ['an address in clear over the network', 'http://hub.example.com:8690', null, 'hubUrl: "http://hub.example.com:8690": use https://'],
    ['no address', ' ', null, '"" is not a web address'],
  ])('refuses %s before the hub is asked: the code is not spent', async (_what, url, ca, message) => {
    const { fake, code } = withInvite();
    const e = await refusal(fake.joinHub(url, code, null, ca));
    expect(e.code).toBe('invalid');
    expect(e.message.startsWith(message), e.message).toBe(true);
    expect((await fake.settings()).settings).toEqual(EMPTY_SETTINGS);
    await expect(fake.joinHub(FAKE_HUB_URL, code, null, null)).resolves.toMatchObject({ name: 'mod_kim' });
  });

  it('refuses when the environment sets the hub (it would win over the joined one), and the code is not spent', async () => {
    const { fake, code } = withInvite({ settings: { settings: { hubUrl: 'https://other.example.com' }, fromEnv: ['hubUrl'] } });
    const e = await refusal(fake.joinHub(FAKE_HUB_URL, code, null, null));
    expect(e.message).toBe("hubUrl: ANCHORDESK_HUB_URL is set in this computer's environment and would win over the hub you join; unset it, then join");
    expect(fake.hubTeam.redeem(code, null).name, 'the invite is still unused').toBe('mod_kim');
  });

  it('cannot reach a hub this computer does not reach: offline, nothing done', async () => {
    const { fake, code } = withInvite();
    const e = await refusal(fake.joinHub('https://hub.example.com:8690', code, null, null));
    expect(e).toEqual({ code: 'offline', message: 'cannot reach the hub at https://hub.example.com:8690; this was not done' });
    await expect(fake.joinHub(FAKE_HUB_URL, code, null, null)).resolves.toMatchObject({ role: 'moderator' });
  });

  it('leaves the other saved settings as they were, and a saved SDKAppID needs no key on a team’s hub', async () => {
    const { fake, code } = withInvite({ settings: { settings: { roomName: 'Evening show' } } });
    const joined = await fake.joinHub(FAKE_HUB_URL, code, null, null);
    expect(joined.settings.settings.roomName).toBe('Evening show');
    const view = await fake.saveSettings({ ...joined.settings.settings, sdkAppId: 1400000001 }, []);
    expect(view.mode).toBe('remote');
  });
});
