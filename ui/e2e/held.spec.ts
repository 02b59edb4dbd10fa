// Why: the held-for-review queue — what a "hold" word rule kept back, with the badge on its tab;
// Approve re-sends the message into the chat, Reject drops it (the moderators' row of it in the chat
// says which); each in progress, done and refused, and a line resolved by another moderator leaves by
// itself.
import { expect, test } from '@playwright/test';
import { REFUSED, failNext, holdNext, openConsole, openTab, push, release, send } from './support';

/** Caught by the fake's sample word list's "hold" rules. */
const HELD: Array<[string, string]> = [
  ['nightowl42', 'FREE COINS on my profile!!'],
  ['橘子汽水', '免费金币，快来'],
  ['さくら_jp', 'ﾊﾞｶじゃないの'],
];

test('an empty queue says nothing is waiting and its tab has no badge', async ({ page }) => {
  await openConsole(page);
  await expect(page.getByTestId('held-count')).toHaveCount(0);
  const panel = await openTab(page, 'held');
  await expect(panel.getByTestId('held-line')).toHaveCount(0);
  await expect(panel.getByTestId('held-queue')).toHaveText('Nothing is waiting for review');
});

test('held messages wait oldest first, with sender, rule and a count on the tab', async ({ page }) => {
  await openConsole(page, { send: HELD });
  await expect(page.getByTestId('held-count')).toHaveText('3');
  const panel = await openTab(page, 'held');
  const lines = panel.getByTestId('held-line');
  await expect(lines).toHaveCount(3);
  await expect(lines.nth(0)).toHaveAttribute('data-user-id', 'nightowl42');
  await expect(lines.nth(0)).toContainText('FREE COINS on my profile!!');
  await expect(lines.nth(0)).toContainText('free coins');
  await expect(lines.nth(1)).toContainText('免费金币，快来');

  // A new one arrives while the tab is open.
  await send(page, 'jordan_k', 'you are an idiot');
  await expect(lines).toHaveCount(4);
  await expect(page.getByTestId('held-count')).toHaveText('4');
});

test('approving shows progress, then the message leaves the queue and reaches the chat', async ({ page }) => {
  await openConsole(page, { send: HELD });
  const panel = await openTab(page, 'held');
  const first = panel.getByTestId('held-line').first();
  await holdNext(page, 'resolveHeld');
  await first.getByTestId('held-approve').click();
  await expect(first).toHaveAttribute('aria-busy', 'true');
  await expect(first.getByTestId('held-approve')).toHaveText('Working…');
  await expect(first.getByTestId('held-reject')).toBeDisabled();
  await release(page, 'resolveHeld');

  await expect(panel.getByTestId('held-line')).toHaveCount(2);
  await expect(page.getByTestId('held-count')).toHaveText('2');
  await expect(page.getByTestId('chat-line').last()).toContainText('FREE COINS on my profile!!');
  await expect(page.getByTestId('chat-line').last()).toHaveAttribute('data-user-id', 'nightowl42');
  // The moderators' row of it says it was approved.
  await expect(page.locator('[data-testid=held-row][data-user-id=nightowl42]')).toHaveAttribute('data-resolution', 'approved');
});

test('rejecting drops the message: it never reaches the chat as a line, and the last one empties the queue', async ({ page }) => {
  await openConsole(page, { send: [HELD[1]] });
  // Moderators see what was held among the chat, marked as held.
  const heldRow = page.getByTestId('held-row');
  await expect(heldRow).toHaveAttribute('data-resolution', 'pending');
  await expect(heldRow).toContainText('Held for review');
  const panel = await openTab(page, 'held');
  await panel.getByTestId('held-reject').click();
  await expect(panel.getByTestId('held-line')).toHaveCount(0);
  await expect(panel.getByTestId('held-queue')).toHaveText('Nothing is waiting for review');
  await expect(page.getByTestId('held-count')).toHaveCount(0);
  // Viewers never got it: no chat line; the moderators' row now says it was rejected.
  await expect(page.getByTestId('chat-line')).toHaveCount(0);
  await expect(heldRow).toHaveAttribute('data-resolution', 'rejected');
  await expect(heldRow).toContainText('Rejected');
  await expect(heldRow).not.toContainText('Held for review');
  await expect(heldRow).toContainText('免费金币，快来');
});

test('a refused approval says why on its line, which stays', async ({ page }) => {
  await openConsole(page, { send: HELD });
  const panel = await openTab(page, 'held');
  await failNext(page, 'resolveHeld', REFUSED);
  const first = panel.getByTestId('held-line').first();
  await first.getByTestId('held-approve').click();
  await expect(first.getByTestId('held-error')).toHaveText(REFUSED.message);
  await expect(panel.getByTestId('held-line')).toHaveCount(3);
  await expect(first.getByTestId('held-approve')).toBeEnabled();
});

test('a message another moderator resolved leaves the queue by itself', async ({ page }) => {
  await openConsole(page, { send: HELD });
  const panel = await openTab(page, 'held');
  const id = Number(await panel.getByTestId('held-line').nth(1).getAttribute('data-held-id'));
  await push(page, { type: 'heldResolved', id, approved: false, actor: 'mod_mei' });
  await expect(panel.getByTestId('held-line')).toHaveCount(2);
  await expect(panel.locator(`[data-held-id="${id}"]`)).toHaveCount(0);
});
