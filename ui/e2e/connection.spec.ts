// Why: the connection lifecycle as the anchor sees it — "Connecting to the room…" over the window
// until the first snapshot, the room still starting (retried by itself), a failure that says why with
// a Retry, and a restarted room (a fresh snapshot replaces everything).
import { expect, test } from '@playwright/test';
import { OFFLINE, callCount, chat, openConsole, push, release } from './support';

test('the console shows "Connecting to the room…" until the room answers, and nothing can be changed meanwhile', async ({ page }) => {
  await openConsole(page, { hold: ['subscribe'], connected: false });
  const overlay = page.getByTestId('connection-overlay');
  await expect(overlay).toHaveAttribute('data-state', 'connecting');
  await expect(overlay).toContainText('Connecting to the room…');
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connecting');
  // Status and mute-all act on the room: off until it is there.
  await expect(page.getByTestId('status-toggle')).toBeDisabled();
  await expect(page.getByTestId('mute-all-toggle')).toBeDisabled();

  await release(page, 'subscribe');
  await expect(overlay).toBeHidden();
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('status-toggle')).toBeEnabled();
});

test('a room that is still starting is retried without the anchor doing anything', async ({ page }) => {
  // The page's clock is the test's: the retry waits for it, however slow the machine is.
  await page.clock.install();
  await page.clock.pauseAt(Date.now() + 1000);
  await openConsole(page, {
    fail: [{ method: 'subscribe', error: { code: 'notReady', message: 'the room is still starting' }, times: 1 }],
    connected: false,
  });
  await expect.poll(() => callCount(page, 'subscribe')).toBe(1);
  // Still "connecting", never the error card: notReady is not a failure.
  await expect(page.getByTestId('connection-overlay')).toHaveAttribute('data-state', 'connecting');
  await expect(page.getByTestId('connection-retry')).toHaveCount(0);

  await page.clock.runFor(1000);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('connection-overlay')).toBeHidden();
  expect(await callCount(page, 'subscribe')).toBe(2);
});

test('a failed connection says why and offers Retry, which connects', async ({ page }) => {
  await openConsole(page, { fail: [{ method: 'subscribe', error: OFFLINE }], connected: false });
  const overlay = page.getByTestId('connection-overlay');
  await expect(overlay).toHaveAttribute('data-state', 'error');
  await expect(overlay).toContainText('Could not open the room');
  await expect(page.getByTestId('connection-error')).toHaveText(OFFLINE.message);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'error');

  await page.getByTestId('connection-retry').click();
  await expect(overlay).toBeHidden();
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  expect(await callCount(page, 'subscribe')).toBe(2);
});

test('a Retry that fails again keeps the card up with the new reason', async ({ page }) => {
  await openConsole(page, {
    fail: [
      { method: 'subscribe', error: OFFLINE },
      { method: 'subscribe', error: { code: 'authExpired', message: 'the IM signature expired: check the secret key in Settings' } },
    ],
    connected: false,
  });
  await expect(page.getByTestId('connection-error')).toHaveText(OFFLINE.message);
  await page.getByTestId('connection-retry').click();
  await expect(page.getByTestId('connection-error')).toHaveText('the IM signature expired: check the secret key in Settings');
  await expect(page.getByTestId('connection-overlay')).toHaveAttribute('data-state', 'error');
});

test('a restarted room sends a fresh snapshot, which replaces the chat', async ({ page }) => {
  await openConsole(page);
  await push(page, chat('ava_rose', 'before the restart'));
  await expect(page.getByTestId('chat-line')).toHaveCount(1);
  // The room restarts (new epoch, seq from 0): the snapshot holds what it has, and the console follows it.
  const snapshotChat = await page.evaluate(() => window.__anchordeskFake.restartRoom().chat.length);
  await expect(page.getByTestId('chat-line')).toHaveCount(snapshotChat);
  await push(page, chat('leo.streams', 'after the restart'));
  await expect(page.getByTestId('chat-line').last()).toContainText('after the restart');
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
});
