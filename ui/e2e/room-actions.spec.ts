// Why: what the anchor does to the whole room, in the browser — a broadcast (counted in UTF-8 bytes,
// refused over the room's limit before sending, in progress, sent, refused with the text kept), the
// keyword lottery (none yet, opening, entries arriving, time open, closing, drawing, winners that open
// their user card, the history loading / refused with Retry / empty / full, refusals in place, the
// moderation summary leading to it), and ending the stream from the status menu, which alone asks
// first (Cancel and Escape keep the status; in progress; refused).
import { expect, test, type Page } from '@playwright/test';
import type { AuditLine } from '../src/lib/bindings';
import { OFFLINE, REFUSED, callCount, callsOf, failNext, holdNext, openConsole, openTab, release, send } from './support';

const bytes = (text: string) => new TextEncoder().encode(text).length;

async function roomTab(page: Page) {
  await openTab(page, 'room');
  return { broadcast: page.getByTestId('broadcast-panel'), lottery: page.getByTestId('lottery-panel') };
}

test.describe('broadcast', () => {
  test('empty: counts UTF-8 bytes as the anchor types, Send off while blank', async ({ page }) => {
    await openConsole(page);
    const { broadcast } = await roomTab(page);
    await expect(broadcast.getByTestId('broadcast-bytes')).toHaveText('0 / 4000 bytes');
    await expect(broadcast.getByTestId('broadcast-send')).toBeDisabled();
    await broadcast.getByTestId('broadcast-text').fill('   ');
    await expect(broadcast.getByTestId('broadcast-send')).toBeDisabled();
    const text = 'Giveaway at 9 pm 🎁 今晚九点抽奖';
    await broadcast.getByTestId('broadcast-text').fill(text);
    await expect(broadcast.getByTestId('broadcast-bytes')).toHaveText(`${bytes(text)} / 4000 bytes`);
    await expect(broadcast.getByTestId('broadcast-send')).toBeEnabled();
  });

  test('over 4000 bytes is refused before sending: Send off, the limit said, nothing sent', async ({ page }) => {
    await openConsole(page);
    const { broadcast } = await roomTab(page);
    // 1,333 Han characters are 3,999 bytes; one more is 4,002.
    await broadcast.getByTestId('broadcast-text').fill('好'.repeat(1333));
    await expect(broadcast.getByTestId('broadcast-bytes')).toHaveText('3999 / 4000 bytes');
    await expect(broadcast.getByTestId('broadcast-problem')).toHaveCount(0);
    await broadcast.getByTestId('broadcast-text').press('End');
    await broadcast.getByTestId('broadcast-text').pressSequentially('好');
    await expect(broadcast.getByTestId('broadcast-bytes')).toHaveText('4002 / 4000 bytes');
    await expect(broadcast.getByTestId('broadcast-bytes')).toHaveAttribute('data-over', 'true');
    await expect(broadcast.getByTestId('broadcast-text')).toHaveAttribute('aria-invalid', 'true');
    await expect(broadcast.getByTestId('broadcast-problem')).toContainText('at most 4000 bytes');
    await expect(broadcast.getByTestId('broadcast-send')).toBeDisabled();
    await broadcast.getByTestId('broadcast-send').click({ force: true });
    expect(await callCount(page, 'broadcast')).toBe(0);
  });

  test('loading then sent: progress while the room sends it, then "sent", the field emptied, the audit line', async ({ page }) => {
    await openConsole(page);
    const { broadcast } = await roomTab(page);
    await broadcast.getByTestId('broadcast-text').fill('Stream at 9 pm tonight — 今晚九点');
    await holdNext(page, 'broadcast');
    await broadcast.getByTestId('broadcast-send').click();
    await expect(broadcast.getByTestId('broadcast-send')).toHaveText('Working…');
    await expect(broadcast.getByTestId('broadcast-text')).toHaveAttribute('readonly', '');
    await release(page, 'broadcast');
    await expect(broadcast.getByTestId('broadcast-sent')).toHaveText(/^Broadcast sent at \d\d:\d\d:\d\d$/);
    await expect(broadcast.getByTestId('broadcast-text')).toHaveValue('');
    expect(await callsOf(page, 'broadcast')).toEqual([['Stream at 9 pm tonight — 今晚九点']]);
    const audit = await openTab(page, 'audit');
    await expect(audit.locator('[data-testid=audit-line][data-action=broadcast]')).toContainText(
      'to every room (native broadcast): Stream at 9 pm tonight — 今晚九点',
    );
  });

  test('error: the room’s refusal shows in place and the text stays for another try', async ({ page }) => {
    await openConsole(page);
    const { broadcast } = await roomTab(page);
    await broadcast.getByTestId('broadcast-text').fill('Giveaway at 9 pm');
    await failNext(page, 'broadcast', REFUSED);
    await broadcast.getByTestId('broadcast-send').click();
    await expect(broadcast.getByTestId('broadcast-error')).toHaveText(`Not sent: ${REFUSED.message}`);
    await expect(broadcast.getByTestId('broadcast-text')).toHaveValue('Giveaway at 9 pm');
    await broadcast.getByTestId('broadcast-send').click();
    await expect(broadcast.getByTestId('broadcast-sent')).toBeVisible();
    await expect(broadcast.getByTestId('broadcast-error')).toHaveCount(0);
  });
});

test.describe('lottery', () => {
  test('empty: no lottery, the open form, and the history loading then empty', async ({ page }) => {
    await openConsole(page, { hold: ['audit'] });
    const { lottery } = await roomTab(page);
    await expect(lottery).toHaveAttribute('data-state', 'none');
    await expect(lottery.getByTestId('lottery-state')).toHaveCount(0);
    await expect(lottery.getByTestId('lottery-history-loading')).toHaveText('Loading…');
    await expect(lottery.getByTestId('lottery-open')).toBeDisabled();
    await release(page, 'audit');
    await expect(lottery.getByTestId('lottery-history-empty')).toHaveText('No lottery yet');
    // The moderation overview has no summary without a lottery.
    await expect((await openTab(page, 'moderation')).getByTestId('lottery-summary')).toHaveCount(0);
  });

  test('the keyword is checked as the room checks it before anything is sent', async ({ page }) => {
    await openConsole(page);
    const { lottery } = await roomTab(page);
    const keyword = lottery.getByTestId('lottery-keyword');
    await keyword.fill('・・・');
    await expect(lottery.getByTestId('lottery-keyword-problem')).toHaveText('Type a keyword: spaces and punctuation alone match nothing.');
    await expect(lottery.getByTestId('lottery-open')).toBeDisabled();
    await keyword.fill('抽'.repeat(33));
    await expect(lottery.getByTestId('lottery-keyword-count')).toHaveText('33 / 32 characters');
    await expect(lottery.getByTestId('lottery-keyword-problem')).toHaveText('A keyword has at most 32 characters.');
    await keyword.press('Enter');
    expect(await callCount(page, 'openLottery')).toBe(0);
    await keyword.fill('抽'.repeat(32));
    await expect(lottery.getByTestId('lottery-keyword-problem')).toHaveCount(0);
    await expect(lottery.getByTestId('lottery-open')).toBeEnabled();
  });

  test('open → entrants arrive → close → draw → winners, each name opening the user card', async ({ page }) => {
    await openConsole(page);
    const { lottery } = await roomTab(page);
    await lottery.getByTestId('lottery-keyword').fill('抽奖');
    await holdNext(page, 'openLottery');
    await lottery.getByTestId('lottery-open').click();
    await expect(lottery.getByTestId('lottery-open')).toHaveText('Working…');
    await release(page, 'openLottery');
    await expect(lottery).toHaveAttribute('data-state', 'open');
    await expect(lottery.getByTestId('lottery-state')).toHaveText('Open: viewers enter by sending “抽奖”');
    await expect(lottery.getByTestId('lottery-entrants')).toHaveText('0');
    await expect(lottery.getByTestId('lottery-open-for')).toHaveText(/^Open for \d+ s$/);

    // Entries come as viewers send the keyword, once each, however they write it.
    await send(page, '小龙女', '抽奖！');
    await expect(lottery.getByTestId('lottery-entrants')).toHaveText('1');
    await send(page, 'ava_rose', '抽 奖 please');
    await send(page, '小龙女', '抽奖 again');
    await send(page, 'leo.streams', 'hello');
    await send(page, 'ハル', 'ﾁｭｳｾﾝ 抽奖');
    await expect(lottery.getByTestId('lottery-entrants')).toHaveText('3');

    await lottery.getByTestId('lottery-close').click();
    await expect(lottery).toHaveAttribute('data-state', 'closed');
    await expect(lottery.getByTestId('lottery-state')).toHaveText('Closed: “抽奖” takes no more entries');
    await send(page, 'maple_tea', '抽奖');
    await expect(lottery.getByTestId('lottery-entrants')).toHaveText('3');

    await lottery.getByTestId('lottery-winners').fill('2');
    await holdNext(page, 'drawLottery');
    await lottery.getByTestId('lottery-draw').click();
    await expect(lottery.getByTestId('lottery-draw')).toHaveText('Working…');
    await release(page, 'drawLottery');
    const winners = lottery.getByTestId('lottery-winner');
    await expect(winners).toHaveCount(2);
    for (const name of await winners.allTextContents()) expect(['小龙女', 'ava_rose', 'ハル']).toContain(name.trim());
    expect(await callsOf(page, 'drawLottery')).toEqual([[2, null]]);
    await expect(lottery.getByTestId('lottery-draw')).toHaveText('Draw again');

    // The history tells the whole run, newest first.
    const history = lottery.getByTestId('lottery-history-line');
    await expect(history).toHaveCount(3);
    await expect(history.nth(0)).toContainText('drew 2 of 3 with seed');
    await expect(history.nth(1)).toContainText('closed with 3 entrants');
    await expect(history.nth(2)).toContainText('opened with keyword "抽奖"');

    const first = (await winners.first().textContent())!.trim();
    await winners.first().click();
    await expect(page.getByTestId('user-card')).toHaveAttribute('data-user-id', first);
  });

  test('error: a refused open, close or draw shows in place and changes nothing', async ({ page }) => {
    await openConsole(page);
    const { lottery } = await roomTab(page);
    await lottery.getByTestId('lottery-keyword').fill('888');
    await failNext(page, 'openLottery', REFUSED);
    await lottery.getByTestId('lottery-open').click();
    await expect(lottery.getByTestId('lottery-error')).toHaveText(REFUSED.message);
    await expect(lottery.getByTestId('lottery-keyword')).toHaveValue('888');
    await expect(lottery).toHaveAttribute('data-state', 'none');

    await lottery.getByTestId('lottery-open').click();
    await expect(lottery).toHaveAttribute('data-state', 'open');
    await expect(lottery.getByTestId('lottery-error')).toHaveCount(0);
    await failNext(page, 'closeLottery', OFFLINE);
    await lottery.getByTestId('lottery-close').click();
    // Not got through: said so, with the message and a Retry (see hub-connection.spec.ts).
    await expect(lottery.getByTestId('lottery-error')).toHaveAttribute('data-code', 'offline');
    await expect(lottery.getByTestId('lottery-error')).toContainText(OFFLINE.message);
    await expect(lottery.getByTestId('offline-retry')).toBeVisible();
    await expect(lottery).toHaveAttribute('data-state', 'open');
    await failNext(page, 'drawLottery', REFUSED);
    await lottery.getByTestId('lottery-draw').click();
    await expect(lottery.getByTestId('lottery-error')).toHaveText(REFUSED.message);
    await expect(lottery).toHaveAttribute('data-state', 'open');
    await expect(lottery.getByTestId('lottery-winners-list')).toHaveCount(0);
  });

  test('a winner count that is not a whole number from 1 is refused before asking', async ({ page }) => {
    await openConsole(page, { options: { room: { lottery: { keyword: '888', open: true, entrants: 4, winners: [], seed: null } } } });
    const { lottery } = await roomTab(page);
    await lottery.getByTestId('lottery-winners').fill('0');
    await expect(lottery.getByTestId('lottery-winners-problem')).toHaveText('Use a whole number from 1 to 4,294,967,295.');
    await expect(lottery.getByTestId('lottery-draw')).toBeDisabled();
    await lottery.getByTestId('lottery-winners').fill('3');
    await expect(lottery.getByTestId('lottery-winners-problem')).toHaveCount(0);
    await lottery.getByTestId('lottery-draw').click();
    await expect(lottery.getByTestId('lottery-winner')).toHaveCount(3);
  });

  test('error: a refused history says why and Retry loads it', async ({ page }) => {
    await openConsole(page, { fail: [{ method: 'audit', error: REFUSED }] });
    const { lottery } = await roomTab(page);
    await expect(lottery.getByTestId('lottery-history-error')).toHaveText(`Could not load the history: ${REFUSED.message}`);
    await lottery.getByTestId('lottery-history-retry').click();
    await expect(lottery.getByTestId('lottery-history-error')).toHaveCount(0);
    await expect(lottery.getByTestId('lottery-history-empty')).toBeVisible();
  });

  test('full: a room mid-lottery shows its entrants, winners and history; the moderation summary leads here', async ({ page }) => {
    const at = Date.now() - 3 * 60_000;
    const line = (id: number, detail: string, actor = 'mod_mei'): AuditLine => ({
      id, at: at + id, actor, action: 'lottery', target: 'room', detail, reason: '', duration: null, undoneBy: null,
    });
    const audit = [
      line(1, 'opened with keyword "gift"'),
      line(2, 'drew 2 of 5 with seed 11: 小龙女, ava_rose'),
      line(3, 'opened with keyword "抽奖"', 'anchor'),
    ];
    const entrants = ['小龙女', 'ava_rose', 'nightowl42', '지민이', 'さくら_jp', 'maple_tea'];
    await openConsole(page, {
      options: { room: { audit, lottery: { keyword: '抽奖', open: true, entrants: 6, winners: [], seed: null } }, lotteryEntrants: entrants },
    });
    const moderation = await openTab(page, 'moderation');
    await expect(moderation.getByTestId('lottery-summary')).toHaveText('Lottery “抽奖”: 6 entered');
    await moderation.getByTestId('lottery-summary').click();
    await expect(page.getByTestId('tab-room')).toHaveAttribute('aria-selected', 'true');
    const lottery = page.getByTestId('lottery-panel');
    await expect(lottery).toBeInViewport();
    await expect(lottery.getByTestId('lottery-entrants')).toHaveText('6');
    await expect(lottery.getByTestId('lottery-open-for')).toHaveText(/^Open for 3 min( \d+ s)?$/);
    await expect(lottery.getByTestId('lottery-history-line')).toHaveCount(3);
    await expect(lottery.getByTestId('lottery-history-line').first()).toHaveAttribute('data-audit-id', '3');

    await lottery.getByTestId('lottery-winners').fill('6');
    await lottery.getByTestId('lottery-draw').click();
    await expect(lottery.getByTestId('lottery-winner')).toHaveCount(6);
    expect((await lottery.getByTestId('lottery-winner').allTextContents()).map((n) => n.trim()).sort()).toEqual([...entrants].sort());
    await expect(moderation.getByTestId('lottery-summary')).toContainText('6 entered — winners:');
  });
});

test.describe('ending the stream from the status menu', () => {
  test('Ended asks first and says what happens; Cancel and Escape keep the status', async ({ page }) => {
    await openConsole(page, { options: { room: { status: 'live' } } });
    await page.getByTestId('status-toggle').click();
    await page.getByTestId('status-option-ended').click();
    const confirm = page.getByTestId('status-end-confirm');
    await expect(confirm).toBeVisible();
    await expect(confirm).toContainText('End the stream?');
    await expect(confirm).toContainText('The room cannot go back to Live');
    await expect(page.getByTestId('status-end-cancel')).toBeFocused();
    expect(await callCount(page, 'setStatus')).toBe(0);

    await page.getByTestId('status-end-cancel').click();
    await expect(confirm).toHaveCount(0);
    await expect(page.getByTestId('status-menu')).toBeVisible();
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'live');

    await page.getByTestId('status-option-ended').click();
    await expect(confirm).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(confirm).toHaveCount(0);
    await expect(page.getByTestId('status-menu')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('status-menu')).toHaveCount(0);
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'live');
    expect(await callCount(page, 'setStatus')).toBe(0);

    // Other changes stay one click.
    await page.getByTestId('status-toggle').click();
    await page.getByTestId('status-option-paused').click();
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'paused');
  });

  test('confirmed: in progress, then ended (and Live is no longer offered)', async ({ page }) => {
    await openConsole(page, { options: { room: { status: 'live' } } });
    await page.getByTestId('status-toggle').click();
    await page.getByTestId('status-option-ended').click();
    await holdNext(page, 'setStatus');
    await page.getByTestId('status-end-yes').click();
    await expect(page.getByTestId('status-end-yes')).toHaveText('Updating…');
    await expect(page.getByTestId('status-end-cancel')).toBeDisabled();
    await release(page, 'setStatus');
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'ended');
    await expect(page.getByTestId('status-menu')).toHaveCount(0);
    expect(await callsOf(page, 'setStatus')).toEqual([['ended']]);
    await page.getByTestId('status-toggle').click();
    await expect(page.getByTestId('status-option-live')).toBeDisabled();
  });

  test('error: a refused end shows under the confirmation and the status stays', async ({ page }) => {
    await openConsole(page, { options: { room: { status: 'paused' } } });
    await failNext(page, 'setStatus', REFUSED);
    await page.getByTestId('status-toggle').click();
    await page.getByTestId('status-option-ended').click();
    await page.getByTestId('status-end-yes').click();
    await expect(page.getByTestId('status-error')).toHaveText(REFUSED.message);
    await expect(page.getByTestId('status-end-confirm')).toBeVisible();
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'paused');
    await page.getByTestId('status-end-yes').click();
    await expect(page.getByTestId('status-toggle')).toHaveAttribute('data-status', 'ended');
  });
});
