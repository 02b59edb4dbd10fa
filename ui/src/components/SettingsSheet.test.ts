// @vitest-environment jsdom
// Why: the Settings screen handles the anchor's credentials, so it must never show a stored secret (and
// not even what was just typed, once saved), send a change only for the secrets touched, keep fields an
// environment variable sets read-only with the variable named, point out obvious mistakes next to the
// field before sending anything, show the app's refusal next to Save while keeping what was typed, show
// progress while saving, offer the restart the saved settings need, and ask before closing with
// unsaved changes. The hub is a choice: this computer's own, or a team's, joined by invite (the code
// shown nowhere once spent, the token never).
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeBackend, type FakeOptions } from '../lib/fake-backend';
import { FAKE_HUB_URL } from '../lib/fake-team';
import { locale } from '../lib/locale.svelte';
import { settingsNav, type SettingsSection } from '../lib/settings-nav.svelte';
import { theme } from '../lib/theme.svelte';
import SettingsSheet from './SettingsSheet.svelte';

afterEach(() => {
  cleanup();
  settingsNav.hide();
  settingsNav.section = 'im';
  settingsNav.restartPending = false;
  locale.set('en');
  theme.set(null);
});

const id = <T extends HTMLElement = HTMLElement>(testId: string) => screen.getByTestId(testId) as T;
const maybe = (testId: string) => screen.queryByTestId(testId);
const text = (testId: string) => id(testId).textContent!.replace(/\s+/g, ' ').trim();

async function settle() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  flushSync();
}

async function setup(
  options: FakeOptions['settings'] = {},
  section: SettingsSection = 'im',
  props: { runningMode?: 'sandbox' | 'tencent'; onRestarted?: () => void } = {},
) {
  const backend = new FakeBackend({ settings: options });
  settingsNav.show(section);
  render(SettingsSheet, { props: { backend, ...props } });
  await settle();
  const saves = () => backend.calls.filter((c) => c.method === 'saveSettings').map((c) => c.args);
  return { backend, saves };
}

async function type(testId: string, value: string) {
  const input = id<HTMLInputElement>(testId);
  await fireEvent.input(input, { target: { value } });
  await fireEvent.blur(input);
}

async function save() {
  await fireEvent.click(id('settings-save'));
  await settle();
}

describe('SettingsSheet: secrets are write-only', () => {
  it('says where a stored secret is kept, never its value; Replace asks for a new one and sends only that', async () => {
    const { backend, saves } = await setup({ secrets: ['imSecretKey'], secretStore: 'file' });
    expect(id('secret-imSecretKey').dataset.state).toBe('set');
    expect(text('secret-imSecretKey-status')).toBe('Saved in a file only you can read');
    expect(id('secret-imSecretKey').querySelector('input'), 'no field holds the stored key').toBeNull();
    expect(document.body.innerHTML).not.toContain('stored-imSecretKey');

    await fireEvent.click(id('secret-imSecretKey-replace'));
    const input = id<HTMLInputElement>('secret-imSecretKey-input');
    expect(input.type).toBe('password');
    expect(input.value, 'Replace starts empty').toBe('');
    await fireEvent.input(input, { target: { value: 'new-key-123' } });
    await save();

    expect(saves()).toHaveLength(1);
    expect(saves()[0][1]).toEqual([{ name: 'imSecretKey', value: 'new-key-123' }]);
    expect(backend.savedSettings.storedSecret('imSecretKey')).toBe('new-key-123');
    expect(maybe('secret-imSecretKey-input'), 'after saving, the typed key is gone from the screen').toBeNull();
    expect(document.body.innerHTML).not.toContain('new-key-123');
    expect(text('secret-imSecretKey-status')).toBe('Saved in a file only you can read');
  });

  it('sends nothing for the secrets the anchor did not touch', async () => {
    const { saves } = await setup({ secrets: ['pushKey', 'playKey'] }, 'streaming');
    await type('settings-field-pushDomain', 'push.example.com');
    await save();
    expect(saves()[0][0]).toMatchObject({ pushDomain: 'push.example.com' });
    expect(saves()[0][1]).toEqual([]);
  });

  it('a Replace left empty or cancelled changes nothing', async () => {
    const { saves } = await setup({ secrets: ['pushKey'] }, 'streaming');
    await fireEvent.click(id('secret-pushKey-replace'));
    expect(id<HTMLButtonElement>('settings-save').disabled, 'nothing typed: nothing to save').toBe(true);
    await fireEvent.input(id('secret-pushKey-input'), { target: { value: 'typed' } });
    expect(id<HTMLButtonElement>('settings-save').disabled).toBe(false);
    await fireEvent.click(id('secret-pushKey-cancel'));
    expect(id('secret-pushKey').dataset.state).toBe('set');
    expect(id<HTMLButtonElement>('settings-save').disabled).toBe(true);
    expect(saves()).toEqual([]);
  });

  it('Forget marks the secret until Save (Undo takes it back), then it is not set', async () => {
    const { saves } = await setup({ secrets: ['callbackToken'] }, 'hub');
    await fireEvent.click(id('secret-callbackToken-forget'));
    expect(text('secret-callbackToken-status')).toBe('Will be forgotten when you save');
    await fireEvent.click(id('secret-callbackToken-undo'));
    expect(text('secret-callbackToken-status')).toBe('Saved in the OS keychain');
    await fireEvent.click(id('secret-callbackToken-forget'));
    await save();
    expect(saves()[0][1]).toEqual([{ name: 'callbackToken', value: null }]);
    expect(id('secret-callbackToken').dataset.state).toBe('unset');
    expect(text('secret-callbackToken-status')).toBe('Not set');
    expect(maybe('secret-callbackToken-forget'), 'nothing stored: nothing to forget').toBeNull();
  });
});

describe('SettingsSheet: environment overrides', () => {
  it('shows a field and a secret an environment variable sets as read-only, naming the variable', async () => {
    const { saves } = await setup(
      { settings: { obsUrl: 'ws://10.0.0.5:4455' }, fromEnv: ['obsUrl', 'obsPassword'] },
      'obs',
    );
    const url = id<HTMLInputElement>('settings-field-obsUrl');
    expect(url.value).toBe('ws://10.0.0.5:4455');
    expect(url.readOnly).toBe(true);
    expect(text('settings-env-obsUrl')).toBe('Set by the environment variable ANCHORDESK_OBS_URL: change it there, then restart.');
    expect(id('secret-obsPassword').dataset.state).toBe('env');
    expect(text('secret-obsPassword-env')).toContain('ANCHORDESK_OBS_PASSWORD');
    expect(maybe('secret-obsPassword-replace')).toBeNull();
    expect(maybe('secret-obsPassword-forget')).toBeNull();
    expect(id<HTMLButtonElement>('settings-save').disabled).toBe(true);
    expect(saves()).toEqual([]);
  });

  it('keeps the auto-pause switch and a select read-only when a variable sets them', async () => {
    await setup({ fromEnv: ['autoPause', 'imRegion'], settings: { imRegion: 'tokyo' } }, 'streaming');
    expect(id<HTMLInputElement>('settings-field-autoPause').disabled).toBe(true);
    expect(text('settings-env-autoPause')).toContain('ANCHORDESK_AUTO_PAUSE');
    await fireEvent.click(id('settings-nav-im'));
    expect(id<HTMLSelectElement>('settings-field-imRegion').disabled).toBe(true);
    expect(id<HTMLSelectElement>('settings-field-imRegion').value).toBe('tokyo');
  });
});

describe('SettingsSheet: mistakes', () => {
  it('points out an obvious mistake next to the field once it is left, and sends nothing until fixed', async () => {
    const { saves } = await setup();
    await fireEvent.input(id('settings-field-sdkAppId'), { target: { value: 'abc' } });
    expect(maybe('settings-problem-sdkAppId'), 'not while typing').toBeNull();
    await fireEvent.blur(id('settings-field-sdkAppId'));
    expect(text('settings-problem-sdkAppId')).toBe('Use only the digits of the SDKAppID, e.g. 1400123456.');
    expect(id('settings-field-sdkAppId').getAttribute('aria-invalid')).toBe('true');
    expect(text('secret-imSecretKey-problem')).toBe('An SDKAppID needs its secret key: set it here.');

    await save();
    expect(text('settings-fix-fields')).toBe('Not saved yet: fix the fields marked in red first.');
    expect(maybe('settings-nav-problem-im')).not.toBeNull();
    expect(saves(), 'nothing was sent').toEqual([]);

    await type('settings-field-sdkAppId', '1400123456');
    await fireEvent.click(id('secret-imSecretKey-replace'));
    await fireEvent.input(id('secret-imSecretKey-input'), { target: { value: 'key' } });
    expect(maybe('settings-problem-sdkAppId')).toBeNull();
    expect(maybe('secret-imSecretKey-problem')).toBeNull();
    await save();
    expect(saves()[0][0]).toMatchObject({ sdkAppId: 1400123456 });
    expect(text('settings-mode-saved')).toBe('With the saved settings: Tencent IM');
  });

  it('goes to the section that needs fixing when Save is pressed elsewhere', async () => {
    await setup({}, 'obs');
    await type('settings-field-obsUrl', 'http://127.0.0.1:4455');
    expect(text('settings-problem-obsUrl')).toBe('Use an address starting with ws:// or wss://, e.g. ws://127.0.0.1:4455.');
    await fireEvent.click(id('settings-nav-hub'));
    await type('settings-field-hubListen', 'localhost:8690');
    await fireEvent.click(id('settings-nav-appearance'));
    await save();
    expect(id('settings-sheet').dataset.section, 'the first section with a problem, in order').toBe('hub');
    expect(text('settings-problem-hubListen')).toBe('Use an IP address and a port from 1 to 65535, e.g. 127.0.0.1:8690.');
    expect(maybe('settings-nav-problem-obs')).not.toBeNull();
  });

  it('shows the app’s refusal next to Save and keeps what was typed', async () => {
    const { backend } = await setup({}, 'hub');
    backend.failNext('saveSettings', {
      code: 'invalid',
      message: 'hubListen 10.1.2.3:8690 cannot be used: no network card has that address',
    });
    await type('settings-field-hubListen', '10.1.2.3:8690');
    await save();
    expect(text('settings-save-error')).toBe(
      'Not saved: hubListen 10.1.2.3:8690 cannot be used: no network card has that address. Fix it and save again; your changes are still here.',
    );
    expect(id<HTMLInputElement>('settings-field-hubListen').value).toBe('10.1.2.3:8690');
    expect(id('settings-sheet').dataset.dirty).toBe('true');

    backend.failNext('saveSettings', { code: 'internal', message: 'the settings file could not be written' });
    await save();
    expect(text('settings-save-error')).toBe(
      'Could not save: the settings file could not be written. Your changes are still here; try again.',
    );
    await save();
    expect(maybe('settings-save-error')).toBeNull();
    expect(text('settings-saved')).toBe('Saved');
    expect((await backend.settings()).settings.hubListen).toBe('10.1.2.3:8690');
  });
});

describe('SettingsSheet: saving and restarting', () => {
  it('shows progress while saving, then the restart banner; Restart restarts and the banner goes', async () => {
    const onRestarted = vi.fn();
    const { backend } = await setup({}, 'obs', { runningMode: 'sandbox', onRestarted });
    expect(maybe('settings-restart-banner')).toBeNull();
    const release = backend.holdNext('saveSettings');
    await type('settings-field-obsUrl', 'ws://192.168.1.20:4455');
    await fireEvent.click(id('settings-save'));
    await settle();
    const button = id<HTMLButtonElement>('settings-save');
    expect(button.dataset.saving).toBe('true');
    expect(button.disabled).toBe(true);
    expect(button.textContent).toContain('Saving…');
    release();
    await settle();
    expect(id('settings-save').dataset.saving).toBe('false');
    expect(text('settings-saved')).toBe('Saved');
    expect(text('settings-restart-banner')).toContain('Restart to apply');
    expect(settingsNav.restartPending).toBe(true);

    await fireEvent.click(id('settings-restart'));
    await settle();
    expect(backend.calls.some((c) => c.method === 'restart')).toBe(true);
    await waitFor(() => expect(maybe('settings-restart-banner')).toBeNull());
    expect(settingsNav.restartPending).toBe(false);
    expect(onRestarted).toHaveBeenCalledOnce();
  });

  it('will not restart over unsaved changes, and shows a failed restart', async () => {
    const { backend } = await setup({}, 'obs');
    await type('settings-field-obsUrl', 'ws://192.168.1.20:4455');
    await save();
    await type('settings-field-obsUrl', 'ws://192.168.1.21:4455');
    expect(id<HTMLButtonElement>('settings-restart').disabled).toBe(true);
    expect(text('settings-restart-save-first')).toBe('Save or discard your changes first.');
    await type('settings-field-obsUrl', 'ws://192.168.1.20:4455');
    backend.failNext('restart', { code: 'internal', message: 'the new process did not start' });
    await fireEvent.click(id('settings-restart'));
    await settle();
    expect(text('settings-restart-error')).toBe('Could not restart: the new process did not start');
  });

  it('says what runs now and what the saved settings run', async () => {
    await setup({}, 'im', { runningMode: 'sandbox' });
    expect(text('settings-mode-now')).toBe('Running now: Sandbox');
    expect(text('settings-mode-saved')).toBe('With the saved settings: Sandbox');
    await fireEvent.click(id('settings-nav-hub'));
    expect(id('settings-hub-mode').dataset.hubMode).toBe('embedded');
    expect(id<HTMLInputElement>('settings-hub-embedded').checked, 'nothing saved: this computer’s own hub').toBe(true);
    expect(id<HTMLInputElement>('settings-hub-remote').checked).toBe(false);
    expect(text('settings-hub-mode')).toContain('Run this room’s hub on this computer (owner)');
    expect(text('settings-hub-mode')).toContain('Connect to a team’s hub (moderator / viewer)');
  });
});

describe('SettingsSheet: closing', () => {
  it('closes at once without changes; with changes it asks, and Keep editing keeps them', async () => {
    await setup({}, 'obs');
    await fireEvent.click(id('settings-close'));
    expect(settingsNav.open).toBe(false);

    settingsNav.show('obs');
    await type('settings-field-obsUrl', 'ws://10.0.0.9:4455');
    await fireEvent.click(id('settings-close'));
    expect(settingsNav.open).toBe(true);
    expect(text('settings-discard-confirm')).toContain('You have unsaved changes. Discard them?');
    expect(document.activeElement).toBe(id('settings-keep-editing'));
    await fireEvent.click(id('settings-keep-editing'));
    expect(maybe('settings-discard-confirm')).toBeNull();
    expect(id<HTMLInputElement>('settings-field-obsUrl').value).toBe('ws://10.0.0.9:4455');

    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(maybe('settings-discard-confirm')).not.toBeNull();
    await fireEvent.click(id('settings-discard'));
    expect(settingsNav.open).toBe(false);
  });
});

describe('SettingsSheet: loading', () => {
  it('says when the settings cannot be loaded, and retries', async () => {
    const backend = new FakeBackend();
    backend.failNext('settings', { code: 'internal', message: 'settings.json is not valid JSON' });
    settingsNav.show('im');
    render(SettingsSheet, { props: { backend } });
    await settle();
    expect(text('settings-load-error')).toBe('Could not load the settings: settings.json is not valid JSON');
    await fireEvent.click(id('settings-load-retry'));
    await settle();
    expect(maybe('settings-load-error')).toBeNull();
    expect(id('settings-field-sdkAppId')).toBeTruthy();
  });
});

describe('SettingsSheet: appearance', () => {
  it('switches the language (the header’s store) and the theme, including back to the system’s', async () => {
    await setup({}, 'appearance');
    await fireEvent.change(id('settings-language'), { target: { value: 'ja' } });
    expect(locale.lang).toBe('ja');
    expect(text('settings-save')).toBe('保存');
    await fireEvent.click(id('settings-theme-dark'));
    expect(theme.choice).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    await fireEvent.click(id('settings-theme-system'));
    expect(theme.choice).toBeNull();
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });
});

describe('SettingsSheet: a team’s hub, joined by invite', () => {
  /** Every text the sheet holds, input values included. */
  const everything = () =>
    `${document.body.innerHTML}\n${[...document.querySelectorAll('input')].map((i) => i.value).join('\n')}`;
  const joins = (backend: FakeBackend) => backend.calls.filter((c) => c.method === 'joinHub');

  async function join() {
    await fireEvent.submit(id('hub-join'));
    await settle();
  }

  it('joins with a pasted link: it fills the address and the code, Join saves the hub, and the restart connects', async () => {
    const { backend } = await setup({}, 'hub');
    const invite = backend.hubTeam.invite('moderator', 'mod_kim', 3600, FAKE_HUB_URL);
    expect(maybe('hub-join'), 'joining belongs to a team’s hub').toBeNull();
    await fireEvent.click(id('settings-hub-remote'));
    expect(id('settings-hub-mode').dataset.hubMode).toBe('remote');
    expect(id<HTMLButtonElement>('settings-save').disabled, 'choosing alone changes nothing saved').toBe(true);

    await fireEvent.input(id('hub-join-link'), { target: { value: ` ${invite.link} ` } });
    expect(id<HTMLInputElement>('hub-join-url').value).toBe(FAKE_HUB_URL);
    expect(id<HTMLInputElement>('hub-join-code').value).toBe(invite.code);
    await join();

    expect(joins(backend).map((c) => c.args)).toEqual([[FAKE_HUB_URL, invite.code, null, null]]);
    expect(text('hub-join-done')).toBe('Joined as mod_kim (Moderator). Restart to connect.');
    expect(id('hub-join-done').dataset.role).toBe('moderator');
    expect(everything(), 'the spent code is shown nowhere').not.toContain(invite.code);
    expect(everything(), 'nor the token').not.toContain(backend.savedSettings.storedSecret('hubToken')!);
    expect(id<HTMLInputElement>('settings-field-hubUrl').value).toBe(FAKE_HUB_URL);
    expect(id('secret-hubToken').dataset.state).toBe('set');
    expect(id('settings-sheet').dataset.dirty, 'the form is what was saved').toBe('false');

    await fireEvent.click(id('settings-restart'));
    await settle();
    expect(maybe('settings-restart-banner')).toBeNull();
    expect((await backend.appInfo()).mode, 'the restarted console is the team hub’s').toBe('remote');
    expect(maybe('hub-join-done'), 'restarted: nothing left to do').toBeNull();
    await fireEvent.click(id('settings-nav-im'));
    expect(text('settings-mode-saved')).toBe('With the saved settings: Team hub');
    expect(maybe('settings-mode-remote-note')).not.toBeNull();
  });

  it('says what is wrong with a pasted text or the fields before sending anything', async () => {
    const { backend } = await setup({}, 'hub');
    await fireEvent.click(id('settings-hub-remote'));
    await fireEvent.input(id('hub-join-link'), { target: { value: 'https://hub.example.com:8690' } });
    expect(text('settings-problem-hub-join-link')).toBe('This is not an invite link: an invite link starts with anchordesk://join?');
    expect(id('hub-join-link').getAttribute('aria-invalid')).toBe('true');
    await fireEvent.input(id('hub-join-link'), { target: { value: 'anchordesk://join?hub=https://hub.example.com' } });
    expect(text('settings-problem-hub-join-link')).toBe('The link has no invite code: copy the whole link.');

    await type('hub-join-url', 'http://hub.example.com:8690');
    await type('hub-join-name', 'owner');
    await join();
    expect(text('settings-problem-hub-join-url')).toMatch(/^Use https:\/\//);
    expect(text('settings-problem-hub-join-code')).toBe('Give the invite code (it is in the invite link).');
    expect(text('settings-problem-hub-join-name')).toBe('The hub keeps this name for itself: choose another.');
    expect(joins(backend), 'nothing sent').toEqual([]);
  });

  it('shows the hub’s refusal in its words and saves nothing; a certificate not trusted says what to do', async () => {
    const { backend } = await setup({}, 'hub');
    const invite = backend.hubTeam.invite('viewer', 'producer', 3600, FAKE_HUB_URL);
    backend.hubTeam.redeem(invite.code, null);
    await fireEvent.click(id('settings-hub-remote'));
    await type('hub-join-url', FAKE_HUB_URL);
    await type('hub-join-code', invite.code);
    await join();
    expect(text('hub-join-error')).toBe('Not joined: this invite has already been used; ask the owner for a new one');
    expect(id('hub-join-error').dataset.code).toBe('forbidden');
    expect(maybe('hub-join-done')).toBeNull();
    expect((await backend.settings()).settings.hubUrl, 'nothing saved').toBeNull();
    expect(maybe('settings-restart-banner')).toBeNull();

    const untrusted = "the hub's certificate is not trusted (UnknownIssuer): if the hub uses a self-signed certificate, give its PEM file as hubCa (ANCHORDESK_HUB_CA); if not, someone may be in between — check the address";
    backend.failNext('joinHub', { code: 'offline', message: untrusted });
    await type('hub-join-url', 'https://hub.example.com:8690');
    await join();
    expect(text('hub-join-error')).toBe(`Not joined: ${untrusted}`);
  });

  it('waits for unsaved changes to be saved or discarded first', async () => {
    const { backend, saves } = await setup({}, 'hub');
    await fireEvent.click(id('settings-hub-remote'));
    expect(maybe('hub-join-blocked')).toBeNull();
    await type('settings-field-hubUrl', 'https://hub.example.com');
    expect(text('hub-join-blocked')).toBe('Save or discard your changes first.');
    expect(id('hub-join-submit').closest('fieldset')!.disabled).toBe(true);
    await join();
    expect(joins(backend)).toEqual([]);
    await save();
    expect(saves(), 'a team’s hub without its token is not saved').toEqual([]);
    expect(text('secret-hubToken-problem')).toBe(
      'A team’s hub needs this console’s token: join by invite below, or set the token.',
    );
  });

  it('keeps a hub the environment sets: the choice, the address and joining are read-only, naming the variable', async () => {
    await setup({ settings: { hubUrl: 'https://hub.example.com' }, fromEnv: ['hubUrl', 'hubToken'] }, 'hub');
    expect(id<HTMLInputElement>('settings-hub-remote').checked).toBe(true);
    expect(id<HTMLInputElement>('settings-hub-embedded').disabled).toBe(true);
    expect(text('settings-env-hubChoice')).toContain('ANCHORDESK_HUB_URL');
    expect(id<HTMLInputElement>('settings-field-hubUrl').readOnly).toBe(true);
    expect(id('secret-hubToken').dataset.state).toBe('env');
    expect(text('hub-join-blocked')).toBe(
      'The environment sets this console’s hub (ANCHORDESK_HUB_URL, ANCHORDESK_HUB_TOKEN): change it there, then restart.',
    );
  });

  it('going back to this computer’s hub clears the hub’s address, and offers to forget the token', async () => {
    const { saves } = await setup({ settings: { hubUrl: FAKE_HUB_URL, hubCa: null }, secrets: ['hubToken'] }, 'hub');
    expect(id<HTMLInputElement>('settings-hub-remote').checked).toBe(true);
    await fireEvent.click(id('settings-hub-embedded'));
    expect(text('settings-hub-team-note')).toContain('Team set-up');
    expect(maybe('settings-field-hubListen')).not.toBeNull();
    expect(id('settings-sheet').dataset.dirty).toBe('true');
    await fireEvent.click(id('secret-hubToken-forget'));
    await save();
    expect(saves()[0][0]).toMatchObject({ hubUrl: null, hubCa: null });
    expect(saves()[0][1]).toEqual([{ name: 'hubToken', value: null }]);
    await fireEvent.click(id('settings-nav-im'));
    expect(text('settings-mode-saved')).toBe('With the saved settings: Sandbox');
  });
});
