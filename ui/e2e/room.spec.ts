// Why: the Room tab — the notice and introduction editors with their live UTF-8 byte counters
// (Tencent's limits; a CJK character is 3 bytes), saving (in progress, done, refused, changed by
// someone else meanwhile), and the streams list (loading, refused with Retry, empty, full).
import { expect, test } from '@playwright/test';
import type { StreamSession } from '../src/lib/bindings';
import { REFUSED, callsOf, failNext, holdNext, openConsole, openTab, push, release } from './support';

const bytes = (text: string) => new TextEncoder().encode(text).length;

test('the byte counters count UTF-8 bytes as the anchor types, and Save stays off over the limit', async ({ page }) => {
  await openConsole(page);
  const panel = await openTab(page, 'room');
  await expect(panel.getByTestId('notice-bytes')).toHaveText('0 / 300 bytes');
  await expect(panel.getByTestId('intro-bytes')).toHaveText('0 / 240 bytes');
  await expect(panel.getByTestId('notice-save')).toBeDisabled();

  const notice = 'Giveaway at 9 pm 🎁 今晚九点抽奖';
  await panel.getByTestId('notice-text').fill(notice);
  await expect(panel.getByTestId('notice-bytes')).toHaveText(`${bytes(notice)} / 300 bytes`);
  await expect(panel.getByTestId('notice-bytes')).toHaveAttribute('data-over', 'false');
  await expect(panel.getByTestId('notice-save')).toBeEnabled();

  // 100 Han characters are exactly 300 bytes; one more is over.
  await panel.getByTestId('notice-text').fill('好'.repeat(100));
  await expect(panel.getByTestId('notice-bytes')).toHaveText('300 / 300 bytes');
  await expect(panel.getByTestId('notice-save')).toBeEnabled();
  await panel.getByTestId('notice-text').press('End');
  await panel.getByTestId('notice-text').pressSequentially('好');
  await expect(panel.getByTestId('notice-bytes')).toHaveText('303 / 300 bytes');
  await expect(panel.getByTestId('notice-bytes')).toHaveAttribute('data-over', 'true');
  await expect(panel.getByTestId('notice-text')).toHaveAttribute('aria-invalid', 'true');
  await expect(panel.getByTestId('notice-save')).toBeDisabled();

  await panel.getByTestId('intro-text').fill('안녕'.repeat(41));
  await expect(panel.getByTestId('intro-bytes')).toHaveText('246 / 240 bytes');
  await expect(panel.getByTestId('intro-bytes')).toHaveAttribute('data-over', 'true');
});

test('saving shows progress, then "Saved" and the new notice in the header', async ({ page }) => {
  await openConsole(page);
  const panel = await openTab(page, 'room');
  await panel.getByTestId('notice-text').fill('今晚九点抽奖 🎁');
  await holdNext(page, 'setNotice');
  await panel.getByTestId('notice-save').click();
  await expect(panel.getByTestId('notice-save')).toHaveText('Working…');
  await expect(panel.getByTestId('notice-text')).toHaveAttribute('readonly', '');
  await release(page, 'setNotice');
  await expect(panel.getByTestId('notice-saved')).toHaveText('Saved and announced to the room');
  await expect(page.getByTestId('room-notice')).toHaveText('Notice: 今晚九点抽奖 🎁');
  // Only the field edited was sent: the introduction was left as the room has it.
  const calls = await callsOf(page, 'setNotice');
  expect(calls.map(([change]) => change)).toEqual([{ notice: '今晚九点抽奖 🎁' }]);
});

test('a refused save says why and keeps the text', async ({ page }) => {
  await openConsole(page);
  const panel = await openTab(page, 'room');
  await panel.getByTestId('intro-text').fill('Songs every evening');
  await failNext(page, 'setNotice', REFUSED);
  await panel.getByTestId('notice-save').click();
  await expect(panel.getByTestId('notice-error')).toHaveText(REFUSED.message);
  await expect(panel.getByTestId('intro-text')).toHaveValue('Songs every evening');
  await expect(panel.getByTestId('notice-save')).toBeEnabled();
});

test('a notice changed elsewhere while the anchor edits is flagged, and an untouched field follows the room', async ({ page }) => {
  await openConsole(page, { options: { room: { notice: 'old notice', introduction: 'old intro' } } });
  const panel = await openTab(page, 'room');
  await expect(panel.getByTestId('notice-text')).toHaveValue('old notice');
  await panel.getByTestId('notice-text').fill('my draft');
  await push(page, { type: 'notice', notice: 'from another console', introduction: 'new intro' });
  await expect(panel.getByTestId('notice-changed')).toBeVisible();
  await expect(panel.getByTestId('notice-text')).toHaveValue('my draft');
  await expect(panel.getByTestId('intro-text')).toHaveValue('new intro');
  await expect(panel.getByTestId('intro-changed')).toHaveCount(0);
});

test.describe('streams', () => {
  const hour = 3_600_000;
  const past = (id: number, ago: number): StreamSession => ({
    id,
    startedAt: Date.now() - ago * hour,
    endedAt: Date.now() - ago * hour + 2 * hour,
    peakOnline: 900 + id,
    messages: 5200,
    likes: 48_000,
    giftValue: 31_000,
  });

  test('while the list loads it says so; with no streams it says none', async ({ page }) => {
    await openConsole(page, { hold: ['sessions'] });
    const panel = await openTab(page, 'room');
    const streams = panel.getByTestId('streams-panel');
    await expect(streams).toContainText('Loading…');
    await expect(panel.getByTestId('session-current')).toContainText('No stream yet');
    await release(page, 'sessions');
    await expect(panel.getByTestId('streams-empty')).toHaveText('No streams yet');
  });

  test('lists past streams newest first; going live adds the current one, live, with its counters', async ({ page }) => {
    await openConsole(page, { options: { sessions: [past(1, 48), past(2, 24)], room: { status: 'ended', online: 1310 } } });
    const panel = await openTab(page, 'room');
    const rows = panel.getByTestId('stream-row');
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(0)).toHaveAttribute('data-session-id', '2');
    await expect(rows.nth(0)).toContainText('902');
    await expect(rows.nth(0).getByTestId('stream-duration')).toHaveText('2 h');
    await expect(panel.getByTestId('session-current')).toHaveAttribute('data-live', 'false');
    await expect(panel.getByTestId('session-current')).toContainText('Last stream');

    // Going live (ended → upcoming → live) starts stream 3; the list is asked for again.
    for (const status of ['upcoming', 'live']) {
      await page.getByTestId('status-toggle').click();
      await page.getByTestId(`status-option-${status}`).click();
      await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', status);
    }
    await expect(panel.getByTestId('session-live')).toHaveText('Live now');
    await expect(panel.getByTestId('session-peak')).toHaveText('1,310');
    await expect(rows).toHaveCount(3);
    await expect(rows.nth(0)).toHaveAttribute('data-session-id', '3');
    await expect(rows.nth(0)).toHaveAttribute('data-live', 'true');
    // Its counters follow the room's session events.
    await push(page, { type: 'session', id: 3, startedAt: Date.now(), endedAt: null, peakOnline: 1402, messages: 12, likes: 40, giftValue: 520 });
    await expect(panel.getByTestId('session-peak')).toHaveText('1,402');
    await expect(panel.getByTestId('session-gifts')).toHaveText('520');
  });

  test('a refused list says why and Retry loads it', async ({ page }) => {
    await openConsole(page, { options: { sessions: [past(1, 24)] }, fail: [{ method: 'sessions', error: REFUSED }] });
    const panel = await openTab(page, 'room');
    await expect(panel.getByTestId('streams-error')).toHaveText(`Could not load the streams: ${REFUSED.message}`);
    await panel.getByTestId('streams-retry').click();
    await expect(panel.getByTestId('streams-error')).toHaveCount(0);
    await expect(panel.getByTestId('stream-row')).toHaveCount(1);
  });
});
