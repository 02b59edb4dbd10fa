// Why: the keyboard shortcuts as an anchor presses them — `/` to the chat search, Ctrl+1…8 to the side
// tabs, End to the latest chat, `?` for the list of keys (which takes every key while open); in the
// user card 1–4 mute for a preset time, K kicks, B asks before banning, U lifts what holds the viewer,
// N goes to the note — and none of them while typing in a field.
import { expect, test, type Page } from '@playwright/test';
import { callsOf, chat, openConsole, push } from './support';

const TABS = ['gifts', 'held', 'moderation', 'audit', 'room', 'stream', 'words', 'team'] as const;

/** Opens `userId`'s card from a chat line, once their level is known (a lookup is a `userCard` call). */
async function openCard(page: Page, userId: string) {
  await push(page, chat(userId, 'hi', { id: `k-${userId}` }));
  await page.locator(`[data-key="c:k-${userId}"]`).getByTestId('chat-user').click();
  const card = page.getByTestId('user-card');
  await expect(card).toHaveAttribute('data-user-id', userId);
  await expect(card.getByTestId('user-profile')).toHaveAttribute('data-state', 'ready');
  return card;
}

const moderations = async (page: Page) => ((await callsOf(page, 'moderate')) as Array<[{ type: string; seconds?: number }]>).map(([a]) => a);

test('/ goes to the chat search, Ctrl+1…8 to the side tabs, End to the latest chat — not while typing', async ({ page }) => {
  await openConsole(page);
  // Ctrl+digit walks the tabs, each shown with its key in the tooltip.
  for (const [i, tab] of [...TABS.entries()].reverse()) {
    await page.keyboard.press(`Control+${i + 1}`);
    await expect(page.getByTestId(`tab-${tab}`)).toHaveAttribute('aria-selected', 'true');
  }
  await expect(page.getByTestId('tab-audit')).toHaveAttribute('title', 'Audit (Ctrl+4)');
  await page.keyboard.press('Control+9');
  await expect(page.getByTestId('tab-gifts')).toHaveAttribute('aria-selected', 'true');

  await page.keyboard.press('/');
  const search = page.getByTestId('chat-search');
  await expect(search).toBeFocused();
  // Typed into the box, `/` and digits are text, not shortcuts.
  await page.keyboard.type('a/b 3');
  await expect(search).toHaveValue('a/b 3');
  await page.keyboard.press('Control+3');
  await expect(page.getByTestId('tab-gifts')).toHaveAttribute('aria-selected', 'true');
  await search.press('Escape');
  await search.press('Escape');

  // End: back to the newest line from wherever the anchor was reading.
  await push(page, ...Array.from({ length: 120 }, (_, i) => chat('viewer', `line ${i}`, { id: `e-${i}` })));
  const feed = page.getByTestId('chat-feed');
  await expect(feed).toHaveAttribute('data-row-count', '120');
  await feed.evaluate((el) => (el.scrollTop = 0));
  await expect(feed).toHaveAttribute('data-stick', 'false');
  await push(page, chat('viewer', 'the newest'));
  await expect(page.getByTestId('new-messages')).toHaveAttribute('title', 'Jump to the latest messages (End)');
  await page.keyboard.press('End');
  await expect(page.getByTestId('new-messages')).toHaveCount(0);
  await expect(feed.getByTestId('chat-line').last()).toBeInViewport();
});

test('? lists every shortcut; while open it takes the keys; Escape or ? closes it and focus goes back', async ({ page }) => {
  await openConsole(page);
  const search = page.getByTestId('chat-search');
  await search.focus();
  await search.press('Escape'); // leaves the box: ? typed in it would be text
  await page.getByTestId('tab-room').focus();
  await page.keyboard.press('?');
  const help = page.getByTestId('shortcuts-help');
  await expect(help).toBeVisible();
  await expect(page.getByTestId('shortcuts-close')).toBeFocused();
  const global = help.getByTestId('shortcuts-global').getByTestId('shortcut-line');
  await expect(global).toHaveText(['/ Search the chat', 'Ctrl+1–8 Switch to side tab 1 to 8', 'End Jump to the latest chat', '? Show this list']);
  const card = help.getByTestId('shortcuts-card').getByTestId('shortcut-line');
  await expect(card).toHaveText([
    '1 Mute for 1 min',
    '2 Mute for 10 min',
    '3 Mute for 1 h',
    '4 Mute for 1 d',
    'K Kick',
    'B Ban (asks first)',
    'U Unmute, or lift a ban or kick',
    'N Write a note',
    'Esc Close the card',
  ]);
  await expect(help).toContainText('Shortcuts pause while you type in a field.');
  // The keys are the list's while it is open.
  await page.keyboard.press('Control+2');
  await page.keyboard.press('/');
  await expect(page.getByTestId('tab-gifts')).toHaveAttribute('aria-selected', 'true');
  await expect(search).not.toBeFocused();
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  await expect(page.getByTestId('tab-room')).toBeFocused();

  // The header's button opens it too; ? closes it again.
  await page.getByTestId('shortcuts-open').click();
  await expect(help).toBeVisible();
  await page.keyboard.press('?');
  await expect(help).toHaveCount(0);
});

test('in the user card 1–4 mute for the preset times and U lifts the mute; keys in its fields are text', async ({ page }) => {
  await openConsole(page);
  const card = await openCard(page, 'nightowl42');
  // Each preset button shows its key and says it in its tooltip.
  const presets = card.getByTestId('user-mute-preset');
  await expect(presets.locator('kbd')).toHaveText(['1', '2', '3', '4']);
  await expect(presets.nth(2)).toHaveAttribute('data-seconds', '3600');
  await expect(presets.nth(2)).toHaveAttribute('title', 'Mute for 1 hour (3)');

  await page.keyboard.press('3');
  await expect(card).toHaveAttribute('data-muted', 'true');
  await expect(card.getByTestId('user-card-status')).toHaveText(/Muted · /);
  await page.keyboard.press('u');
  await expect(card).toHaveAttribute('data-muted', 'false');
  await page.keyboard.press('1');
  await expect(card).toHaveAttribute('data-muted', 'true');
  await page.keyboard.press('U');
  await expect(card).toHaveAttribute('data-muted', 'false');
  // The reason typed goes with the next preset; its digits and letters are not shortcuts.
  await card.getByTestId('mute-reason').fill('');
  await card.getByTestId('mute-reason').pressSequentially('spam 4 u k');
  await expect(card).toHaveAttribute('data-muted', 'false');
  await card.getByTestId('user-card-status').click(); // out of the field
  await page.keyboard.press('4');
  await expect(card).toHaveAttribute('data-muted', 'true');
  expect(await moderations(page)).toEqual([
    expect.objectContaining({ type: 'mute', seconds: 3600 }),
    expect.objectContaining({ type: 'unmute' }),
    expect.objectContaining({ type: 'mute', seconds: 60 }),
    expect.objectContaining({ type: 'unmute' }),
    expect.objectContaining({ type: 'mute', seconds: 86400, reason: 'spam 4 u k' }),
  ]);
  // 5 and up are not presets.
  await page.keyboard.press('U');
  await page.keyboard.press('5');
  await expect(card).toHaveAttribute('data-muted', 'false');
});

test('in the user card K kicks, B asks before banning (Escape takes the question back), U lifts it, N goes to the note', async ({ page }) => {
  await openConsole(page);
  const card = await openCard(page, '민준_kr');

  await page.keyboard.press('b');
  const question = card.getByTestId('user-ban-question');
  await expect(question).toContainText('Ban 민준_kr for 24 hours?');
  await expect(card.getByTestId('user-ban-confirm')).toBeFocused();
  // Escape takes the question back first; the card stays.
  await page.keyboard.press('Escape');
  await expect(question).toHaveCount(0);
  await expect(card).toBeVisible();
  expect(await moderations(page)).toEqual([]);
  await page.keyboard.press('B');
  await page.keyboard.press('Enter');
  await expect(card).toHaveAttribute('data-blocked', 'true');
  await expect(card.getByTestId('user-card-blocked')).toContainText('Blocked from the room until');
  await page.keyboard.press('u');
  await expect(card).toHaveAttribute('data-blocked', 'false');

  await page.keyboard.press('k');
  await expect(card).toHaveAttribute('data-blocked', 'true');
  await expect(card.getByTestId('user-card-blocked')).toHaveText('Blocked from the room');
  await page.keyboard.press('u');
  await expect(card).toHaveAttribute('data-blocked', 'false');
  expect((await moderations(page)).map((a) => a.type)).toEqual(['ban', 'unban', 'kick', 'unblock']);

  await page.keyboard.press('n');
  await expect(card.getByTestId('user-note')).toBeFocused();
  // In the note, letters are the note's.
  await page.keyboard.type('kb');
  await expect(card.getByTestId('user-note')).toHaveValue('kb');
  await expect(card).toHaveAttribute('data-blocked', 'false');

  // The card is modal: the window's keys wait, except ? which opens the list over it.
  await card.getByTestId('user-card-status').click();
  await page.keyboard.press('Control+5');
  await expect(page.getByTestId('tab-gifts')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts-help')).toBeVisible();
  // A letter pressed at the list does nothing to the card behind it.
  await page.keyboard.press('k');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('shortcuts-help')).toHaveCount(0);
  await expect(card).toHaveAttribute('data-blocked', 'false');
  expect(await moderations(page)).toHaveLength(4);
  await page.keyboard.press('Escape');
  await expect(card).toHaveCount(0);
});
