// Why: the chat feed under real rendering — empty, a busy room's thousand-plus lines kept to a bounded
// list of which only the lines in view are in the DOM, following the newest lines while at the bottom,
// holding still with an "N new" pill while the anchor reads above (also while older lines are trimmed
// above), system lines for moderation, and hiding a line (in progress, done, refused).
import { expect, test, type Page } from '@playwright/test';
import { REFUSED, chat, failNext, holdNext, openConsole, push, release } from './support';

/** The chat feed keeps at most this many rows (Room's default `chatCap`, lib/feed.ts). */
const CHAT_CAP = 500;

/** `count` chat lines in batches of `batch`, as a busy room delivers them; returns the last line's text. */
async function flood(page: Page, count: number, batch = 50, prefix = 'line'): Promise<string> {
  await page.evaluate(
    ([n, size, p]) => {
      const fake = window.__anchordeskFake;
      const langs = ['hello from Toronto!', '主播好！', '안녕하세요!', 'こんばんは！'];
      for (let i = 0; i < n; i += size) {
        const events = [];
        for (let j = i; j < Math.min(n, i + size); j++) {
          events.push({ type: 'chat' as const, id: `${p}-${j}`, userId: `viewer_${j % 37}`, text: `${p} ${j} ${langs[j % 4]}`, at: Date.now(), hidden: false });
        }
        fake.push(...events);
      }
    },
    [count, batch, prefix] as const,
  );
  return `${prefix} ${count - 1} `;
}

test('an empty room says there are no messages yet', async ({ page }) => {
  await openConsole(page);
  await expect(page.getByTestId('chat-line')).toHaveCount(0);
  await expect(page.getByTestId('chat-feed')).toHaveText('No messages yet');
});

test('lines show who said what, in any script, newest at the bottom', async ({ page }) => {
  await openConsole(page);
  await push(page, chat('ava_rose', 'hello from Toronto!'), chat('小龙女', '这首歌太好听了'), chat('지민이', '노래 너무 좋아요'));
  await push(page, chat('さくら_jp', 'この曲好き'));
  const lines = page.getByTestId('chat-line');
  await expect(lines).toHaveCount(4);
  await expect(lines.nth(0)).toHaveAttribute('data-user-id', 'ava_rose');
  await expect(lines.nth(1).getByTestId('chat-user')).toHaveText('小龙女');
  await expect(lines.nth(1)).toContainText('这首歌太好听了');
  await expect(lines.last()).toContainText('この曲好き');
  await expect(page.getByTestId('chat-feed')).not.toContainText('No messages yet');
});

test('a thousand-plus lines stay a bounded list that follows the newest line', async ({ page }) => {
  await openConsole(page);
  const last = await flood(page, 1200);
  const lines = page.getByTestId('chat-line');
  const feed = page.getByTestId('chat-feed');
  await expect(lines.last()).toContainText(last);
  // The ring buffer trims in chunks: never more than the cap, and the oldest lines are gone.
  const count = Number(await feed.getAttribute('data-row-count'));
  expect(count).toBeLessThanOrEqual(CHAT_CAP);
  expect(count).toBeGreaterThan(CHAT_CAP - 100);
  // Only the lines in view, and a margin, are in the DOM.
  expect(await lines.count()).toBeLessThan(80);
  // Still following: scrolled to the bottom, no pill.
  await expect(feed).toHaveAttribute('data-stick', 'true');
  await expect(page.getByTestId('new-messages')).toHaveCount(0);
  const gap = await feed.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
  expect(gap).toBeLessThanOrEqual(32);
  // Rows are keyed by message id: one per id, none repeated.
  const keys = await page.locator('[data-testid=chat-line]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.key));
  expect(new Set(keys).size).toBe(keys.length);
  // At the very top: the oldest line kept, and none trimmed before it.
  await feed.evaluate((el) => (el.scrollTop = 0));
  await expect(lines.first()).toHaveAttribute('data-key', `c:line-${1200 - count}`);
  await expect(lines.first()).toBeInViewport();
  await expect(page.locator('[data-key="c:line-0"]')).toHaveCount(0);
});

/** The line at the top of the feed's view, and where it starts relative to the view (px). */
async function topLine(page: Page): Promise<{ key: string; y: number }> {
  return page.getByTestId('chat-feed').evaluate((feed) => {
    const top = feed.getBoundingClientRect().top;
    const row = [...feed.querySelectorAll<HTMLElement>('[data-key]')].find((r) => r.getBoundingClientRect().bottom > top);
    if (!row) throw new Error('no line in view');
    return { key: row.dataset.key ?? '', y: Math.round(row.getBoundingClientRect().top - top) };
  });
}

test('scrolled up, the feed holds still and counts new lines in a pill that jumps back down', async ({ page }) => {
  await openConsole(page);
  await flood(page, 120, 40, 'first');
  const feed = page.getByTestId('chat-feed');
  await expect(page.getByTestId('chat-line').last()).toContainText('first 119 ');
  await expect(feed).toHaveAttribute('data-row-count', '120');
  // Up to read something (set at once: a wheel's smooth scroll would still be moving).
  await feed.evaluate((el) => (el.scrollTop = 400));
  await expect(feed).toHaveAttribute('data-stick', 'false');
  const reading = await topLine(page);

  await flood(page, 25, 25, 'more');
  await expect(page.getByTestId('new-messages')).toHaveText(/25 new/);
  await flood(page, 5, 5, 'again');
  await expect(page.getByTestId('new-messages')).toHaveText(/30 new/);
  // What the anchor reads did not move.
  expect(await topLine(page)).toEqual(reading);

  await page.getByTestId('new-messages').click();
  await expect(page.getByTestId('new-messages')).toHaveCount(0);
  await expect(feed).toHaveAttribute('data-stick', 'true');
  await expect(page.getByTestId('chat-line').last()).toBeInViewport();
  await expect(page.getByTestId('chat-line').last()).toContainText('again 4');
});

test('scrolled up, the line being read stays put while older lines are trimmed above it', async ({ page }) => {
  await openConsole(page);
  await flood(page, CHAT_CAP, 50, 'old');
  const feed = page.getByTestId('chat-feed');
  await expect(feed).toHaveAttribute('data-row-count', String(CHAT_CAP));
  await expect(page.getByTestId('chat-line').last()).toContainText(`old ${CHAT_CAP - 1} `);
  // A few screens up from the newest line: well inside what the trim keeps.
  await feed.evaluate((el) => (el.scrollTop = el.scrollHeight - el.clientHeight - 1200));
  await expect(feed).toHaveAttribute('data-stick', 'false');
  const reading = await topLine(page);

  // 150 more: over the cap, so the oldest 200 go (a whole number of chunks).
  await flood(page, 150, 50, 'new');
  await expect(page.getByTestId('new-messages')).toHaveText(/150 new/);
  await expect(feed).toHaveAttribute('data-row-count', String(CHAT_CAP - 50));
  expect(await topLine(page)).toEqual(reading);
  await expect(page.locator('[data-key="c:old-0"]')).toHaveCount(0);
});

test('scrolling up with the wheel stops following; scrolling back to the bottom clears the pill', async ({ page }) => {
  await openConsole(page);
  await flood(page, 100, 50, 'first');
  const feed = page.getByTestId('chat-feed');
  await expect(page.getByTestId('chat-line').last()).toContainText('first 99 ');
  await expect(feed).toHaveAttribute('data-row-count', '100');
  await feed.hover();
  await page.mouse.wheel(0, -2000);
  await expect(feed).toHaveAttribute('data-stick', 'false');
  await flood(page, 3, 3, 'new');
  await expect(page.getByTestId('new-messages')).toHaveText(/3 new/);
  await page.mouse.wheel(0, 100_000);
  await expect(page.getByTestId('new-messages')).toHaveCount(0);
  await expect(feed).toHaveAttribute('data-stick', 'true');
  // Following again: the next line is in view without a pill.
  await flood(page, 1, 1, 'latest');
  await expect(page.getByTestId('chat-line').last()).toBeInViewport();
  await expect(page.getByTestId('new-messages')).toHaveCount(0);
});

test('moderation shows as system lines with the user still clickable', async ({ page }) => {
  await openConsole(page);
  const until = Math.floor(Date.now() / 1000) + 600;
  await push(page, { type: 'userMuted', userId: 'nightowl42', until }, { type: 'userKicked', userId: 'maple_tea' }, { type: 'joinRefused', userId: 'spam_bot_9' });
  const system = page.getByTestId('system-line');
  await expect(system).toHaveCount(3);
  await expect(system.nth(0)).toHaveAttribute('data-kind', 'muted');
  await expect(system.nth(0)).toContainText('nightowl42');
  await expect(system.nth(1)).toHaveAttribute('data-kind', 'kicked');
  await expect(system.nth(2)).toHaveAttribute('data-kind', 'joinRefused');
  await system.nth(1).getByRole('button', { name: 'maple_tea' }).click();
  await expect(page.getByTestId('user-card')).toHaveAttribute('data-user-id', 'maple_tea');
});

test('hiding a line shows progress, then marks it hidden for moderators', async ({ page }) => {
  await openConsole(page);
  await push(page, chat('nightowl42', 'buy followers at example.com', { id: 'm-hide' }));
  const line = page.locator('[data-key="c:m-hide"]');
  await holdNext(page, 'moderate');
  await line.hover();
  await line.getByTestId('chat-hide').click();
  await expect(line.getByTestId('chat-hide')).toBeDisabled();
  await expect(line.getByTestId('chat-hide')).toHaveAttribute('aria-busy', 'true');
  await release(page, 'moderate');
  await expect(line).toHaveAttribute('data-hidden', 'true');
  await expect(line.getByTestId('chat-hidden')).toHaveText('Hidden');
  await expect(line.getByTestId('chat-hide')).toHaveCount(0);
});

test("the keyboard reaches a line's tools both ways, and the feed holds still while it is on a line", async ({ page }) => {
  await openConsole(page);
  await push(page, chat('ava_rose', 'first', { id: 'k1' }), chat('leo.streams', 'second', { id: 'k2' }));
  const first = page.locator('[data-key="c:k1"]');
  const second = page.locator('[data-key="c:k2"]');
  await first.getByTestId('chat-user').focus();
  await page.keyboard.press('Tab');
  await expect(first.getByTestId('chat-only-user')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(first.getByTestId('chat-hide')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(second.getByTestId('chat-user')).toBeFocused();
  // Back up: the line before the focused one has its tools in reach.
  await page.keyboard.press('Shift+Tab');
  await expect(first.getByTestId('chat-hide')).toBeFocused();
  // A keyboard user on a line is reading it: the feed holds still and counts what arrives, and the
  // line (with the focus) stays however much comes in after it.
  await expect(page.getByTestId('chat-feed')).toHaveAttribute('data-stick', 'false');
  await flood(page, 200, 50, 'after');
  await expect(page.getByTestId('new-messages')).toHaveText(/200 new/);
  await expect(first.getByTestId('chat-hide')).toBeFocused();
  await expect(first).toBeInViewport();
});

test('a refused hide says why on its line and the line stays visible', async ({ page }) => {
  await openConsole(page);
  await push(page, chat('nightowl42', 'rude words', { id: 'm-refused' }));
  const line = page.locator('[data-key="c:m-refused"]');
  await failNext(page, 'moderate', REFUSED);
  await line.hover();
  await line.getByTestId('chat-hide').click();
  await expect(line.getByTestId('chat-hide-error')).toHaveText(REFUSED.message);
  await expect(line).toHaveAttribute('data-hidden', 'false');
  await expect(line.getByTestId('chat-hide')).toBeEnabled();
});

test("another moderator's hide arrives as an event and marks the line", async ({ page }) => {
  await openConsole(page);
  await push(page, chat('jordan_k', 'spoiler!', { id: 'm-other' }));
  await push(page, { type: 'messageHidden', id: 'm-other', actor: 'mod_mei' });
  await expect(page.locator('[data-key="c:m-other"]')).toHaveAttribute('data-hidden', 'true');
});
