// Why: the Settings form decides what reaches the app — which settings, and above all which secret
// changes (only those the anchor touched; never anything for a secret set by an environment variable)
// — when the screen counts as changed (the close guard, the Save button), and which mistakes are
// pointed out before anything is sent. Each rule is pinned here without a DOM.
import { describe, expect, it } from 'vitest';
import { EMPTY_SETTINGS } from './fake-settings';
import {
  SECRET_NAMES,
  formFrom,
  isCertificatePath,
  isDirty,
  isHubUrl,
  isListenAddress,
  isWebSocketUrl,
  parseSdkAppId,
  secretChanges,
  secretWillBeSet,
  settingsFrom,
  validate,
  type SettingsForm,
} from './settings-form';
import type { Settings, SettingsView } from './bindings';

function view(over: Partial<Omit<SettingsView, 'settings'>> & { settings?: Partial<Settings> } = {}): SettingsView {
  const { settings, ...rest } = over;
  return {
    settings: { ...EMPTY_SETTINGS, ...settings },
    secretsSet: [],
    secretStore: 'keychain',
    fromEnv: [],
    mode: 'sandbox',
    restartNeeded: false,
    ...rest,
  };
}

const tencent = view({
  settings: { sdkAppId: 1400123456, imRegion: 'seoul', obsUrl: 'ws://127.0.0.1:4455' },
  secretsSet: ['imSecretKey', 'pushKey'],
  mode: 'tencent',
});

describe('the form of a view', () => {
  it('shows each setting as text (empty when unset), auto-pause with its default, and keeps every secret', () => {
    const form = formFrom(tencent);
    expect(form.text.sdkAppId).toBe('1400123456');
    expect(form.text.imRegion).toBe('seoul');
    expect(form.text.pushDomain).toBe('');
    expect(form.autoPause).toBe(true);
    for (const name of SECRET_NAMES) expect(form.secrets[name]).toEqual({ mode: 'keep', value: '' });
  });

});

describe('dirty tracking', () => {
  it('is clean as loaded, and clean again when an edit is undone', () => {
    const form = formFrom(tencent);
    expect(isDirty(form, tencent)).toBe(false);
    form.text.obsUrl = 'ws://10.0.0.2:4455';
    expect(isDirty(form, tencent)).toBe(true);
    form.text.obsUrl = 'ws://127.0.0.1:4455';
    expect(isDirty(form, tencent)).toBe(false);
  });

  it('ignores spaces around a value (they are not saved either)', () => {
    const form = formFrom(tencent);
    form.text.imRegion = '  seoul ';
    expect(isDirty(form, tencent)).toBe(false);
  });

  it('counts the auto-pause switch only when it moves from what applies', () => {
    const form = formFrom(tencent);
    form.autoPause = false;
    expect(isDirty(form, tencent)).toBe(true);
    form.autoPause = true; // back to the default the unset value means
    expect(isDirty(form, tencent)).toBe(false);
  });

  it('counts a secret only when a change would be sent', () => {
    const form = formFrom(tencent);
    form.secrets.pushKey = { mode: 'replace', value: '' };
    expect(isDirty(form, tencent), 'Replace with nothing typed changes nothing').toBe(false);
    form.secrets.pushKey = { mode: 'replace', value: 'new-key' };
    expect(isDirty(form, tencent)).toBe(true);
    form.secrets.pushKey = { mode: 'keep', value: '' };
    form.secrets.playKey = { mode: 'forget', value: '' };
    expect(isDirty(form, tencent), 'forgetting a secret that is not stored changes nothing').toBe(false);
    form.secrets.imSecretKey = { mode: 'forget', value: '' };
    expect(isDirty(form, tencent)).toBe(true);
  });

  it('never counts fields an environment variable sets', () => {
    const v = view({ ...tencent, fromEnv: ['obsUrl'] });
    const form = formFrom(v);
    form.text.obsUrl = 'ws://elsewhere:1';
    expect(isDirty(form, v)).toBe(false);
  });
});

describe('secret changes', () => {
  it('sends only the secrets the anchor touched: replaced with a value, or forgotten while stored', () => {
    const form = formFrom(tencent);
    form.secrets.pushKey = { mode: 'replace', value: 'pk-new' };
    form.secrets.imSecretKey = { mode: 'forget', value: '' };
    form.secrets.playKey = { mode: 'forget', value: '' }; // not stored: nothing to forget
    form.secrets.apiToken = { mode: 'replace', value: '   ' }; // nothing typed
    expect(secretChanges(form, tencent)).toEqual([
      { name: 'imSecretKey', value: null },
      { name: 'pushKey', value: 'pk-new' },
    ]);
  });

  it('sends nothing for an untouched form', () => {
    expect(secretChanges(formFrom(tencent), tencent)).toEqual([]);
  });

  it('trims what a paste brings along from keys, but keeps the OBS password as typed', () => {
    const form = formFrom(tencent);
    form.secrets.cssSecretKey = { mode: 'replace', value: '  abc123\n' };
    form.secrets.obsPassword = { mode: 'replace', value: ' pass word ' };
    expect(secretChanges(form, tencent)).toEqual([
      { name: 'cssSecretKey', value: 'abc123' },
      { name: 'obsPassword', value: ' pass word ' },
    ]);
  });

  it('never sends a change for a secret an environment variable sets', () => {
    const v = view({ ...tencent, fromEnv: ['pushKey', 'imSecretKey'] });
    const form = formFrom(v);
    form.secrets.pushKey = { mode: 'replace', value: 'x' };
    form.secrets.imSecretKey = { mode: 'forget', value: '' };
    expect(secretChanges(form, v)).toEqual([]);
    expect(secretWillBeSet(form, v, 'imSecretKey'), 'the variable gives it').toBe(true);
  });
});

describe('the settings to save', () => {
  it('trims text, turns empty fields into unset, and the SDKAppID into a number', () => {
    const form = formFrom(tencent);
    form.text.sdkAppId = ' 1400000001 ';
    form.text.imRegion = '';
    form.text.pushDomain = ' push.example.com ';
    expect(settingsFrom(form, tencent)).toEqual({
      ...tencent.settings,
      sdkAppId: 1400000001,
      imRegion: null,
      pushDomain: 'push.example.com',
    });
  });

  it('leaves auto-pause unset while the switch shows the default, and saves it once turned off', () => {
    const form = formFrom(tencent);
    expect(settingsFrom(form, tencent).autoPause).toBeNull();
    form.autoPause = false;
    expect(settingsFrom(form, tencent).autoPause).toBe(false);
  });

  it('sends fields an environment variable sets exactly as the app gave them', () => {
    const v = view({ ...tencent, fromEnv: ['obsUrl', 'sdkAppId', 'autoPause'] });
    const form = formFrom(v);
    form.text.obsUrl = 'ws://changed:1';
    form.text.sdkAppId = '';
    form.autoPause = false;
    const saved = settingsFrom(form, v);
    expect([saved.obsUrl, saved.sdkAppId, saved.autoPause]).toEqual(['ws://127.0.0.1:4455', 1400123456, null]);
  });
});

describe('validation', () => {
  const withText = (over: Partial<SettingsForm['text']>, base = view()) => {
    const form = formFrom(base);
    Object.assign(form.text, over);
    return validate(form, base);
  };

  it('finds nothing wrong in an empty form (every default applies) or in good values', () => {
    expect(validate(formFrom(view()), view())).toEqual({});
    expect(
      withText({
        imRegion: 'jakarta',
        imEndpoint: 'https://adminapiidn.im.qcloud.com',
        imAdmin: 'administrator',
        roomName: '今晚唱歌',
        hubListen: '0.0.0.0:8690',
        pushDomain: 'push.example.com',
        pushApp: 'live',
        streamName: 'room_abc-1',
        pushValidFor: '7d',
        playDomain: 'play.example.com',
        cssSecretId: 'AKIDabc123',
        cssRegion: 'ap-guangzhou',
        obsUrl: 'wss://obs.local:4455',
      }),
    ).toEqual({});
  });

  it.each([
    ['sdkAppId', 'abc', 'settings.problem.sdkAppId'],
    ['sdkAppId', '0', 'settings.problem.sdkAppId'],
    ['sdkAppId', '99999999999', 'settings.problem.sdkAppId'],
    ['imRegion', 'mars', 'settings.problem.region'],
    ['imEndpoint', 'adminapisgp.im.qcloud.com', 'settings.problem.endpoint'],
    ['imAdmin', 'admin istrator', 'settings.problem.admin'],
    ['roomName', '一二三四五六七八九十一', 'settings.problem.roomName'],
    ['hubListen', 'localhost:8690', 'settings.problem.listen'],
    ['hubListen', '127.0.0.1', 'settings.problem.listen'],
    ['hubListen', '127.0.0.1:70000', 'settings.problem.listen'],
    ['pushDomain', 'rtmp://push.example.com/live', 'settings.problem.domain'],
    ['playDomain', 'https://play.example.com', 'settings.problem.domain'],
    ['pushApp', 'live/app', 'settings.problem.streamPart'],
    ['pushValidFor', '1 day', 'settings.problem.validFor'],
    ['pushValidFor', '0h', 'settings.problem.validFor'],
    ['cssSecretId', 'AKID abc', 'settings.problem.secretId'],
    ['cssRegion', 'Guangzhou', 'settings.problem.cssRegion'],
    ['obsUrl', 'http://127.0.0.1:4455', 'settings.problem.obsUrl'],
    ['obsUrl', '127.0.0.1:4455', 'settings.problem.obsUrl'],
  ] as const)('%s %j → %s', (field, value, key) => {
    const problems = withText({ [field]: value });
    expect(problems[field]?.key).toBe(key);
    if (field === 'sdkAppId') return; // the secret-key rule may add its own problem
    expect(Object.keys(problems)).toEqual([field]);
  });

  it('names the byte limit for a long room name', () => {
    expect(withText({ roomName: 'x'.repeat(31) }).roomName).toEqual({ key: 'settings.problem.roomName', params: { max: 30 } });
  });

  it('asks for the secret key with an SDKAppID, unless it is stored, typed, or set by a variable', () => {
    expect(withText({ sdkAppId: '1400123456' }).imSecretKey?.key).toBe('settings.problem.secretNeeded');
    const stored = view({ secretsSet: ['imSecretKey'] });
    expect(withText({ sdkAppId: '1400123456' }, stored).imSecretKey).toBeUndefined();
    const form = formFrom(view());
    form.text.sdkAppId = '1400123456';
    form.secrets.imSecretKey = { mode: 'replace', value: 'k' };
    expect(validate(form, view()).imSecretKey).toBeUndefined();
    const env = view({ fromEnv: ['imSecretKey'] });
    expect(withText({ sdkAppId: '1400123456' }, env).imSecretKey).toBeUndefined();
  });

  it('asks for the secret key again when it is to be forgotten while the SDKAppID stays', () => {
    const form = formFrom(tencent);
    form.secrets.imSecretKey = { mode: 'forget', value: '' };
    expect(validate(form, tencent).imSecretKey?.key).toBe('settings.problem.secretNeeded');
  });

  it('points out a key pasted with spaces inside, but not an OBS password with spaces', () => {
    const form = formFrom(view());
    form.secrets.pushKey = { mode: 'replace', value: 'abc def' };
    form.secrets.obsPassword = { mode: 'replace', value: 'my obs password' };
    expect(validate(form, view())).toEqual({ pushKey: { key: 'settings.problem.secretSpaces' } });
  });

  it('does not check fields an environment variable sets (not the anchor’s to fix here)', () => {
    const v = view({ settings: { obsUrl: 'tcp://weird' }, fromEnv: ['obsUrl'] });
    expect(validate(formFrom(v), v)).toEqual({});
  });
});

describe('shapes', () => {
  it('reads SDKAppIDs as the IM console shows them', () => {
    expect(parseSdkAppId('1400123456')).toBe(1400123456);
    expect(parseSdkAppId('4294967295')).toBe(4294967295);
    expect(parseSdkAppId('4294967296')).toBeNull();
    expect(parseSdkAppId('1.5')).toBeNull();
    expect(parseSdkAppId('-1')).toBeNull();
  });

  it('reads listen addresses as Rust’s SocketAddr does', () => {
    for (const good of ['127.0.0.1:8690', '0.0.0.0:1', '[::1]:8690', '[::]:65535']) expect(isListenAddress(good), good).toBe(true);
    for (const bad of ['localhost:8690', '127.0.0.1:0', '256.0.0.1:80', '127.0.0.01:80', '::1:8690', '127.0.0.1:']) {
      expect(isListenAddress(bad), bad).toBe(false);
    }
  });

  it('takes ws:// and wss:// addresses for OBS, nothing else', () => {
    expect(isWebSocketUrl('ws://127.0.0.1:4455')).toBe(true);
    expect(isWebSocketUrl('wss://obs.example.com')).toBe(true);
    expect(isWebSocketUrl('https://obs.example.com')).toBe(false);
    expect(isWebSocketUrl('ws://')).toBe(false);
  });
});

describe('the hub: this computer’s own, or a team’s', () => {
  const remote = view({
    settings: { hubUrl: 'https://hub.example.com:8690', hubCa: '/home/me/hub.pem' },
    secretsSet: ['hubToken'],
    mode: 'remote',
  });

  it('starts as the saved hub says: remote with a hub URL (saved or from the environment), else embedded', () => {
    expect(formFrom(view()).hub).toBe('embedded');
    expect(formFrom(remote).hub).toBe('remote');
    expect(formFrom(remote).text.hubUrl).toBe('https://hub.example.com:8690');
    expect(formFrom(view({ fromEnv: ['hubUrl'] })).hub, 'the variable runs a remote console').toBe('remote');
  });

  it('choosing this computer’s hub saves no hub URL or certificate, and choosing back restores what was typed', () => {
    const form = formFrom(remote);
    form.hub = 'embedded';
    expect(isDirty(form, remote), 'a different hub runs').toBe(true);
    const saved = settingsFrom(form, remote);
    expect([saved.hubUrl, saved.hubCa]).toEqual([null, null]);
    expect(validate(form, remote), 'nothing of the remote hub is asked for').toEqual({});
    form.hub = 'remote';
    expect(isDirty(form, remote)).toBe(false);
    expect(settingsFrom(form, remote).hubUrl).toBe('https://hub.example.com:8690');
  });

  it('choosing a team’s hub changes nothing until its address is given, then asks for it and the token', () => {
    const form = formFrom(view());
    form.hub = 'remote';
    expect(isDirty(form, view()), 'no address: what is saved stays').toBe(false);
    expect(validate(form, view())).toEqual({ hubUrl: { key: 'settings.problem.hubUrlNeeded' } });
    form.text.hubUrl = ' https://hub.example.com ';
    expect(isDirty(form, view())).toBe(true);
    expect(validate(form, view())).toEqual({ hubToken: { key: 'settings.problem.hubTokenNeeded' } });
    form.secrets.hubToken = { mode: 'replace', value: 'adp_pasted-token\n' };
    expect(validate(form, view())).toEqual({});
    expect(settingsFrom(form, view()).hubUrl).toBe('https://hub.example.com');
    expect(secretChanges(form, view())).toEqual([{ name: 'hubToken', value: 'adp_pasted-token' }]);
  });

  it('offers to forget the token when going back to this computer’s hub, and sends that only when asked', () => {
    const form = formFrom(remote);
    form.hub = 'embedded';
    expect(secretChanges(form, remote), 'kept unless forgotten').toEqual([]);
    form.secrets.hubToken = { mode: 'forget', value: '' };
    expect(secretChanges(form, remote)).toEqual([{ name: 'hubToken', value: null }]);
    form.hub = 'remote';
    expect(validate(form, remote).hubToken, 'a team’s hub without its token is refused').toEqual({
      key: 'settings.problem.hubTokenNeeded',
    });
  });

  it('does not ask for the IM secret key on a team’s hub (the hub holds the room’s credentials)', () => {
    const withId = view({ settings: { sdkAppId: 1400123456, hubUrl: 'https://hub.example.com' }, secretsSet: ['hubToken'] });
    expect(validate(formFrom(withId), withId)).toEqual({});
    const form = formFrom(withId);
    form.hub = 'embedded';
    expect(validate(form, withId)).toEqual({ imSecretKey: { key: 'settings.problem.secretNeeded' } });
  });

  it('points out an address in clear over the network and a certificate pasted instead of its path', () => {
    const form = formFrom(remote);
    form.text.hubUrl = 'http://hub.example.com:8690';
    form.text.hubCa = '-----BEGIN CERTIFICATE-----';
    expect(validate(form, remote)).toEqual({
      hubUrl: { key: 'settings.problem.hubUrl' },
      hubCa: { key: 'settings.problem.hubCa' },
    });
  });

  it('keeps the hub as the environment sets it: always remote, the token not asked for', () => {
    const env = view({ settings: { hubUrl: 'https://hub.example.com' }, fromEnv: ['hubUrl', 'hubToken'], secretsSet: ['hubToken'] });
    const form = formFrom(env);
    expect(validate(form, env)).toEqual({});
    expect(settingsFrom(form, env).hubUrl).toBe('https://hub.example.com');
    expect(secretChanges(form, env)).toEqual([]);
  });

  it('reads hub addresses as the app does: https:// anywhere, http:// only on this computer', () => {
    for (const good of [
      'https://hub.example.com',
      'https://hub.example.com:8690/team/',
      'wss://hub.example.com',
      'http://127.0.0.1:8690',
      'http://127.0.0.2:8690',
      'http://localhost:8690',
      'http://[::1]:8690',
      'ws://127.0.0.1:8690',
    ]) {
      expect(isHubUrl(good), good).toBe(true);
    }
    for (const bad of [
      '',
      'hub.example.com',
      'http://hub.example.com:8690',
      'http://192.168.1.20:8690',
      'ftp://hub.example.com',
      'https://me:pw@hub.example.com',
      'https://hub.example.com/?x=1',
      'https://hub.example.com/#top',
    ]) {
      expect(isHubUrl(bad), bad).toBe(false);
    }
  });

  it('takes a certificate’s path, not its text', () => {
    expect(isCertificatePath('/home/me/hub.pem')).toBe(true);
    expect(isCertificatePath('C:\\Users\\me\\hub.pem')).toBe(true);
    expect(isCertificatePath('-----BEGIN CERTIFICATE-----')).toBe(false);
    expect(isCertificatePath('/home/me/a.pem\n/home/me/b.pem')).toBe(false);
  });
});
