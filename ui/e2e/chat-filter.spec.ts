// Why: the chat's kinds of line and its filters under real rendering — text, gifts, like bursts,
// system lines, and what the word list held, refused or dropped, each reading apart, with the viewer's
// level and badges; the search (any case or width, CJK anywhere, user ids too), "only this user" (from
// a line or the user card), the kind toggles, "no lines match" with Clear filters, and the "N new" pill
// counting only the lines the filter shows.
import { expect, test, type Page } from '@playwright/test';
import { chat, gift, openConsole, push, send } from './support';

/** A little of everything: three scripts of text, a gift, likes, a mute, and the word list at work. */
async function mixedRoom(page: Page) {
  await push(
    page,
    chat('ava_rose', 'hello from Toronto!', { id: 'm-ava' }),
    chat('小龙女', '这首歌太好听了', { id: 'm-xln' }),
    chat('지민이', '노래 너무 좋아요', { id: 'm-jm' }),
    gift('maple_tea', 'Rocket 🚀', 1, 520),
    gift('지민이', 'Rose 🌹', 5, 1),
    { type: 'likes', total: 60 },
    { type: 'userMuted', userId: 'nightowl42', until: Math.floor(Date.now() / 1000) + 600 },
  );
  await send(page, 'nightowl42', 'FREE COINS on my profile!!');
  await send(page, '민준_kr', '아 시발 진짜');
  await send(page, '小龙女', '加微信 领福利');
  await expect(page.getByTestId('filtered-row')).toHaveCount(2);
}

test('every kind of line reads apart, with the viewer’s level and badges', async ({ page }) => {
  await openConsole(page);
  await mixedRoom(page);
  const feed = page.getByTestId('chat-feed');
  await expect(feed.getByTestId('chat-line')).toHaveCount(3);

  const rocket = feed.getByTestId('gift-row').first();
  await expect(rocket).toHaveAttribute('data-user-id', 'maple_tea');
  await expect(rocket).toContainText('maple_tea sent Rocket 🚀 ×1');
  await expect(rocket).toContainText('520 coins');
  // The top gifter wears their rank wherever they appear.
  await expect(rocket.getByTestId('chat-badge')).toHaveAttribute('data-rank', '1');
  await expect(rocket.getByTestId('chat-badge')).toHaveAttribute('title', 'Top gifter #1');
  await expect(page.locator('[data-key="c:m-jm"]').getByTestId('chat-badge')).toHaveAttribute('data-rank', '2');

  // Likes come as one row per burst that counts up while it lasts, not a row per like.
  const likes = feed.getByTestId('likes-row');
  await expect(likes).toHaveText(/60 likes/);
  await push(page, { type: 'likes', total: 95 });
  await expect(likes).toHaveCount(1);
  await expect(likes).toHaveText(/95 likes/);
  await expect(likes).toHaveAttribute('title', 'Total likes: 95');

  await expect(feed.locator('[data-testid=system-line][data-kind=muted]')).toContainText('nightowl42');
  // What the word list kept back, for moderators only: held (until reviewed), dropped and refused.
  const held = feed.getByTestId('held-row');
  await expect(held).toHaveAttribute('data-resolution', 'pending');
  await expect(held).toContainText('Held for review');
  await expect(held).toContainText('FREE COINS on my profile!!');
  await expect(held).toContainText('Rule: free coins');
  await expect(held.getByTestId('chat-badge')).toHaveAttribute('data-badge', 'muted');
  const filtered = feed.getByTestId('filtered-row');
  await expect(filtered.nth(0)).toHaveAttribute('data-action', 'drop');
  await expect(filtered.nth(0)).toContainText('Dropped');
  await expect(filtered.nth(0)).toContainText('Rule: 시발');
  await expect(filtered.nth(1)).toHaveAttribute('data-action', 'refuse');
  await expect(filtered.nth(1)).toContainText('Refused');
  // None of those reached the chat as a line.
  await expect(feed.getByTestId('chat-line').filter({ hasText: 'FREE COINS' })).toHaveCount(0);

  // Levels are looked up for the chatters shown, a few a second, and then sit beside their names.
  const level = page.locator('[data-key="c:m-ava"]').getByTestId('chat-level');
  await expect(level).toHaveText(/^Lv \d+$/);
  await expect(level).toHaveAttribute('title', /^Level \d+$/);
});

test('the search finds words and user ids in any case, width or script, and says how many it shows', async ({ page }) => {
  await openConsole(page);
  await mixedRoom(page);
  const search = page.getByTestId('chat-search');
  const feed = page.getByTestId('chat-feed');
  const total = await feed.locator('[data-key]').count();
  await expect(page.getByTestId('chat-filter-count')).toHaveCount(0);

  await search.fill('TORONTO');
  await expect(feed.locator('[data-key]')).toHaveCount(1);
  await expect(feed.getByTestId('chat-line')).toHaveAttribute('data-key', 'c:m-ava');
  await expect(feed).toHaveAttribute('data-filtered', 'true');
  await expect(page.getByTestId('chat-filter-count')).toHaveText(`1 of ${total}`);
  // Full-width letters match their plain forms.
  await search.fill('ｔｏｒｏｎｔｏ');
  await expect(feed.getByTestId('chat-line')).toHaveAttribute('data-key', 'c:m-ava');
  // Chinese matches anywhere in a line, without word boundaries.
  await search.fill('好听');
  await expect(feed.locator('[data-key]')).toHaveCount(1);
  await expect(feed.getByTestId('chat-line')).toHaveAttribute('data-key', 'c:m-xln');
  // A user id finds everything by that viewer: their text and their gift.
  await search.fill('지민');
  await expect(feed.getByTestId('chat-line')).toHaveCount(1);
  await expect(feed.getByTestId('gift-row')).toHaveCount(1);
  await expect(feed.getByTestId('gift-row')).toHaveAttribute('data-user-id', '지민이');
  // A gift's name is searchable too, and so are held and filtered lines.
  await search.fill('rocket');
  await expect(feed.getByTestId('gift-row')).toHaveAttribute('data-user-id', 'maple_tea');
  await search.fill('free coins');
  await expect(feed.getByTestId('held-row')).toHaveCount(1);

  // Nothing matches: it says so, and Clear filters shows everything again.
  await search.fill('karaoke tonight');
  await expect(page.getByTestId('chat-no-matches')).toContainText('No lines match the filter');
  await expect(page.getByTestId('chat-filter-count')).toHaveText(`0 of ${total}`);
  await page.getByTestId('chat-clear-filters').click();
  await expect(search).toHaveValue('');
  await expect(feed.locator('[data-key]')).toHaveCount(total);
  await expect(feed).toHaveAttribute('data-filtered', 'false');

  // Escape empties the box first, then leaves it.
  await search.fill('hello');
  await search.press('Escape');
  await expect(search).toHaveValue('');
  await expect(search).toBeFocused();
  await search.press('Escape');
  await expect(search).not.toBeFocused();
});

test('"only this user" from a line or from the user card shows one viewer until the chip is cleared', async ({ page }) => {
  await openConsole(page);
  await mixedRoom(page);
  const feed = page.getByTestId('chat-feed');
  const total = await feed.locator('[data-key]').count();
  const line = page.locator('[data-key="c:m-jm"]');
  await line.hover();
  await line.getByTestId('chat-only-user').click();
  const chip = page.getByTestId('chat-user-filter');
  await expect(chip).toHaveAttribute('data-user-id', '지민이');
  await expect(chip).toHaveText('Only 지민이');
  await expect(feed.locator('[data-key]')).toHaveCount(2);
  await expect(feed.getByTestId('gift-row')).toHaveAttribute('data-user-id', '지민이');
  // Words narrow it further.
  await page.getByTestId('chat-search').fill('노래');
  await expect(feed.locator('[data-key]')).toHaveCount(1);
  await page.getByTestId('chat-search').fill('');
  await page.getByTestId('chat-user-filter-clear').click();
  await expect(chip).toHaveCount(0);
  await expect(feed.locator('[data-key]')).toHaveCount(total);

  // From the user card: the card closes and the chat shows that viewer (held lines included).
  await page.getByTestId('held-row').getByRole('button', { name: 'nightowl42' }).click();
  const card = page.getByTestId('user-card');
  await card.getByTestId('user-filter-chat').click();
  await expect(card).toHaveCount(0);
  await expect(chip).toHaveAttribute('data-user-id', 'nightowl42');
  await expect(feed.getByTestId('held-row')).toHaveCount(1);
  await expect(feed.getByTestId('chat-line')).toHaveCount(0);
  // Their new lines show as they come; others' do not.
  await push(page, chat('nightowl42', 'sorry about that', { id: 'm-sorry' }), chat('ava_rose', 'lol'));
  await expect(feed.getByTestId('chat-line')).toHaveCount(1);
  await expect(feed.getByTestId('chat-line')).toHaveAttribute('data-key', 'c:m-sorry');
});

test('kind toggles hide and show each kind of line, together with the search', async ({ page }) => {
  await openConsole(page);
  await mixedRoom(page);
  const feed = page.getByTestId('chat-feed');
  const kinds = ['text', 'gift', 'likes', 'system', 'mod'] as const;
  for (const kind of kinds) await expect(page.getByTestId(`chat-kind-${kind}`)).toHaveAttribute('aria-pressed', 'true');

  const count = (testid: string) => feed.getByTestId(testid);
  await page.getByTestId('chat-kind-text').click();
  await expect(page.getByTestId('chat-kind-text')).toHaveAttribute('aria-pressed', 'false');
  await expect(count('chat-line')).toHaveCount(0);
  await expect(count('gift-row')).toHaveCount(2);
  await page.getByTestId('chat-kind-gift').click();
  await expect(count('gift-row')).toHaveCount(0);
  await page.getByTestId('chat-kind-likes').click();
  await expect(count('likes-row')).toHaveCount(0);
  await page.getByTestId('chat-kind-system').click();
  await expect(count('system-line')).toHaveCount(0);
  // Only what the word list kept back is left: a moderator's review view.
  await expect(count('held-row')).toHaveCount(1);
  await expect(count('filtered-row')).toHaveCount(2);
  await expect(feed.locator('[data-key]')).toHaveCount(3);
  await page.getByTestId('chat-search').fill('加微信');
  await expect(feed.locator('[data-key]')).toHaveCount(1);
  await expect(count('filtered-row')).toHaveAttribute('data-action', 'refuse');
  await page.getByTestId('chat-kind-mod').click();
  await expect(page.getByTestId('chat-no-matches')).toBeVisible();

  await page.getByTestId('chat-search').fill('');
  for (const kind of kinds) await page.getByTestId(`chat-kind-${kind}`).click();
  await expect(feed).toHaveAttribute('data-filtered', 'false');
  await expect(page.getByTestId('chat-filter-count')).toHaveCount(0);
  await expect(count('chat-line')).toHaveCount(3);
});

test('while filtered and scrolled up, "N new" counts only the lines the filter shows', async ({ page }) => {
  await openConsole(page);
  // Enough of ava_rose's lines among others' to scroll.
  const lines = Array.from({ length: 150 }, (_, i) => chat(i % 3 === 0 ? 'ava_rose' : `viewer_${i}`, `line ${i}`, { id: `f-${i}` }));
  await push(page, ...lines);
  const feed = page.getByTestId('chat-feed');
  await expect(feed).toHaveAttribute('data-row-count', '150');
  await page.getByTestId('chat-search').fill('ava_rose');
  await expect(feed).toHaveAttribute('data-row-count', '50');
  // A new filter starts at its latest line.
  await expect(feed).toHaveAttribute('data-stick', 'true');
  await expect(feed.getByTestId('chat-line').last()).toBeInViewport();

  await feed.evaluate((el) => (el.scrollTop = 100));
  await expect(feed).toHaveAttribute('data-stick', 'false');
  await push(page, chat('jordan_k', 'not counted'), chat('ava_rose', 'counted one'), chat('leo.streams', 'not counted'));
  await push(page, chat('ava_rose', 'counted two'), chat('maple_tea', 'not counted'));
  await expect(page.getByTestId('new-messages')).toHaveText(/^2 new/);
  expect(await feed.evaluate((el) => el.scrollTop)).toBe(100);
  await page.getByTestId('new-messages').click();
  await expect(page.getByTestId('new-messages')).toHaveCount(0);
  await expect(feed.getByTestId('chat-line').last()).toContainText('counted two');
  await expect(feed.getByTestId('chat-line').last()).toBeInViewport();
});
