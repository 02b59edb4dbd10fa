// Why: the moderation overview (Moderation tab) — who is muted and for how long, who is blocked, what
// the word filter dropped or refused, the 40/s limit's drops, the lottery, who just joined — and
// unmute / unblock right there, in progress, done and refused.
import { expect, test } from '@playwright/test';
import type { RoomEvent } from '../src/lib/bindings';
import { REFUSED, failNext, holdNext, openConsole, openTab, release } from './support';

const inTenMinutes = () => Math.floor(Date.now() / 1000) + 600;

test('an empty room lists nobody anywhere', async ({ page }) => {
  await openConsole(page, { options: { room: { blocked: [] } } });
  const panel = await openTab(page, 'moderation');
  for (const list of ['muted-list', 'blocked-list', 'filtered-list', 'member-list']) {
    await expect(panel.getByTestId(list)).toHaveText('None');
  }
  await expect(panel.getByTestId('drops-summary')).toHaveText('High 0/0 · Normal 0/0 · Low 0/0 (dropped/sent)');
  await expect(panel.getByTestId('lottery-summary')).toHaveCount(0);
});

test('a busy room lists mutes with time left, blocks, filtered messages, drops, the lottery and joins', async ({ page }) => {
  const now = Date.now();
  const events: RoomEvent[] = [
    { type: 'memberJoined', userId: 'ava_rose', at: now - 5000 },
    { type: 'memberJoined', userId: '하늘바람', at: now },
    { type: 'userMuted', userId: 'nightowl42', until: inTenMinutes() },
    { type: 'userMuted', userId: 'ハル', until: 4294967295 },
    { type: 'userKicked', userId: 'maple_tea' },
    { type: 'drops', at: Math.floor(now / 60_000) * 60, high: { sent: 10, dropped: 0 }, normal: { sent: 300, dropped: 12 }, low: { sent: 900, dropped: 210 } },
    { type: 'lottery', keyword: '抽奖', open: false, entrants: 42, winners: ['小龙女', 'ava_rose'], seed: '9' },
  ];
  await openConsole(page, { events, send: [['민준_kr', '아 시 발 진짜'], ['leo.streams', 's p a m s p a m']] });
  const panel = await openTab(page, 'moderation');

  const muted = panel.getByTestId('muted-list').locator('li');
  await expect(muted).toHaveCount(2);
  await expect(muted.and(page.locator('[data-user-id="nightowl42"]'))).toContainText(/\b(9|10):\d\d left/);
  await expect(muted.and(page.locator('[data-user-id="ハル"]'))).toContainText('Permanent');

  const blocked = panel.getByTestId('blocked-list').locator('li');
  await expect(blocked.and(page.locator('[data-user-id="maple_tea"]'))).toBeVisible();
  await expect(blocked.and(page.locator('[data-user-id="spam_bot_9"]'))).toBeVisible();

  const filtered = panel.getByTestId('filtered-line');
  await expect(filtered).toHaveCount(2);
  await expect(filtered.first()).toHaveAttribute('data-user-id', 'leo.streams');
  await expect(filtered.first()).toHaveAttribute('data-action', 'drop');
  await expect(filtered.last()).toContainText('아 시 발 진짜');

  await expect(panel.getByTestId('drops-summary')).toHaveText('High 0/10 · Normal 12/300 · Low 210/900 (dropped/sent)');
  await expect(panel.getByTestId('lottery-summary')).toHaveText('Lottery “抽奖”: 42 entered — winners: 小龙女, ava_rose');
  await expect(panel.getByTestId('lottery-summary')).toHaveAttribute('data-open', 'false');

  const joined = panel.getByTestId('member-list').locator('li');
  await expect(joined.first()).toHaveAttribute('data-user-id', '하늘바람');
  await expect(joined.nth(1)).toHaveAttribute('data-user-id', 'ava_rose');
});

test('unmute from the list: in progress, then gone from it', async ({ page }) => {
  await openConsole(page, { events: [{ type: 'userMuted', userId: 'nightowl42', until: inTenMinutes() }] });
  const panel = await openTab(page, 'moderation');
  const row = panel.getByTestId('muted-list').locator('[data-user-id="nightowl42"]');
  await holdNext(page, 'moderate');
  await row.getByTestId('muted-unmute').click();
  await expect(row.getByTestId('muted-unmute')).toHaveAttribute('aria-busy', 'true');
  await release(page, 'moderate');
  await expect(panel.getByTestId('muted-list')).toHaveText('None');
  await expect(page.locator('[data-testid=system-line][data-kind=unmuted]')).toContainText('nightowl42');
});

test('a refused unblock says why and the user stays blocked', async ({ page }) => {
  await openConsole(page);
  const panel = await openTab(page, 'moderation');
  const row = panel.getByTestId('blocked-list').locator('[data-user-id="spam_bot_9"]');
  await failNext(page, 'moderate', REFUSED);
  await row.getByTestId('blocked-unblock').click();
  await expect(row.getByRole('alert')).toHaveText(REFUSED.message);
  await expect(row).toBeVisible();
  // Trying again works.
  await row.getByTestId('blocked-unblock').click();
  await expect(panel.getByTestId('blocked-list')).toHaveText('None');
});
