// Why: the header is what the anchor glances at all stream long — the room status (five states, the
// forbidden ones off, progress and refusals in place), "not yet on Tencent" while a change is retried,
// mute-all with its confirmation, the stream's health, and the live counters. Each in its empty,
// loading, error and full state, as the room reports it.
import { expect, test } from '@playwright/test';
import type { StreamHealth } from '../src/lib/bindings';
import { REFUSED, failNext, holdNext, openConsole, push, release } from './support';

test.describe('status control', () => {
  test('lists all five states, only the allowed ones enabled, the current one marked', async ({ page }) => {
    await openConsole(page);
    const toggle = page.getByTestId('status-toggle');
    await expect(toggle).toHaveAttribute('data-status', 'upcoming');
    await expect(toggle).toContainText('Upcoming');
    await toggle.click();
    await expect(page.getByTestId('status-menu')).toBeVisible();
    await expect(page.getByRole('menuitemradio')).toHaveCount(5);
    // From upcoming the room can go live or end (the Rust status machine); nothing else.
    await expect(page.getByTestId('status-option-upcoming')).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByTestId('status-option-live')).toBeEnabled();
    await expect(page.getByTestId('status-option-ended')).toBeEnabled();
    await expect(page.getByTestId('status-option-paused')).toBeDisabled();
    await expect(page.getByTestId('status-option-replay')).toBeDisabled();
    await expect(page.getByTestId('status-option-paused')).toHaveAttribute('title', 'Not possible from Upcoming');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('status-menu')).toBeHidden();
  });

  test('changing the status shows progress, then the new status, a chat line and an audit line', async ({ page }) => {
    await openConsole(page);
    await holdNext(page, 'setStatus');
    await page.getByTestId('status-toggle').click();
    await page.getByTestId('status-option-live').click();
    // Loading: the toggle is busy, the option says it is updating, the others wait.
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('aria-busy', 'true');
    await expect(page.getByTestId('status-option-live')).toContainText('Updating…');
    await expect(page.getByTestId('status-option-ended')).toBeDisabled();
    await release(page, 'setStatus');

    await expect(page.getByTestId('status-menu')).toBeHidden();
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'live');
    await expect(page.getByTestId('status-toggle')).toContainText('Live');
    await expect(page.locator('[data-testid=system-line][data-kind=status]').last()).toContainText('Live');
    // Now live: paused is allowed, upcoming is not.
    await page.getByTestId('status-toggle').click();
    await expect(page.getByTestId('status-option-paused')).toBeEnabled();
    await expect(page.getByTestId('status-option-upcoming')).toBeDisabled();
  });

  test('ending the stream from the status menu ends the room', async ({ page }) => {
    await openConsole(page, { options: { room: { status: 'live' } } });
    await page.getByTestId('status-toggle').click();
    await page.getByTestId('status-option-ended').click();
    await page.getByTestId('status-end-yes').click(); // ending asks first
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'ended');
    await page.getByTestId('status-toggle').click();
    await expect(page.getByTestId('status-option-replay')).toBeEnabled();
    await expect(page.getByTestId('status-option-live')).toBeDisabled();
  });

  test('a refused change says why in the menu and leaves the status as it was', async ({ page }) => {
    await openConsole(page);
    await failNext(page, 'setStatus', REFUSED);
    await page.getByTestId('status-toggle').click();
    await page.getByTestId('status-option-live').click();
    await expect(page.getByTestId('status-error')).toHaveText(REFUSED.message);
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'upcoming');
    await expect(page.getByTestId('status-menu')).toBeVisible();
    // Trying again works, and the error goes.
    await page.getByTestId('status-option-live').click();
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'live');
  });

  test('a status change Tencent has not taken yet shows "Not yet on Tencent" until it is synced', async ({ page }) => {
    await openConsole(page);
    await expect(page.getByTestId('status-sync')).toHaveCount(0);
    await push(page, { type: 'statusSync', status: 'live', synced: false, error: 'timed out', attempts: 3 });
    await expect(page.getByTestId('status-sync')).toContainText('Not yet on Tencent');
    await expect(page.getByTestId('status-sync')).toHaveAttribute('title', 'Retrying (attempt 3): timed out');
    await push(page, { type: 'statusSync', status: 'live', synced: true, error: null, attempts: 4 });
    await expect(page.getByTestId('status-sync')).toHaveCount(0);
  });
});

test.describe('mute all', () => {
  test('asks first, then mutes everyone and shows the banner; turning it off does not ask', async ({ page }) => {
    await openConsole(page);
    const toggle = page.getByTestId('mute-all-toggle');
    await toggle.click();
    await expect(page.getByTestId('mute-all-question')).toHaveText('Everyone except admins will be muted.');
    await page.getByTestId('mute-all-cancel').click();
    await expect(page.getByTestId('mute-all-question')).toBeHidden();
    await expect(toggle).toHaveAttribute('data-on', 'false');

    await holdNext(page, 'moderate');
    await toggle.click();
    await page.getByTestId('mute-all-confirm').click();
    await expect(toggle).toHaveAttribute('aria-busy', 'true');
    await expect(toggle).toContainText('Working…');
    await release(page, 'moderate');
    await expect(toggle).toHaveAttribute('data-on', 'true');
    await expect(page.getByTestId('mute-all-on')).toBeVisible();

    await toggle.click();
    await expect(toggle).toHaveAttribute('data-on', 'false');
    await expect(page.getByTestId('mute-all-on')).toHaveCount(0);
  });

  test('a refusal shows under the toggle and nothing is muted', async ({ page }) => {
    await openConsole(page);
    await failNext(page, 'moderate', REFUSED);
    await page.getByTestId('mute-all-toggle').click();
    await page.getByTestId('mute-all-confirm').click();
    await expect(page.getByTestId('mute-all-error')).toHaveText(REFUSED.message);
    await expect(page.getByTestId('mute-all-toggle')).toHaveAttribute('data-on', 'false');
    await expect(page.getByTestId('mute-all-on')).toHaveCount(0);
  });
});

test.describe('counters', () => {
  test('start from the snapshot and follow online, likes and popularity events; the sparkline needs two readings', async ({ page }) => {
    await openConsole(page, { options: { room: { online: 0, likes: 0 } } });
    await expect(page.getByTestId('online-count')).toHaveText('0');
    await expect(page.getByTestId('like-count')).toHaveText('0');
    await expect(page.getByTestId('popularity')).toHaveText('0');
    await expect(page.getByTestId('online-sparkline')).toHaveCount(0);

    await push(page, { type: 'online', count: 120 });
    await expect(page.getByTestId('online-count')).toHaveText('120');
    await expect(page.getByTestId('online-sparkline')).toHaveCount(0);
    await push(page, { type: 'online', count: 340 }, { type: 'likes', total: 5021 }, { type: 'popularity', score: 777 });
    await expect(page.getByTestId('online-count')).toHaveText('340');
    await expect(page.getByTestId('like-count')).toHaveText('5021');
    await expect(page.getByTestId('popularity')).toHaveText('777');
    await expect(page.getByTestId('online-sparkline')).toBeVisible();
    // Two readings across the 64×18 box, scaled between the hour's lowest (120, at the bottom) and highest (340, at the top).
    await expect(page.getByTestId('online-sparkline').locator('polyline')).toHaveAttribute('points', '0.0,16.5 64.0,1.5');
  });

  test('show the mode badge from the app info, and none when it cannot be read', async ({ page, context }) => {
    await openConsole(page);
    await expect(page.getByTestId('mode-badge')).toHaveText('Sandbox');
    await expect(page.getByTestId('mode-badge')).toHaveAttribute('title', 'Version 0.0.0-preview');

    const other = await context.newPage();
    await openConsole(other, { fail: [{ method: 'appInfo', error: REFUSED }] });
    await expect(other.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
    await expect(other.getByTestId('mode-badge')).toHaveCount(0);
  });
});

test.describe('stream health', () => {
  test('says quietly that there is no stream info when going live is not set up', async ({ page }) => {
    await openConsole(page, { options: { stream: null } });
    await expect(page.getByTestId('stream-health')).toHaveAttribute('data-state', 'none');
    await expect(page.getByTestId('stream-health')).toHaveText('No stream info');
  });

  test('shows OBS and the ingest, and follows OBS dropping and the ingest losing the stream', async ({ page }) => {
    await openConsole(page, { options: { stream: { obsLive: true }, room: { status: 'live' } } });
    await expect(page.getByTestId('health-obs')).toHaveAttribute('data-tone', 'ok');
    await expect(page.getByTestId('health-obs')).toContainText('OBS live');
    await expect(page.getByTestId('health-css')).toHaveAttribute('data-tone', 'ok');
    await expect(page.getByTestId('health-css')).toHaveText('CSS receiving');

    await page.evaluate(() => window.__anchordeskFake.streamDesk!.disconnectObs('connection reset'));
    await expect(page.getByTestId('health-obs')).toHaveAttribute('data-tone', 'error');
    await expect(page.getByTestId('health-obs')).toHaveText('OBS disconnected — retrying');
    await expect(page.getByTestId('stream-health')).toHaveAttribute('title', /Lost OBS: connection reset/);

    // With auto-pause the monitor pauses a live room whose stream the ingest lost.
    await page.evaluate(() => window.__anchordeskFake.streamDesk!.loseIngest());
    await expect(page.getByTestId('health-css')).toHaveText('CSS: no stream');
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'paused');
    await page.evaluate(() => window.__anchordeskFake.streamDesk!.restoreIngest());
    await expect(page.getByTestId('health-css')).toHaveAttribute('data-tone', 'ok');
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'live');
  });

  test('warns about dropped frames and congestion while OBS streams', async ({ page }) => {
    await openConsole(page, { options: { stream: { obsLive: true }, room: { status: 'live' } } });
    const health = await page.evaluate(() => window.__anchordeskFake.streamDesk!.health());
    const bad: StreamHealth = { ...health, obs: { ...health.obs!, dropRatio: 0.12, congestion: 0.8 } };
    await push(page, { type: 'streamHealth', ...bad });
    const warnings = page.getByTestId('health-warning');
    await expect(warnings).toHaveCount(2);
    await expect(warnings.and(page.locator('[data-kind=drops]'))).toContainText('Drops 12%');
    await expect(warnings.and(page.locator('[data-kind=congestion]'))).toContainText('Congestion 80%');
  });
});
