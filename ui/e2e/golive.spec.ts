// Why: the Go live tab is the anchor's stream desk — the push address (loading, refused, not set up;
// the key, URLs and QR masked until Show; copy buttons), the closed-loop Go live with its step-by-step
// progress and a failed step that says what to do, Apply to OBS, key rotation and End with their
// confirmations.
import { expect, test } from '@playwright/test';
import type { StreamAddress } from '../src/lib/bindings';
import { REFUSED, failNext, holdNext, openConsole, openTab, push, release } from './support';

const address = (page: import('@playwright/test').Page): Promise<StreamAddress> =>
  page.evaluate(() => window.__anchordeskFake.streamDesk!.address());

test.describe('push address', () => {
  test('says it is getting the address while it loads', async ({ page }) => {
    await openConsole(page, { hold: ['streamAddress'] });
    const panel = await openTab(page, 'stream');
    await expect(panel.getByTestId('stream-loading')).toHaveText('Getting the push address…');
    await release(page, 'streamAddress');
    await expect(panel.getByTestId('push-server')).toBeVisible();
    await expect(panel.getByTestId('stream-loading')).toHaveCount(0);
  });

  test('a refused address says why, and Retry gets it', async ({ page }) => {
    await openConsole(page, { fail: [{ method: 'streamAddress', error: REFUSED }] });
    const panel = await openTab(page, 'stream');
    await expect(panel.getByTestId('stream-error')).toHaveText(REFUSED.message);
    await expect(panel.getByTestId('push-key')).toHaveCount(0);
    await panel.getByTestId('stream-retry').click();
    await expect(panel.getByTestId('stream-error')).toHaveCount(0);
    await expect(panel.getByTestId('push-key')).toBeVisible();
  });

  test('when going live is not set up it says what to configure', async ({ page }) => {
    await openConsole(page, { options: { stream: null } });
    const panel = await openTab(page, 'stream');
    await expect(panel.getByTestId('stream-error')).toContainText('going live is not set up: set ANCHORDESK_PUSH_DOMAIN and ANCHORDESK_PUSH_KEY');
    // Where to set them: Settings, at Streaming.
    await panel.getByTestId('stream-open-settings').click();
    await expect(page.getByTestId('settings-sheet')).toHaveAttribute('data-section', 'streaming');
    await expect(page.getByTestId('settings-field-pushDomain')).toBeVisible();
  });

  test('the key, the full URL and the QR code stay masked until Show', async ({ page }) => {
    await openConsole(page);
    const panel = await openTab(page, 'stream');
    const a = await address(page);
    await expect(panel.getByTestId('push-server')).toHaveValue(a.server);
    const key = panel.getByTestId('push-key');
    await expect(key).toHaveAttribute('data-masked', 'true');
    await expect(key).toHaveValue('•'.repeat(20));
    await expect(panel.getByTestId('push-key-which')).toHaveText('(primary key)');
    await panel.getByTestId('push-more').locator('summary').click();
    await expect(panel.getByTestId('push-url')).not.toContainText(a.streamKey);
    // The QR code carries the key as well: blurred while masked, and a real PNG.
    const qr = panel.getByTestId('push-qr');
    await expect(qr).toHaveAttribute('data-masked', 'true');
    await expect(qr).toHaveAttribute('src', /^data:image\/png;base64,/);
    expect(await qr.evaluate((img) => getComputedStyle(img).filter)).toContain('blur');
    expect(await qr.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).toBeGreaterThan(0);
    // Nowhere on the page while masked.
    expect(await page.locator('body').innerText()).not.toContain(a.streamKey);

    await panel.getByTestId('toggle-key').click();
    await expect(key).toHaveValue(a.streamKey);
    await expect(key).toHaveAttribute('data-masked', 'false');
    await expect(panel.getByTestId('push-url')).toHaveText(a.url);
    await expect(qr).toHaveAttribute('data-masked', 'false');
    expect(await qr.evaluate((img) => getComputedStyle(img).filter)).toBe('none');
    await panel.getByTestId('toggle-key').click();
    await expect(key).toHaveAttribute('data-masked', 'true');
  });

  test('Copy puts the real key on the clipboard even while it is masked', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await openConsole(page);
    const panel = await openTab(page, 'stream');
    const a = await address(page);
    await panel.getByTestId('copy-key').click();
    await expect(panel.getByTestId('copy-key')).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(a.streamKey);
    await panel.getByTestId('copy-server').click();
    await expect(panel.getByTestId('copy-server')).toHaveText('Copied');
    await expect(panel.getByTestId('copy-key')).toHaveText('Copy');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(a.server);
    await expect(panel.getByTestId('play-url')).toHaveCount(a.play.length);
  });

  test('without a clipboard, Copy says it could not copy', async ({ page }) => {
    await page.addInitScript(() => Object.defineProperty(navigator, 'clipboard', { value: undefined }));
    await openConsole(page);
    const panel = await openTab(page, 'stream');
    await panel.getByTestId('copy-key').click();
    await expect(panel.getByTestId('copy-error')).toHaveText('Could not copy: the clipboard is not available here');
  });

  test('Rotate key asks first, then switches to the backup key', async ({ page }) => {
    await openConsole(page);
    const panel = await openTab(page, 'stream');
    await expect(panel.getByTestId('push-key-which')).toHaveText('(primary key)');
    await panel.getByTestId('rotate-key').click();
    await expect(panel.getByTestId('rotate-confirm')).toBeVisible();
    await panel.getByTestId('rotate-cancel').click();
    await expect(panel.getByTestId('rotate-confirm')).toHaveCount(0);
    await panel.getByTestId('rotate-key').click();
    await panel.getByTestId('rotate-yes').click();
    await expect(panel.getByTestId('address-result')).toHaveText('Now on the backup key: apply it to OBS');
    await expect(panel.getByTestId('push-key-which')).toHaveText('(backup key)');
  });
});

test.describe('going live', () => {
  test('Go live runs every step to "You are live", and the room is live', async ({ page }) => {
    await openConsole(page);
    const panel = await openTab(page, 'stream');
    const steps = panel.getByTestId('go-live-steps');
    await expect(steps).toHaveAttribute('data-outcome', 'idle');
    await holdNext(page, 'goLive');
    await panel.getByTestId('go-live').click();
    await expect(panel.getByTestId('go-live')).toHaveText('Going live…');
    await expect(panel.getByTestId('go-live')).toBeDisabled();
    await release(page, 'goLive');

    await expect(panel.getByTestId('go-live-done')).toHaveText('You are live');
    for (const step of ['address', 'obs', 'start', 'ingest', 'live']) {
      await expect(panel.getByTestId(`go-live-step-${step}`)).toHaveAttribute('data-state', 'done');
    }
    await expect(panel.getByTestId('go-live-by')).toContainText('Started by anchor');
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'live');
    await expect(page.getByTestId('health-obs')).toContainText('OBS live');
    await expect(panel.getByTestId('go-live')).toHaveText('Go live');
  });

  test('each step shows running while it runs', async ({ page }) => {
    // The page's clock is the test's, so each step stays "running" until the test moves time on.
    await page.clock.install();
    await page.clock.pauseAt(Date.now() + 1000);
    // A stored language: first paint waits (a little) for the OS locale only when none was chosen, and
    // with the clock paused that wait would never end.
    await openConsole(page, { options: { latencyMs: 1000 }, lang: 'en', connected: false });
    await page.clock.runFor(1000);
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
    const panel = await openTab(page, 'stream');
    await page.clock.runFor(1000);
    await expect(panel.getByTestId('push-server')).toBeVisible();

    await panel.getByTestId('go-live').click();
    await page.clock.runFor(1100);
    await expect(panel.getByTestId('go-live-step-address')).toHaveAttribute('data-state', 'running');
    await expect(panel.getByTestId('go-live-step-obs')).toHaveAttribute('data-state', 'pending');
    await expect(panel.getByTestId('go-live-steps')).toHaveAttribute('data-outcome', 'running');
    await page.clock.runFor(1000);
    await expect(panel.getByTestId('go-live-step-address')).toHaveAttribute('data-state', 'done');
    await expect(panel.getByTestId('go-live-step-obs')).toHaveAttribute('data-state', 'running');
    await page.clock.runFor(10_000);
    await expect(panel.getByTestId('go-live-done')).toBeVisible();
  });

  test('a failed step is marked, says what failed and what to do next', async ({ page }) => {
    await openConsole(page);
    const panel = await openTab(page, 'stream');
    await page.evaluate(() => window.__anchordeskFake.failGoLiveAt('obs', 'OBS refused the stream settings'));
    await panel.getByTestId('go-live').click();
    const failure = panel.getByTestId('go-live-failure');
    await expect(failure).toHaveAttribute('data-step', 'obs');
    await expect(failure).toContainText('Address in OBS failed: OBS refused the stream settings');
    await expect(failure).toContainText('Check that OBS is running with its WebSocket server on');
    await expect(panel.getByTestId('go-live-step-address')).toHaveAttribute('data-state', 'done');
    await expect(panel.getByTestId('go-live-step-obs')).toHaveAttribute('data-state', 'failed');
    await expect(panel.getByTestId('go-live-step-start')).toHaveAttribute('data-state', 'pending');
    // The refusal only repeats the failed step: not said twice.
    await expect(panel.getByTestId('go-live-error')).toHaveCount(0);
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'upcoming');
    // OBS's address and password are in Settings, at OBS.
    await panel.getByTestId('go-live-failure-settings').click();
    await expect(page.getByTestId('settings-sheet')).toHaveAttribute('data-section', 'obs');
    await page.getByTestId('settings-close').click();
    // Trying again works.
    await panel.getByTestId('go-live').click();
    await expect(panel.getByTestId('go-live-done')).toBeVisible();
    await expect(panel.getByTestId('go-live-failure')).toHaveCount(0);
  });

  test('a refused Go live (the room has ended) says why', async ({ page }) => {
    await openConsole(page, { options: { room: { status: 'ended' } } });
    const panel = await openTab(page, 'stream');
    await panel.getByTestId('go-live').click();
    await expect(panel.getByTestId('go-live-error')).toHaveText(
      'Could not go live: the room is ended; start a new session (upcoming) before going live again',
    );
  });

  test("a run started on another console shows here too", async ({ page }) => {
    await openConsole(page);
    const panel = await openTab(page, 'stream');
    await push(page, { type: 'goLive', step: 'address', state: 'done', message: 'valid for 1 d', actor: 'mod_mei', at: Date.now() });
    await push(page, { type: 'goLive', step: 'obs', state: 'running', message: 'putting the address into OBS', actor: 'mod_mei', at: Date.now() });
    await expect(panel.getByTestId('go-live-step-obs')).toHaveAttribute('data-state', 'running');
    await expect(panel.getByTestId('go-live-by')).toContainText('Started by mod_mei');
  });
});

test.describe('OBS and the end of the stream', () => {
  test('Apply to OBS reports success, and OBS refusing while it streams', async ({ page }) => {
    await openConsole(page);
    const panel = await openTab(page, 'stream');
    await panel.getByTestId('apply-obs').click();
    await expect(panel.getByTestId('go-live-result')).toHaveText('Applied to OBS and read back');
    await failNext(page, 'applyToObs', REFUSED);
    await panel.getByTestId('apply-obs').click();
    await expect(panel.getByTestId('go-live-action-error')).toHaveText(REFUSED.message);
  });

  test('End stream asks first; confirming stops OBS and ends the room', async ({ page }) => {
    await openConsole(page, { options: { stream: { obsLive: true }, room: { status: 'live' } } });
    const panel = await openTab(page, 'stream');
    await panel.getByTestId('end-stream').click();
    await expect(panel.getByTestId('end-confirm')).toContainText('Stop OBS and end the room’s stream? Viewers see it ended.');
    await panel.getByTestId('end-cancel').click();
    await expect(panel.getByTestId('end-confirm')).toHaveCount(0);
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'live');

    await panel.getByTestId('end-stream').click();
    await holdNext(page, 'stopStream');
    await panel.getByTestId('end-yes').click();
    await expect(panel.getByTestId('end-yes')).toHaveText('Working…');
    await release(page, 'stopStream');
    await expect(panel.getByTestId('go-live-result')).toHaveText('The stream has ended');
    await expect(panel.getByTestId('end-confirm')).toHaveCount(0);
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'ended');
    await expect(page.getByTestId('health-obs')).not.toContainText('OBS live');
  });
});
