// Why: the window's layout — the splitter between the chat and the side column (dragged, or with the
// keys of the ARIA window-splitter pattern; clamped so both columns stay usable; remembered across
// restarts; double-click resets) — and the chat in its own window: the placeholder with "Bring it
// back", the window closed from the window manager, each call in progress and refused, the chat's own
// window (`?view=chat`) with Dock, and (in the browser preview) a real pop-up window.
import { expect, test, type Page } from '@playwright/test';
import { OFFLINE, REFUSED, callCount, chat, failNext, holdNext, openConsole, push, release } from './support';

/** At 1280 px: `.body` pads 10 px each side, the splitter is 10 px, the chat keeps 360 px, the side 380 px. */
const SPLIT = { width: 1260, gutter: 10, minChat: 360, minSide: 380, defaultSide: 400 };
const maxSide = (width = SPLIT.width) => width - SPLIT.gutter - SPLIT.minChat;

const splitter = (page: Page) => page.getByTestId('layout-splitter');
const sideWidth = (page: Page) => page.locator('aside.side').evaluate((el) => Math.round(el.getBoundingClientRect().width));
const stored = (page: Page) => page.evaluate(() => localStorage.getItem('anchordesk.sideWidth'));

/** The side column is `side` px wide, and the splitter says so (its value is the chat's width). */
async function expectSide(page: Page, side: number, width = SPLIT.width) {
  await expect(splitter(page)).toHaveAttribute('data-side-width', String(side));
  await expect(splitter(page)).toHaveAttribute('aria-valuenow', String(width - SPLIT.gutter - side));
  expect(await sideWidth(page)).toBe(side);
}

test.describe('the splitter', () => {
  test('dragging resizes both columns within their minimums, is remembered, and a double-click resets it', async ({ page }) => {
    await openConsole(page);
    await expectSide(page, SPLIT.defaultSide);
    await expect(splitter(page)).toHaveAttribute('aria-valuemin', String(SPLIT.minChat));
    await expect(splitter(page)).toHaveAttribute('aria-valuemax', String(SPLIT.width - SPLIT.gutter - SPLIT.minSide));
    const box = (await splitter(page).boundingBox())!;
    const y = box.y + box.height / 2;
    const x = box.x + box.width / 2;

    // 120 px to the left: the chat narrower, the side column wider.
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x - 60, y, { steps: 3 });
    await page.mouse.move(x - 120, y, { steps: 3 });
    await expect(splitter(page)).toHaveClass(/dragging/);
    await page.mouse.up();
    await expectSide(page, 520);
    expect(await stored(page)).toBe('520');

    // Far past either end: each column keeps its minimum.
    await page.mouse.move(x - 120, y);
    await page.mouse.down();
    await page.mouse.move(20, y, { steps: 4 });
    await page.mouse.up();
    await expectSide(page, maxSide());
    await page.mouse.move(x - 120 - (maxSide() - 520), y);
    await page.mouse.down();
    await page.mouse.move(1270, y, { steps: 4 });
    await page.mouse.up();
    await expectSide(page, SPLIT.minSide);

    // Remembered: a restart (reload) keeps the chosen width.
    await page.mouse.move(x + 20, y);
    await page.mouse.down();
    await page.mouse.move(x - 80, y, { steps: 3 });
    await page.mouse.up();
    await expectSide(page, 480);
    await page.reload();
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
    await expectSide(page, 480);

    await splitter(page).dblclick();
    await expectSide(page, SPLIT.defaultSide);
    expect(await stored(page)).toBeNull();
  });

  test('the keys move it (arrows, Shift, Page Up/Down, Home, End), and a narrow window clamps without forgetting', async ({ page }) => {
    await openConsole(page);
    await splitter(page).focus();
    await page.keyboard.press('ArrowLeft');
    await expectSide(page, 416);
    await page.keyboard.press('Shift+ArrowLeft');
    await expectSide(page, 496);
    await page.keyboard.press('ArrowRight');
    await expectSide(page, 480);
    await page.keyboard.press('PageDown');
    await expectSide(page, 400);
    await page.keyboard.press('PageUp');
    await expectSide(page, 480);
    await page.keyboard.press('Home');
    await expectSide(page, maxSide());
    expect(await stored(page)).toBe(String(maxSide()));
    await page.keyboard.press('End');
    await expectSide(page, SPLIT.minSide);
    // End here is the splitter's, not "jump to the latest chat": nothing else happened.
    await expect(splitter(page)).toBeFocused();
    await page.keyboard.press('Home');

    // A narrower window: the side column gives way so the chat keeps its minimum…
    await page.setViewportSize({ width: 1000, height: 800 });
    await expectSide(page, maxSide(980), 980);
    // …and gets its width back when the window does.
    await page.setViewportSize({ width: 1280, height: 800 });
    await expectSide(page, maxSide());
  });
});

test.describe('the chat in its own window', () => {
  test('popping out leaves a placeholder and gives the side column the room; Bring it back docks it', async ({ page }) => {
    await openConsole(page);
    await push(page, chat('ava_rose', 'before popping out', { id: 'm-before' }));
    await holdNext(page, 'popOutChat');
    await page.getByTestId('chat-pop-out').click();
    await expect(page.getByTestId('chat-pop-out')).toBeDisabled();
    await release(page, 'popOutChat');

    const placeholder = page.getByTestId('chat-popped-out');
    await expect(placeholder).toContainText('Chat is in its own window');
    await expect(page.getByTestId('chat-panel')).toHaveCount(0);
    await expect(splitter(page)).toHaveCount(0);
    expect(await sideWidth(page)).toBeGreaterThan(SPLIT.width / 2);
    expect(await page.evaluate(() => window.__anchordeskFake.chatWindowOpen)).toBe(true);
    // The chat lives there now: "only this user" from a user card is the chat window's business.
    await page.getByTestId('tab-moderation').click();
    await push(page, { type: 'userKicked', userId: 'maple_tea' });
    await page.getByTestId('blocked-list').getByRole('button', { name: 'maple_tea' }).click();
    await expect(page.getByTestId('user-card')).toBeVisible();
    await expect(page.getByTestId('user-filter-chat')).toHaveCount(0);
    await page.keyboard.press('Escape');

    await holdNext(page, 'popInChat');
    await page.getByTestId('chat-bring-back').click();
    await expect(page.getByTestId('chat-bring-back')).toBeDisabled();
    await release(page, 'popInChat');
    await expect(placeholder).toHaveCount(0);
    await expect(page.locator('[data-key="c:m-before"]')).toBeVisible();
    await expect(splitter(page)).toBeVisible();
    await expectSide(page, SPLIT.defaultSide);
    expect(await callCount(page, 'popOutChat')).toBe(1);
    expect(await callCount(page, 'popInChat')).toBe(1);
  });

  test('closing the chat window from the window manager brings the chat back by itself', async ({ page }) => {
    await openConsole(page);
    await page.getByTestId('chat-pop-out').click();
    await expect(page.getByTestId('chat-popped-out')).toBeVisible();
    await page.evaluate(() => window.__anchordeskFake.closeChatWindow());
    await expect(page.getByTestId('chat-popped-out')).toHaveCount(0);
    await expect(page.getByTestId('chat-panel')).toBeVisible();
    expect(await callCount(page, 'popInChat')).toBe(0);
  });

  test('a refused pop-out or bring-back says why where it was asked, and nothing moves', async ({ page }) => {
    await openConsole(page);
    await failNext(page, 'popOutChat', { code: 'internal', message: 'the chat window could not be created: out of memory' });
    await page.getByTestId('chat-pop-out').click();
    await expect(page.getByTestId('chat-window-error')).toHaveText('the chat window could not be created: out of memory');
    await expect(page.getByTestId('chat-popped-out')).toHaveCount(0);
    await expect(page.getByTestId('chat-pop-out')).toBeEnabled();
    // Trying again works, and the error goes.
    await page.getByTestId('chat-pop-out').click();
    await expect(page.getByTestId('chat-popped-out')).toBeVisible();

    await failNext(page, 'popInChat', REFUSED);
    await page.getByTestId('chat-bring-back').click();
    await expect(page.getByTestId('chat-bring-back-error')).toHaveText(REFUSED.message);
    await expect(page.getByTestId('chat-popped-out')).toBeVisible();
    await page.getByTestId('chat-bring-back').click();
    await expect(page.getByTestId('chat-popped-out')).toHaveCount(0);
    await expect(page.getByTestId('chat-window-error')).toHaveCount(0);
  });

  test('the chat’s own window follows the room on its own, says when it is connecting or failed, and Dock closes it', async ({ page }) => {
    await openConsole(page, { view: 'chat', fail: [{ method: 'subscribe', error: OFFLINE }], connected: false });
    const window_ = page.getByTestId('chat-window');
    await expect(window_.getByTestId('connection-error')).toHaveText(OFFLINE.message);
    await holdNext(page, 'subscribe');
    await window_.getByTestId('connection-retry').click();
    await expect(window_.getByTestId('connection-connecting')).toHaveText('Connecting to the room…');
    await release(page, 'subscribe');
    await expect(window_.getByTestId('connection-connecting')).toHaveCount(0);
    await expect(window_.getByTestId('connection-error')).toHaveCount(0);

    // The chat, its filters and user card, but no tabs, no header, and Dock instead of Pop out.
    await push(page, chat('さくら_jp', 'こんばんは！', { id: 'm-win' }));
    await expect(page.locator('[data-key="c:m-win"]')).toBeVisible();
    await expect(page.getByTestId('chat-pop-out')).toHaveCount(0);
    await expect(page.getByTestId('tab-gifts')).toHaveCount(0);
    await page.locator('[data-key="c:m-win"]').getByTestId('chat-user').click();
    await page.getByTestId('user-filter-chat').click();
    await expect(page.getByTestId('chat-user-filter')).toHaveAttribute('data-user-id', 'さくら_jp');
    // Its shortcut list has no tab keys: there are no tabs here.
    await page.keyboard.press('?');
    await expect(page.getByTestId('shortcuts-global').getByTestId('shortcut-line')).toHaveCount(3);
    await page.keyboard.press('Escape');

    await page.getByTestId('chat-pop-in').click();
    expect(await callCount(page, 'popInChat')).toBe(1);
  });

  test('in the browser preview, Pop out opens a real window, and closing it brings the chat back', async ({ page }) => {
    await openConsole(page, { options: { chatWindow: 'browser' } });
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('chat-pop-out').click()]);
    await popup.waitForLoadState('domcontentloaded');
    expect(new URL(popup.url()).searchParams.get('view')).toBe('chat');
    await expect(popup.getByTestId('chat-window')).toBeVisible();
    await expect(popup.getByTestId('chat-pop-in')).toBeVisible();
    await expect(page.getByTestId('chat-popped-out')).toBeVisible();
    await popup.close();
    await expect(page.getByTestId('chat-popped-out')).toHaveCount(0);
    await expect(page.getByTestId('chat-panel')).toBeVisible();
  });
});
