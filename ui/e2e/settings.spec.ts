// Why: the Settings sheet as the anchor uses it — opened from the header's gear and from "could not
// open the room" (a wrong credential is the usual reason, and the settings load even then); every
// section; loading, a failed load with Try again, saving, saved, a refusal; secrets write-only (a
// stored value never reaches the page, a typed one only a password box, and only until Save); fields an
// environment variable sets read-only; mistakes named next to their field before anything is sent; a
// refusal that keeps what was typed; the restart banner; the unsaved-changes question on closing; and
// the hub as a choice: this computer's own, or a team's, joined with the owner's invite link.
import { expect, test, type Page } from '@playwright/test';
import { CATALOGUES } from '../src/lib/i18n';
import type { Invite, SecretChange, Settings } from '../src/lib/bindings';
import { callCount, callsOf, failNext, holdNext, openConsole, release } from './support';

/** Opens the sheet from the header's gear and waits until the settings are in. */
async function openSettings(page: Page) {
  await page.getByTestId('settings-open').click();
  const sheet = page.getByTestId('settings-sheet');
  await expect(sheet).toBeVisible();
  return sheet;
}

async function section(page: Page, id: 'im' | 'hub' | 'streaming' | 'obs' | 'alerts' | 'appearance') {
  await page.getByTestId(`settings-nav-${id}`).click();
  await expect(page.getByTestId('settings-sheet')).toHaveAttribute('data-section', id);
  await expect(page.getByTestId(`settings-nav-${id}`)).toHaveAttribute('aria-current', 'page');
  return page.getByTestId(`settings-section-${id}`);
}

/** Every text the page holds, shown or not: input values and attributes included. */
const everything = (page: Page) =>
  page.evaluate(() => {
    const values = [...document.querySelectorAll('input, textarea, select')].map((el) => (el as HTMLInputElement).value);
    return `${document.documentElement.outerHTML}\n${values.join('\n')}`;
  });

const savedCalls = async (page: Page) => (await callsOf(page, 'saveSettings')) as Array<[Settings, SecretChange[]]>;

test('the gear opens it at Tencent IM, saying so while the settings load; every section has its fields', async ({ page }) => {
  await openConsole(page);
  await expect(page.getByTestId('settings-open')).toHaveAttribute('data-restart-pending', 'false');
  await holdNext(page, 'settings');
  const sheet = await openSettings(page);
  await expect(sheet).toHaveAttribute('data-section', 'im');
  await expect(sheet.getByTestId('settings-loading')).toHaveText('Loading the settings…');
  await expect(sheet.getByTestId('settings-save')).toBeDisabled();
  await release(page, 'settings');
  await expect(sheet.getByTestId('settings-loading')).toHaveCount(0);

  // Nothing saved: the sandbox, now and after a restart; empty fields show the defaults as examples.
  const mode = sheet.getByTestId('settings-mode');
  await expect(mode).toHaveAttribute('data-mode', 'sandbox');
  await expect(mode).toHaveAttribute('data-running', 'sandbox');
  await expect(sheet.getByTestId('settings-mode-saved')).toHaveText('With the saved settings: Sandbox');
  await expect(sheet.getByTestId('settings-field-sdkAppId')).toHaveValue('');
  await expect(sheet.getByTestId('settings-field-imAdmin')).toHaveAttribute('placeholder', 'administrator');
  await expect(sheet.getByTestId('settings-field-imRegion')).toHaveValue('');
  await expect(sheet.getByTestId('secret-imSecretKey')).toHaveAttribute('data-state', 'unset');
  await expect(sheet.getByTestId('secret-imSecretKey-status')).toHaveText('Not set');

  const hub = await section(page, 'hub');
  await expect(hub.getByTestId('settings-hub-mode')).toHaveAttribute('data-hub-mode', 'embedded');
  await expect(hub.getByTestId('settings-field-hubListen')).toBeVisible();
  await expect(hub.getByTestId('secret-callbackToken')).toBeVisible();
  await expect(hub.getByTestId('secret-apiToken')).toBeVisible();

  const streaming = await section(page, 'streaming');
  for (const field of ['pushDomain', 'pushApp', 'streamName', 'pushValidFor', 'playDomain', 'cssSecretId', 'cssRegion']) {
    await expect(streaming.getByTestId(`settings-field-${field}`)).toBeVisible();
  }
  for (const secret of ['pushKey', 'pushBackupKey', 'playKey', 'cssSecretKey']) {
    await expect(streaming.getByTestId(`secret-${secret}`)).toBeVisible();
  }
  await expect(streaming.getByTestId('settings-field-autoPause')).toBeChecked();

  const obs = await section(page, 'obs');
  await expect(obs.getByTestId('settings-field-obsUrl')).toHaveAttribute('placeholder', 'ws://127.0.0.1:4455');
  await expect(obs.getByTestId('secret-obsPassword')).toBeVisible();

  const alerts = await section(page, 'alerts');
  await expect(alerts.getByTestId('alert-settings')).toBeVisible();

  // Appearance is this computer's and applies at once: the sheet speaks the new language straight away.
  const appearance = await section(page, 'appearance');
  await appearance.getByTestId('settings-theme-dark').check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await appearance.getByTestId('settings-language').selectOption('ja');
  await expect(page.locator('#settings-title')).toHaveText(CATALOGUES.ja['settings.title']);
  await expect(page.getByTestId('tab-held')).toContainText(CATALOGUES.ja['tabs.held']);
  await appearance.getByTestId('settings-theme-system').check();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.+/);
  // None of that is the app's settings: nothing to save, and it closes without asking.
  await expect(sheet.getByTestId('settings-save')).toBeDisabled();
  await page.keyboard.press('Escape');
  await expect(sheet).toHaveCount(0);
  expect(await callCount(page, 'saveSettings')).toBe(0);

  // It opens again where it was.
  await page.getByTestId('settings-open').click();
  await expect(page.getByTestId('settings-sheet')).toHaveAttribute('data-section', 'appearance');
});

test('a failed load says why, and Try again loads them', async ({ page }) => {
  await openConsole(page);
  await failNext(page, 'settings', { code: 'internal', message: 'settings.json is not readable: permission denied' });
  const sheet = await openSettings(page);
  await expect(sheet.getByTestId('settings-load-error')).toHaveText(
    'Could not load the settings: settings.json is not readable: permission denied',
  );
  await expect(sheet.getByTestId('settings-field-sdkAppId')).toHaveCount(0);
  await sheet.getByTestId('settings-load-retry').click();
  await expect(sheet.getByTestId('settings-field-sdkAppId')).toBeVisible();
  await expect(sheet.getByTestId('settings-load-error')).toHaveCount(0);
});

test('"could not open the room" offers the settings, which load although the room did not', async ({ page }) => {
  const authExpired = { code: 'authExpired' as const, message: 'Tencent refused the signature (70001): check the secret key' };
  await openConsole(page, { fail: [{ method: 'subscribe', error: authExpired }], connected: false });
  const overlay = page.getByTestId('connection-overlay');
  await expect(overlay).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('connection-settings-hint')).toHaveText(
    'A wrong credential is the usual reason. Check the settings, then restart.',
  );
  await page.getByTestId('connection-settings').click();
  const sheet = page.getByTestId('settings-sheet');
  await expect(sheet).toHaveAttribute('data-section', 'im');
  await expect(sheet.getByTestId('secret-imSecretKey')).toBeVisible();
  await expect(sheet.getByTestId('settings-mode')).toHaveAttribute('data-mode', 'sandbox');
  // Closing it leaves the room's error where it was, Retry and all.
  await sheet.getByTestId('settings-close').click();
  await expect(sheet).toHaveCount(0);
  await expect(page.getByTestId('connection-error')).toHaveText(authExpired.message);
});

test('secrets are write-only: a stored one shows only where it is kept; a new one is stored on Save and never shown', async ({ page }) => {
  await openConsole(page, { options: { settings: { secrets: ['imSecretKey', 'pushKey'] } } });
  const sheet = await openSettings(page);
  const key = sheet.getByTestId('secret-imSecretKey');
  await expect(key).toHaveAttribute('data-state', 'set');
  await expect(sheet.getByTestId('secret-imSecretKey-status')).toHaveText('Saved in the OS keychain');
  await expect(key.locator('input')).toHaveCount(0);

  // Replace: an empty password box; Cancel takes it back; typing nothing changes nothing.
  await sheet.getByTestId('secret-imSecretKey-replace').click();
  const input = sheet.getByTestId('secret-imSecretKey-input');
  await expect(input).toBeFocused();
  await expect(input).toHaveValue('');
  await expect(input).toHaveAttribute('type', 'password');
  await expect(sheet.getByTestId('settings-save')).toBeDisabled();
  await sheet.getByTestId('secret-imSecretKey-cancel').click();
  await expect(key).toHaveAttribute('data-state', 'set');
  await sheet.getByTestId('secret-imSecretKey-replace').click();
  const typed = 'Zq7NEWSECRETv41ue9';
  await input.fill(`${typed} `);
  await expect(sheet.getByTestId('settings-unsaved')).toHaveText('Unsaved changes');

  // Forget the push key, think again (Undo), then forget it after all.
  const push = await section(page, 'streaming');
  await push.getByTestId('secret-pushKey-forget').click();
  await expect(push.getByTestId('secret-pushKey-status')).toHaveText('Will be forgotten when you save');
  await push.getByTestId('secret-pushKey-undo').click();
  await expect(push.getByTestId('secret-pushKey')).toHaveAttribute('data-state', 'set');
  await push.getByTestId('secret-pushKey-forget').click();

  await sheet.getByTestId('settings-save').click();
  await expect(sheet.getByTestId('settings-saved')).toBeVisible();
  // Only the secrets touched were sent (the space a paste brought along trimmed); the settings went back as they were.
  const [[settings, secrets]] = await savedCalls(page);
  expect(secrets).toEqual([
    { name: 'imSecretKey', value: typed },
    { name: 'pushKey', value: null },
  ]);
  expect(settings.sdkAppId).toBeNull();
  await expect(push.getByTestId('secret-pushKey')).toHaveAttribute('data-state', 'unset');
  await section(page, 'im');
  await expect(key).toHaveAttribute('data-state', 'set');
  await expect(key.locator('input')).toHaveCount(0);
  // Stored — and nowhere on the page, nor the values stored before.
  expect(await page.evaluate(() => window.__anchordeskFake.savedSettings.storedSecret('imSecretKey'))).toBe(typed);
  const page_ = await everything(page);
  expect(page_).not.toContain(typed);
  expect(page_).not.toContain('stored-pushKey');
  expect(page_).not.toContain('stored-imSecretKey');
});

test('what an environment variable sets is read-only and names the variable; the rest still saves', async ({ page }) => {
  await openConsole(page, {
    options: {
      settings: {
        settings: { sdkAppId: 1400000001, obsUrl: 'ws://10.0.0.5:4455', autoPause: false },
        fromEnv: ['sdkAppId', 'imSecretKey', 'obsUrl', 'autoPause'],
        secrets: ['obsPassword'],
        secretStore: 'file',
      },
    },
  });
  const sheet = await openSettings(page);
  // The SDKAppID and its key come from the environment: Tencent mode after a restart.
  await expect(sheet.getByTestId('settings-mode')).toHaveAttribute('data-mode', 'tencent');
  const sdkAppId = sheet.getByTestId('settings-field-sdkAppId');
  await expect(sdkAppId).toHaveValue('1400000001');
  await expect(sdkAppId).not.toBeEditable();
  await expect(sheet.getByTestId('settings-row-sdkAppId')).toHaveAttribute('data-env', 'true');
  await expect(sheet.getByTestId('settings-env-sdkAppId')).toHaveText(
    'Set by the environment variable ANCHORDESK_SDKAPPID: change it there, then restart.',
  );
  await expect(sheet.getByTestId('secret-imSecretKey')).toHaveAttribute('data-state', 'env');
  await expect(sheet.getByTestId('secret-imSecretKey-env')).toContainText('ANCHORDESK_IM_SECRET_KEY');
  await expect(sheet.getByTestId('secret-imSecretKey-replace')).toHaveCount(0);
  await expect(sheet.getByTestId('settings-field-imAdmin')).toBeEditable();

  const streaming = await section(page, 'streaming');
  await expect(streaming.getByTestId('settings-field-autoPause')).toBeDisabled();
  await expect(streaming.getByTestId('settings-field-autoPause')).not.toBeChecked();
  await expect(streaming.getByTestId('settings-env-autoPause')).toContainText('ANCHORDESK_AUTO_PAUSE');

  const obs = await section(page, 'obs');
  await expect(obs.getByTestId('settings-field-obsUrl')).not.toBeEditable();
  await expect(obs.getByTestId('settings-field-obsUrl')).toHaveValue('ws://10.0.0.5:4455');
  // A secret kept in a file when there is no keychain.
  await expect(obs.getByTestId('secret-obsPassword-status')).toHaveText('Saved in a file only you can read');

  await section(page, 'im');
  await sheet.getByTestId('settings-field-imAdmin').fill('desk_admin');
  await sheet.getByTestId('settings-save').click();
  await expect(sheet.getByTestId('settings-saved')).toBeVisible();
  const [[settings, secrets]] = await savedCalls(page);
  // The variables' values go back exactly as the app gave them (the app refuses a change there).
  expect(settings).toMatchObject({ sdkAppId: 1400000001, obsUrl: 'ws://10.0.0.5:4455', autoPause: false, imAdmin: 'desk_admin' });
  expect(secrets).toEqual([]);
});

test('mistakes are named next to their field before anything is sent; Save goes to the first section to fix', async ({ page }) => {
  await openConsole(page);
  const sheet = await openSettings(page);
  const sdkAppId = sheet.getByTestId('settings-field-sdkAppId');
  await sdkAppId.fill('14OO123456');
  // Nothing said while typing; leaving the field names the problem — and the key it now needs.
  await expect(sheet.getByTestId('settings-problem-sdkAppId')).toHaveCount(0);
  await sdkAppId.press('Tab');
  await expect(sheet.getByTestId('settings-problem-sdkAppId')).toHaveText('Use only the digits of the SDKAppID, e.g. 1400123456.');
  await expect(sheet.getByTestId('settings-row-sdkAppId')).toHaveAttribute('data-invalid', 'true');
  await expect(sdkAppId).toHaveAttribute('aria-invalid', 'true');
  await expect(sheet.getByTestId('secret-imSecretKey-problem')).toHaveText('An SDKAppID needs its secret key: set it here.');

  const obs = await section(page, 'obs');
  await obs.getByTestId('settings-field-obsUrl').fill('http://127.0.0.1:4455');
  const streaming = await section(page, 'streaming');
  await streaming.getByTestId('settings-field-pushValidFor').fill('1 day');

  await sheet.getByTestId('settings-save').click();
  await expect(sheet.getByTestId('settings-fix-fields')).toHaveText('Not saved yet: fix the fields marked in red first.');
  await expect(sheet).toHaveAttribute('data-section', 'im');
  for (const id of ['im', 'streaming', 'obs']) await expect(sheet.getByTestId(`settings-nav-problem-${id}`)).toBeVisible();
  await expect(sheet.getByTestId('settings-nav-problem-hub')).toHaveCount(0);
  expect(await callCount(page, 'saveSettings')).toBe(0);
  await section(page, 'obs');
  await expect(sheet.getByTestId('settings-problem-obsUrl')).toHaveText(
    'Use an address starting with ws:// or wss://, e.g. ws://127.0.0.1:4455.',
  );
  await section(page, 'streaming');
  await expect(sheet.getByTestId('settings-problem-pushValidFor')).toHaveText('Use a number and a unit: 90s, 30m, 24h or 7d.');

  // Fix them one by one: each problem goes as its field is right.
  await sheet.getByTestId('settings-field-pushValidFor').fill('24h');
  await expect(sheet.getByTestId('settings-problem-pushValidFor')).toHaveCount(0);
  await expect(sheet.getByTestId('settings-nav-problem-streaming')).toHaveCount(0);
  await section(page, 'obs');
  await sheet.getByTestId('settings-field-obsUrl').fill('ws://127.0.0.1:4455');
  await section(page, 'im');
  await sdkAppId.fill('1400123456');
  await expect(sheet.getByTestId('settings-problem-sdkAppId')).toHaveCount(0);
  await sheet.getByTestId('secret-imSecretKey-replace').click();
  await sheet.getByTestId('secret-imSecretKey-input').fill('abc def');
  await expect(sheet.getByTestId('secret-imSecretKey-problem')).toHaveText('Keys contain no spaces: check what you pasted.');
  await sheet.getByTestId('secret-imSecretKey-input').fill('abcdef0123456789');
  await expect(sheet.getByTestId('secret-imSecretKey-problem')).toHaveCount(0);

  await sheet.getByTestId('settings-save').click();
  await expect(sheet.getByTestId('settings-saved')).toHaveText('Saved');
  const [[settings]] = await savedCalls(page);
  expect(settings).toMatchObject({ sdkAppId: 1400123456, obsUrl: 'ws://127.0.0.1:4455', pushValidFor: '24h' });
  await expect(sheet.getByTestId('settings-mode')).toHaveAttribute('data-mode', 'tencent');
});

test('a refused save says why in its own words and keeps everything typed; Save shows progress', async ({ page }) => {
  await openConsole(page);
  const sheet = await openSettings(page);
  await sheet.getByTestId('settings-field-roomName').fill('周五晚间歌会');
  await section(page, 'hub');
  await sheet.getByTestId('settings-field-hubListen').fill('127.0.0.1:8691');
  await sheet.getByTestId('secret-apiToken-replace').click();
  await sheet.getByTestId('secret-apiToken-input').fill('team-token-2024');

  await failNext(page, 'saveSettings', { code: 'invalid', message: 'hubListen 127.0.0.1:8691 is in use by another program: choose another port' });
  await sheet.getByTestId('settings-save').click();
  const error = sheet.getByTestId('settings-save-error');
  await expect(error).toHaveAttribute('data-code', 'invalid');
  await expect(error).toHaveText(
    'Not saved: hubListen 127.0.0.1:8691 is in use by another program: choose another port. Fix it and save again; your changes are still here.',
  );
  await expect(sheet.getByTestId('settings-field-hubListen')).toHaveValue('127.0.0.1:8691');
  await expect(sheet.getByTestId('secret-apiToken-input')).toHaveValue('team-token-2024');
  await expect(sheet).toHaveAttribute('data-dirty', 'true');
  await expect(page.getByTestId('settings-restart-banner')).toHaveCount(0);

  // Another kind of failure reads differently; the form is still all there.
  await sheet.getByTestId('settings-field-hubListen').fill('127.0.0.1:8692');
  await failNext(page, 'saveSettings', { code: 'internal', message: 'the data folder is read-only' });
  await sheet.getByTestId('settings-save').click();
  await expect(error).toHaveText('Could not save: the data folder is read-only. Your changes are still here; try again.');
  await section(page, 'im');
  await expect(sheet.getByTestId('settings-field-roomName')).toHaveValue('周五晚间歌会');

  // Saving: the button says so and the form holds still until the app answers.
  await holdNext(page, 'saveSettings');
  await sheet.getByTestId('settings-save').click();
  await expect(sheet.getByTestId('settings-save')).toHaveText('Saving…');
  await expect(sheet.getByTestId('settings-save')).toHaveAttribute('aria-busy', 'true');
  await expect(sheet.getByTestId('settings-field-roomName')).toBeDisabled();
  await release(page, 'saveSettings');
  await expect(sheet.getByTestId('settings-saved')).toBeVisible();
  await expect(error).toHaveCount(0);
  await expect(sheet).toHaveAttribute('data-dirty', 'false');
  const calls = await savedCalls(page);
  expect(calls).toHaveLength(3);
  expect(calls[2][0]).toMatchObject({ roomName: '周五晚间歌会', hubListen: '127.0.0.1:8692' });
  expect(calls[2][1]).toEqual([{ name: 'apiToken', value: 'team-token-2024' }]);
});

test('saved settings wait for a restart: the banner and the gear say so, and Restart now applies them', async ({ page }) => {
  await openConsole(page, { options: { settings: { secrets: ['imSecretKey'] } } });
  await expect(page.getByTestId('mode-badge')).toHaveText('Sandbox');
  const sheet = await openSettings(page);
  await expect(page.getByTestId('settings-restart-banner')).toHaveCount(0);
  await sheet.getByTestId('settings-field-sdkAppId').fill('1400123456');
  await sheet.getByTestId('settings-save').click();
  const banner = page.getByTestId('settings-restart-banner');
  await expect(banner).toContainText('Restart to apply: the saved settings take effect when AnchorDesk restarts.');
  await expect(sheet.getByTestId('settings-saved')).toHaveText('Saved');
  await expect(page.getByTestId('settings-open')).toHaveAttribute('data-restart-pending', 'true');
  await expect(sheet.getByTestId('settings-mode-now')).toHaveText('Running now: Sandbox');
  await expect(sheet.getByTestId('settings-mode-saved')).toHaveText('With the saved settings: Tencent IM');

  // Not with unsaved changes in the form: those would be lost.
  await sheet.getByTestId('settings-field-imAdmin').fill('ops');
  await expect(sheet.getByTestId('settings-restart')).toBeDisabled();
  await expect(sheet.getByTestId('settings-restart-save-first')).toHaveText('Save or discard your changes first.');
  await sheet.getByTestId('settings-field-imAdmin').fill('');
  await expect(sheet.getByTestId('settings-restart')).toBeEnabled();

  // A restart that fails says why and keeps the banner.
  await failNext(page, 'restart', { code: 'internal', message: 'the new process did not start' });
  await sheet.getByTestId('settings-restart').click();
  await expect(sheet.getByTestId('settings-restart-error')).toHaveText('Could not restart: the new process did not start');
  await expect(banner).toBeVisible();

  await holdNext(page, 'restart');
  await sheet.getByTestId('settings-restart').click();
  await expect(sheet.getByTestId('settings-restart')).toHaveText('Restarting…');
  await release(page, 'restart');
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId('settings-open')).toHaveAttribute('data-restart-pending', 'false');
  // What was saved runs now: the header and the sheet agree, and the room came back.
  await expect(page.getByTestId('mode-badge')).toHaveText('Tencent IM');
  await expect(sheet.getByTestId('settings-mode')).toHaveAttribute('data-running', 'tencent');
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
});

test('closing with unsaved changes asks first: keep editing, or discard them', async ({ page }) => {
  await openConsole(page, { options: { settings: { settings: { roomName: 'Friday night' } } } });
  const sheet = await openSettings(page);
  const roomName = sheet.getByTestId('settings-field-roomName');
  await expect(roomName).toHaveValue('Friday night');
  await roomName.fill('Saturday night');
  await expect(sheet).toHaveAttribute('data-dirty', 'true');

  await sheet.getByTestId('settings-close').click();
  const confirm = sheet.getByTestId('settings-discard-confirm');
  await expect(confirm).toContainText('You have unsaved changes. Discard them?');
  await expect(sheet.getByTestId('settings-keep-editing')).toBeFocused();
  await sheet.getByTestId('settings-keep-editing').click();
  await expect(confirm).toHaveCount(0);
  await expect(roomName).toHaveValue('Saturday night');

  // Escape asks too; Escape again takes the question back, the sheet stays.
  await roomName.press('Escape');
  await expect(confirm).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  await expect(sheet).toBeVisible();

  // Typing it back as it was is no change: it closes without asking.
  await roomName.fill('Friday night');
  await expect(sheet).toHaveAttribute('data-dirty', 'false');
  await roomName.fill('Sunday');
  await sheet.getByTestId('settings-close').click();
  await sheet.getByTestId('settings-discard').click();
  await expect(sheet).toHaveCount(0);
  expect(await callCount(page, 'saveSettings')).toBe(0);
  // Discarded: the stored value is back.
  await openSettings(page);
  await expect(page.getByTestId('settings-field-roomName')).toHaveValue('Friday night');
  await page.getByTestId('settings-close').click();
  await expect(page.getByTestId('settings-sheet')).toHaveCount(0);
});

/** The fake's own hub invites `name` as a moderator, as the owner's Team tab would. */
async function invite(page: Page, name: string): Promise<Invite> {
  return page.evaluate((n) => window.__anchordeskFake.hubTeam.invite('moderator', n, 3600, 'http://127.0.0.1:8690'), name);
}

test('joining a team’s hub: the invite link fills it in, Join saves it, and after the restart this console is the hub’s', async ({ page }) => {
  await openConsole(page);
  const { code, link } = await invite(page, 'mod_kim');
  await openSettings(page);
  const hub = await section(page, 'hub');
  await expect(hub.getByTestId('settings-hub-embedded')).toBeChecked();
  await expect(hub.getByTestId('settings-hub-team-note')).toContainText('Moderators join through invites from the Team tab');
  await expect(hub.getByTestId('settings-hub-team-note')).toContainText('“Team set-up” in the README');
  await hub.getByTestId('settings-hub-remote').check();
  await expect(hub.getByTestId('settings-hub-mode')).toHaveAttribute('data-hub-mode', 'remote');
  await expect(hub.getByTestId('settings-field-hubListen')).toHaveCount(0);

  await hub.getByTestId('hub-join-link').fill(link);
  await expect(hub.getByTestId('hub-join-url')).toHaveValue('http://127.0.0.1:8690');
  await expect(hub.getByTestId('hub-join-code')).toHaveValue(code);
  await hub.getByTestId('hub-join-submit').click();
  const done = hub.getByTestId('hub-join-done');
  await expect(done).toHaveText('Joined as mod_kim (Moderator). Restart to connect.');
  await expect(done).toHaveAttribute('data-role', 'moderator');
  expect(await callsOf(page, 'joinHub')).toEqual([['http://127.0.0.1:8690', code, null, null]]);
  expect(await everything(page), 'the spent code is shown nowhere').not.toContain(code);
  await expect(hub.getByTestId('settings-field-hubUrl')).toHaveValue('http://127.0.0.1:8690');
  await expect(hub.getByTestId('secret-hubToken')).toHaveAttribute('data-state', 'set');

  await page.getByTestId('settings-restart').click();
  await expect(page.getByTestId('settings-restart-banner')).toHaveCount(0);
  await expect(done).toHaveCount(0);
  await section(page, 'im');
  await expect(page.getByTestId('settings-mode')).toHaveAttribute('data-mode', 'remote');
  await expect(page.getByTestId('settings-mode')).toHaveAttribute('data-running', 'remote');
  await expect(page.getByTestId('settings-mode-saved')).toHaveText('With the saved settings: Team hub');
});

test('a used invite is refused in the hub’s words and nothing is saved', async ({ page }) => {
  await openConsole(page);
  const { code } = await invite(page, 'mod_lee');
  await page.evaluate((c) => window.__anchordeskFake.hubTeam.redeem(c, null), code);
  await openSettings(page);
  const hub = await section(page, 'hub');
  await hub.getByTestId('settings-hub-remote').check();
  await hub.getByTestId('hub-join-url').fill('http://127.0.0.1:8690');
  await hub.getByTestId('hub-join-code').fill(code);
  await hub.getByTestId('hub-join-submit').click();
  const error = hub.getByTestId('hub-join-error');
  await expect(error).toHaveText('Not joined: this invite has already been used; ask the owner for a new one');
  await expect(error).toHaveAttribute('data-code', 'forbidden');
  await expect(hub.getByTestId('hub-join-done')).toHaveCount(0);
  await expect(page.getByTestId('settings-restart-banner')).toHaveCount(0);
  await expect(hub.getByTestId('settings-field-hubUrl')).toHaveValue('');
  await expect(hub.getByTestId('secret-hubToken')).toHaveAttribute('data-state', 'unset');
  expect(await callCount(page, 'saveSettings')).toBe(0);
  await section(page, 'im');
  await expect(page.getByTestId('settings-mode')).toHaveAttribute('data-mode', 'sandbox');
});

test('a team’s hub the environment sets is read-only like the other fields, and cannot be joined over', async ({ page }) => {
  await openConsole(page, {
    options: {
      settings: {
        settings: { hubUrl: 'https://hub.example.com:8690', hubCa: '/etc/anchordesk/hub.pem' },
        fromEnv: ['hubUrl', 'hubCa', 'hubToken'],
      },
    },
  });
  await openSettings(page);
  const hub = await section(page, 'hub');
  await expect(hub.getByTestId('settings-hub-remote')).toBeChecked();
  await expect(hub.getByTestId('settings-hub-embedded')).toBeDisabled();
  await expect(hub.getByTestId('settings-env-hubChoice')).toContainText('ANCHORDESK_HUB_URL');
  for (const [field, variable, value] of [
    ['hubUrl', 'ANCHORDESK_HUB_URL', 'https://hub.example.com:8690'],
    ['hubCa', 'ANCHORDESK_HUB_CA', '/etc/anchordesk/hub.pem'],
  ]) {
    await expect(hub.getByTestId(`settings-field-${field}`)).toHaveValue(value);
    await expect(hub.getByTestId(`settings-field-${field}`)).not.toBeEditable();
    await expect(hub.getByTestId(`settings-env-${field}`)).toHaveText(
      `Set by the environment variable ${variable}: change it there, then restart.`,
    );
  }
  await expect(hub.getByTestId('secret-hubToken')).toHaveAttribute('data-state', 'env');
  await expect(hub.getByTestId('secret-hubToken-env')).toContainText('ANCHORDESK_HUB_TOKEN');
  await expect(hub.getByTestId('hub-join-blocked')).toHaveText(
    'The environment sets this console’s hub (ANCHORDESK_HUB_URL, ANCHORDESK_HUB_CA, ANCHORDESK_HUB_TOKEN): change it there, then restart.',
  );
  await expect(hub.getByTestId('hub-join-submit')).toBeDisabled();
  await expect(page.getByTestId('settings-save')).toBeDisabled();
});
