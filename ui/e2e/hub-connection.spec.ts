// Why: a remote console must say where its link to the hub stands — reconnecting (which attempt, for
// how long, why) with the room still on screen, marked stale; a command meanwhile refused visibly
// (nothing queued) with a Retry that works once the link is back; and a revocation as final, with
// what to do — in the main window and in the chat's own window.
import { expect, test } from '@playwright/test';
import { callsOf, openConsole, openTab, setHubLink } from './support';

const MODERATOR = { info: { mode: 'remote' as const }, team: { me: { name: 'mod_alice', role: 'moderator' as const } } };
const BACK = { type: 'connected', role: 'moderator', name: 'mod_alice' } as const;

test('reconnecting: the attempt, for how long and why; the room stays, stale; then it is gone', async ({ page }) => {
  await openConsole(page, { options: MODERATOR, send: [['maple_tea', 'hello from Toronto!']] });
  await setHubLink(page, { type: 'reconnecting', attempt: 3, since: Date.now() - 5000, reason: 'connection refused' });
  const banner = page.getByTestId('hub-connection');
  await expect(banner).toHaveAttribute('data-state', 'reconnecting');
  await expect(banner).toHaveAttribute('data-attempt', '3');
  await expect(banner).toContainText('Reconnecting to the hub (attempt 3)');
  await expect(banner).toContainText('nothing is queued');
  await expect(page.getByTestId('hub-connection-reason')).toHaveText('connection refused');
  await expect(page.getByTestId('hub-connection-for')).toHaveText(/down for [5-9] s/);
  await expect(page.getByTestId('hub-connection-for')).not.toHaveText(/down for [5-6] s/, { timeout: 4000 }); // it ticks
  await expect(page.locator('main.body')).toHaveAttribute('data-stale', 'true');
  await expect(page.getByTestId('chat-line').first()).toBeVisible(); // the room is not hidden
  await openTab(page, 'audit'); // and still usable to read

  await setHubLink(page, BACK);
  await expect(banner).toHaveCount(0);
  await expect(page.locator('main.body')).toHaveAttribute('data-stale', 'false');
});

test('a command while reconnecting is refused with Retry, which works once the link is back', async ({ page }) => {
  await openConsole(page, { options: MODERATOR, send: [['nightowl42', 'FREE COINS on my profile!!']] });
  const held = await openTab(page, 'held');
  await setHubLink(page, { type: 'reconnecting', attempt: 1, since: Date.now(), reason: 'connection reset' });
  await held.getByTestId('held-approve').click();
  const error = held.getByTestId('held-error');
  await expect(error).toHaveAttribute('data-code', 'offline');
  await expect(error).toContainText('this was not done');
  await expect(held.getByTestId('held-line')).toHaveCount(1);

  await setHubLink(page, BACK);
  await held.getByTestId('offline-retry').click();
  await expect(held.getByTestId('held-line')).toHaveCount(0);
  await expect(error).toHaveCount(0);
  expect((await callsOf(page, 'resolveHeld')).length).toBe(2);
});

test('revoked is final: it says what to do, offers Settings, and commands get no retry', async ({ page }) => {
  await openConsole(page, { options: MODERATOR, send: [['nightowl42', 'FREE COINS on my profile!!']] });
  const held = await openTab(page, 'held');
  await setHubLink(page, { type: 'revoked', reason: 'the owner revoked this console’s access' });
  const banner = page.getByTestId('hub-connection');
  await expect(banner).toHaveAttribute('data-state', 'revoked');
  await expect(banner).toContainText('The owner revoked your access');
  await expect(banner).toContainText('Ask the owner for a new invite');
  await page.waitForTimeout(1500);
  await expect(banner).toHaveAttribute('data-state', 'revoked'); // nothing tries again behind it
  // The overlay stands over the room: a command can only come from a key or a script now; refused for good.
  await held.getByTestId('held-approve').dispatchEvent('click');
  await expect(held.getByTestId('held-error')).toHaveAttribute('data-code', 'forbidden');
  await expect(held.getByTestId('held-error')).toContainText('this was not done');
  await expect(held.getByTestId('offline-retry')).toHaveCount(0);
  await page.getByTestId('hub-connection-settings').click();
  await expect(page.getByTestId('settings-sheet')).toBeVisible();
});

test('the chat’s own window shows the link too', async ({ page }) => {
  await openConsole(page, { options: MODERATOR, view: 'chat' });
  await setHubLink(page, { type: 'reconnecting', attempt: 2, since: Date.now(), reason: 'connection refused' });
  await expect(page.getByTestId('hub-connection')).toHaveAttribute('data-state', 'reconnecting');
  await expect(page.getByTestId('chat-window')).toHaveAttribute('data-stale', 'true');
  await setHubLink(page, { type: 'unauthorized', reason: 'the hub does not know this token' });
  await expect(page.getByTestId('hub-connection')).toHaveAttribute('data-state', 'unauthorized');
});
