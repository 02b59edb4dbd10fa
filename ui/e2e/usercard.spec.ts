// Why: the user card — a viewer's profile (loading, refused with Retry, a stranger, a regular) beside
// the actions: a mute preset with a reason, until the end of the stream, kick, ban for a chosen time
// (after a yes), unmute and unban; each in progress, done (the card, the chat and the audit log
// agree) and refused; the moderator's note with its byte counter; Escape and a click outside close it.
import { expect, test, type Page } from '@playwright/test';
import { REFUSED, callsOf, chat, failNext, holdNext, openConsole, openTab, push, release } from './support';

/**
 * Opens the card of `userId` from their chat line; `before` runs just before the click. The chat looks
 * up each new chatter's level (a `userCard` call) on its next tick: that is awaited first, so a call
 * held or failed in `before` is the card's own, not the level lookup's.
 */
async function openCard(page: Page, userId: string, before?: () => Promise<void>) {
  await push(page, chat(userId, 'hello there', { id: `card-${userId}` }));
  const line = page.locator(`[data-key="c:card-${userId}"]`);
  await expect(line.getByTestId('chat-level')).toBeVisible();
  await before?.();
  await line.getByTestId('chat-user').click();
  const card = page.getByTestId('user-card');
  await expect(card).toHaveAttribute('data-user-id', userId);
  return card;
}

test('shows "Loading this user…" until the profile comes, then the profile', async ({ page }) => {
  await openConsole(page, { send: [['小龙女', '主播好！'], ['小龙女', '这首歌太好听了']] });
  const card = await openCard(page, '小龙女', () => holdNext(page, 'userCard'));
  await expect(card.getByTestId('user-profile')).toHaveAttribute('data-state', 'loading');
  await expect(card.getByTestId('user-card-loading')).toHaveText('Loading this user…');
  await expect(card.getByTestId('user-note')).toBeDisabled();
  await release(page, 'userCard');
  await expect(card.getByTestId('user-profile')).toHaveAttribute('data-state', 'ready');
  await expect(card.getByTestId('user-stat-messages')).toHaveText('3');
  await expect(card.getByTestId('user-message')).toHaveCount(3);
  await expect(card.getByTestId('user-message').first()).toContainText('主播好！');
  await expect(card.getByTestId('user-level')).toHaveText(/^Level \d+$/);
  await expect(card.getByTestId('user-actions')).toHaveText('Nothing done about this user yet');
  await expect(card.getByTestId('user-card-status')).toHaveText('Not muted');
});

test('a refused profile says why, the actions still work, and Retry loads it', async ({ page }) => {
  await openConsole(page);
  const card = await openCard(page, 'jordan_k', () => failNext(page, 'userCard', REFUSED));
  await expect(card.getByTestId('user-profile')).toHaveAttribute('data-state', 'error');
  await expect(card.getByTestId('user-card-load-error')).toHaveText(REFUSED.message);
  await expect(card.getByTestId('user-mute')).toBeEnabled();
  await card.getByTestId('user-card-retry').click();
  await expect(card.getByTestId('user-profile')).toHaveAttribute('data-state', 'ready');
  await expect(card.getByTestId('user-card-load-error')).toHaveCount(0);
});

test('a viewer never seen in the room has an empty profile', async ({ page }) => {
  await openConsole(page, { events: [{ type: 'userKicked', userId: 'ghost_viewer' }] });
  const moderation = await openTab(page, 'moderation');
  await moderation.getByTestId('blocked-list').getByRole('button', { name: 'ghost_viewer' }).click();
  const card = page.getByTestId('user-card');
  await expect(card.getByTestId('user-seen')).toHaveText('Not seen in this room yet');
  await expect(card.getByTestId('user-messages')).toHaveText('No messages');
  await expect(card.getByTestId('user-card-blocked')).toHaveText('Blocked from the room');
});

test('a mute preset with a reason mutes, shows progress, and is audited with both', async ({ page }) => {
  await openConsole(page);
  const card = await openCard(page, 'nightowl42');
  await card.getByTestId('mute-reason').fill('spamming links');
  await card.getByTestId('mute-duration').selectOption({ label: '1 hour' });
  await holdNext(page, 'moderate');
  await card.getByTestId('user-mute').click();
  await expect(card).toHaveAttribute('aria-busy', 'true');
  await expect(card.getByTestId('user-mute')).toHaveText('Working…');
  await expect(card.getByTestId('user-kick')).toBeDisabled();
  await release(page, 'moderate');

  await expect(card).toHaveAttribute('data-muted', 'true');
  await expect(card.getByTestId('user-card-status')).toHaveText(/Muted · (59:\d\d|1:00:00|1 h) left/);
  await expect(card.getByTestId('user-action').first()).toHaveAttribute('data-action', 'mute');
  await expect(card.getByTestId('user-action').first()).toContainText('Reason: spamming links');
  expect(await callsOf(page, 'moderate')).toEqual([
    [{ type: 'mute', userId: 'nightowl42', seconds: 3600, untilEndOfStream: false, reason: 'spamming links' }],
  ]);
  await expect(page.locator('[data-testid=system-line][data-kind=muted]')).toContainText('nightowl42');

  // Unmute lifts it.
  await card.getByTestId('user-unmute').click();
  await expect(card).toHaveAttribute('data-muted', 'false');
  await expect(card.getByTestId('user-card-status')).toHaveText('Not muted');
});

test('"until the end of this stream" mutes until the room ends', async ({ page }) => {
  await openConsole(page, { options: { room: { status: 'live' } } });
  const card = await openCard(page, 'ava_rose');
  await card.getByTestId('mute-duration').selectOption({ label: 'Until the end of this stream' });
  await card.getByTestId('user-mute').click();
  await expect(card).toHaveAttribute('data-muted', 'true');
  const [[action]] = (await callsOf(page, 'moderate')) as [[{ untilEndOfStream: boolean }]];
  expect(action.untilEndOfStream).toBe(true);
  await page.keyboard.press('Escape');
  await expect(card).toHaveCount(0);
  // The stream ends: the room lifts the mute.
  await page.getByTestId('status-toggle').click();
  await page.getByTestId('status-option-ended').click();
  await page.getByTestId('status-end-yes').click(); // ending asks first
  await expect(page.locator('[data-testid=system-line][data-kind=unmuted]')).toContainText('ava_rose');
});

test('kick blocks the viewer and removes them from the members; unblock lets them back', async ({ page }) => {
  await openConsole(page, { events: [{ type: 'memberJoined', userId: 'maple_tea', at: Date.now() }] });
  const card = await openCard(page, 'maple_tea');
  await card.getByTestId('mute-reason').fill('raid');
  await card.getByTestId('user-kick').click();
  await expect(card).toHaveAttribute('data-blocked', 'true');
  await expect(card.getByTestId('user-card-blocked')).toBeVisible();
  await expect(card.getByTestId('user-action').first()).toHaveAttribute('data-action', 'kick');
  await expect(page.locator('[data-testid=system-line][data-kind=kicked]')).toContainText('maple_tea');
  await card.getByTestId('user-unblock').click();
  await expect(card).toHaveAttribute('data-blocked', 'false');
  await expect(card.getByTestId('user-unblock')).toHaveCount(0);
});

test('ban for a chosen time asks first, then blocks until then; unban lifts it', async ({ page }) => {
  await openConsole(page);
  const card = await openCard(page, '민준_kr');
  await card.getByTestId('ban-duration').selectOption({ label: '7 days' });
  // A ban asks first; No takes it back and nothing is sent.
  await card.getByTestId('user-ban').click();
  await expect(card.getByTestId('user-ban-question')).toContainText('민준_kr');
  await expect(card.getByTestId('user-ban-question')).toContainText('7 days');
  await card.getByTestId('user-ban-cancel').click();
  await expect(card.getByTestId('user-ban-question')).toHaveCount(0);
  expect(await callsOf(page, 'moderate')).toEqual([]);
  await card.getByTestId('user-ban').click();
  await card.getByTestId('user-ban-confirm').click();
  await expect(card.getByTestId('user-ban-question')).toHaveCount(0);
  await expect(card).toHaveAttribute('data-blocked', 'true');
  await expect(card.getByTestId('user-card-blocked')).toContainText('Blocked from the room until');
  const [[ban]] = (await callsOf(page, 'moderate')) as [[{ type: string; seconds: number }]];
  expect(ban).toMatchObject({ type: 'ban', seconds: 604800 });
  await card.getByTestId('user-unban').click();
  await expect(card).toHaveAttribute('data-blocked', 'false');
  await page.keyboard.press('Escape');
  const audit = await openTab(page, 'audit');
  await expect(audit.getByTestId('audit-line').first()).toHaveAttribute('data-action', 'unban');
});

test('a refused action says why in the card and changes nothing', async ({ page }) => {
  await openConsole(page);
  const card = await openCard(page, 'leo.streams');
  await failNext(page, 'moderate', REFUSED);
  await card.getByTestId('user-kick').click();
  await expect(card.getByTestId('user-card-error')).toHaveText(REFUSED.message);
  await expect(card).toHaveAttribute('data-blocked', 'false');
  await expect(card.getByTestId('user-kick')).toBeEnabled();
});

test('the note counts bytes, saves, and refuses over 2000 bytes', async ({ page }) => {
  await openConsole(page);
  const card = await openCard(page, 'さくら_jp');
  const note = card.getByTestId('user-note');
  await expect(note).toBeEnabled();
  await note.fill('常連さん');
  await expect(card.getByTestId('user-note-bytes')).toHaveText('12 / 2000 bytes');
  await card.getByTestId('user-note-save').click();
  await expect(card.getByTestId('user-note-saved')).toHaveText('Note saved');
  expect(await callsOf(page, 'setNote')).toEqual([['さくら_jp', '常連さん']]);

  await note.fill('あ'.repeat(667));
  await expect(card.getByTestId('user-note-bytes')).toHaveAttribute('data-over', 'true');
  await expect(card.getByTestId('user-note-save')).toBeDisabled();
});

test('Escape and a click outside close the card', async ({ page }) => {
  await openConsole(page);
  const card = await openCard(page, 'ハル');
  await page.keyboard.press('Escape');
  await expect(card).toHaveCount(0);
  await page.locator('[data-key="c:card-ハル"]').getByTestId('chat-user').click();
  await expect(card).toBeVisible();
  await page.mouse.click(5, 790);
  await expect(card).toHaveCount(0);
});
