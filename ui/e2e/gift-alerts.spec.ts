// Why: big-gift alerts as the anchor meets them — a big gift (by value, or by count when it has no
// price) alerts and a small one does not; a combo's lines add up; what a snapshot brings (connecting,
// a restarted room) is history and never alerts; alerts queue one at a time, go by themselves and stay
// while the pointer is on them; Settings → Alerts turns them off, moves the threshold (saying what to
// fix when it is not a number), and the chime plays only when asked for. The page's clock stands still
// where an alert must stay up, so nothing here races real seconds.
import { expect, test, type Page } from '@playwright/test';
import type { RoomEvent } from '../src/lib/bindings';
import { gift, openConsole, push } from './support';

const alert = (page: Page) => page.getByTestId('gift-alert');

/**
 * Opens the console with the page's clock standing still, so an alert stays until the test moves
 * time on (however slow the machine); `pushNow` delivers events and lets one frame pass, as the feed
 * applies them on the next frame.
 */
async function openStill(page: Page): Promise<(...events: RoomEvent[]) => Promise<void>> {
  await page.clock.install();
  await page.clock.pauseAt(Date.now() + 1000);
  await openConsole(page);
  return async (...events) => {
    await push(page, ...events);
    await page.clock.runFor(20);
  };
}

/** Counts the chime's notes: every oscillator the page's audio makes (two per chime). */
async function listenForChimes(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __notes: number };
    w.__notes = 0;
    const make = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function (this: AudioContext) {
      w.__notes++;
      return make.call(this);
    };
  });
}
const notes = (page: Page) => page.evaluate(() => (window as unknown as { __notes: number }).__notes);

test('a big gift alerts with who, what and its value; a small one does not; a combo adds up', async ({ page }) => {
  const pushNow = await openStill(page);
  await pushNow(gift('ava_rose', 'Rose 🌹', 5, 1));
  await expect(page.getByTestId('gift-line')).toHaveCount(1);
  await expect(alert(page)).toHaveCount(0);

  await pushNow(gift('maple_tea', 'Rocket 🚀', 1, 520));
  await expect(alert(page)).toHaveAttribute('data-user-id', 'maple_tea');
  await expect(alert(page)).toContainText('Big gift!');
  await expect(page.getByTestId('gift-alert-text')).toHaveText('maple_tea sent Rocket 🚀 ×1');
  await expect(page.getByTestId('gift-alert-value')).toHaveText('520 coins');
  await page.getByTestId('gift-alert-dismiss').click();
  await expect(alert(page)).toHaveCount(0);

  // A click streak arrives as several lines: together they are big, and alert once with the total.
  await pushNow(gift('小龙女', 'Heart 💖', 60, 5));
  await expect(alert(page)).toHaveCount(0);
  await pushNow(gift('小龙女', 'Heart 💖', 60, 5));
  await expect(alert(page)).toHaveAttribute('data-count', '120');
  await expect(page.getByTestId('gift-alert-value')).toHaveText('600 coins');
  await pushNow(gift('小龙女', 'Heart 💖', 20, 5));
  await expect(alert(page)).toHaveAttribute('data-count', '140');
  await expect(page.getByTestId('gift-alert-text')).toHaveText('小龙女 sent Heart 💖 ×140');
  await expect(alert(page)).toHaveCount(1);
  await page.getByTestId('gift-alert-dismiss').click();

  // A gift without a price is big by its count.
  await pushNow(gift('지민이', 'Star ⭐', 98, 0));
  await expect(alert(page)).toHaveCount(0);
  await pushNow(gift('하늘바람', 'Star ⭐', 99, 0));
  await expect(alert(page)).toHaveAttribute('data-user-id', '하늘바람');
  await expect(page.getByTestId('gift-alert-value')).toHaveCount(0);
  // The sender opens their user card.
  await alert(page).getByRole('button', { name: '하늘바람' }).click();
  await expect(page.getByTestId('user-card')).toHaveAttribute('data-user-id', '하늘바람');
});

test('what a snapshot brings is history: no alert on connecting, nor when the room restarts', async ({ page }) => {
  await openConsole(page, { events: [gift('maple_tea', 'Castle 🏰', 1, 1314)] });
  await expect(page.getByTestId('gift-line')).toHaveCount(1);
  await expect(page.getByTestId('gift-line')).toHaveAttribute('data-big', 'true');
  await expect(alert(page)).toHaveCount(0);
  await page.evaluate(() => window.__anchordeskFake.restartRoom());
  await expect(page.getByTestId('gift-line')).toHaveCount(1);
  await page.evaluate(() => window.__anchordeskFake.resync());
  // A live one after those still alerts (so the silence above was the snapshot's, not a dead queue).
  await push(page, gift('ava_rose', 'Rocket 🚀', 1, 520));
  await expect(alert(page)).toHaveAttribute('data-user-id', 'ava_rose');
  await expect(page.getByTestId('gift-line')).toHaveCount(2);
});

test('alerts queue one at a time, go by themselves, and stay while the pointer is on them', async ({ page }) => {
  const pushNow = await openStill(page);
  await pushNow(
    gift('maple_tea', 'Rocket 🚀', 1, 520),
    gift('ava_rose', 'Castle 🏰', 1, 1314),
    gift('たけし', 'Rocket 🚀', 2, 520),
    gift('ハル', 'Castle 🏰', 1, 1314),
  );
  // The first shows for 6 s (nothing waited when it came)…
  await expect(alert(page)).toHaveAttribute('data-user-id', 'maple_tea');
  await expect(page.getByTestId('gift-alert-waiting')).toHaveText('+3 waiting');
  await page.clock.runFor(5900);
  await expect(alert(page)).toHaveAttribute('data-user-id', 'maple_tea');
  await page.clock.runFor(200);
  // …then, with others waiting, each for 3 s.
  await expect(alert(page)).toHaveAttribute('data-user-id', 'ava_rose');
  await expect(page.getByTestId('gift-alert-waiting')).toHaveText('+2 waiting');
  await page.clock.runFor(2700);
  await expect(alert(page)).toHaveAttribute('data-user-id', 'ava_rose');
  await page.clock.runFor(300);
  await expect(alert(page)).toHaveAttribute('data-user-id', 'たけし');
  await expect(page.getByTestId('gift-alert-waiting')).toHaveText('+1 waiting');
  // Dismissed with the mouse: the next one shows under the pointer, and stays while it is there.
  await page.getByTestId('gift-alert-dismiss').click();
  await expect(alert(page)).toHaveAttribute('data-user-id', 'ハル');
  await expect(page.getByTestId('gift-alert-waiting')).toHaveCount(0);
  await alert(page).hover();
  await page.clock.runFor(20_000);
  await expect(alert(page)).toHaveAttribute('data-user-id', 'ハル');
  // Once it leaves, 2 s more.
  await page.mouse.move(5, 790);
  await page.clock.runFor(1900);
  await expect(alert(page)).toBeVisible();
  await page.clock.runFor(200);
  await expect(alert(page)).toHaveCount(0);
});

test('Settings → Alerts turns them off and on, moves the threshold, and is remembered', async ({ page }) => {
  await openConsole(page);
  await page.getByTestId('settings-open').click();
  await page.getByTestId('settings-nav-alerts').click();
  const settings = page.getByTestId('alert-settings');
  // A sample shows what an alert looks like, at the threshold.
  await expect(settings.getByTestId('gift-alert-sample-value')).toHaveText('520 coins');

  await settings.getByTestId('alerts-enabled').uncheck();
  await expect(settings.getByTestId('alerts-min-value')).toBeDisabled();
  await page.getByTestId('settings-close').click();
  await push(page, gift('maple_tea', 'Castle 🏰', 1, 1314));
  await expect(page.getByTestId('gift-line')).toHaveCount(1);
  await expect(alert(page)).toHaveCount(0);

  await page.getByTestId('settings-open').click();
  await settings.getByTestId('alerts-enabled').check();
  const minValue = settings.getByTestId('alerts-min-value');
  await minValue.fill('5O');
  await expect(settings.getByTestId('alerts-min-value-problem')).toBeVisible();
  await expect(minValue).toHaveAttribute('aria-invalid', 'true');
  await minValue.fill('50');
  await expect(settings.getByTestId('alerts-min-value-problem')).toHaveCount(0);
  await expect(settings.getByTestId('gift-alert-sample-value')).toHaveText('50 coins');
  await settings.getByTestId('alerts-min-count').fill('10');
  // This computer's choice: nothing for the app to save.
  await expect(page.getByTestId('settings-save')).toBeDisabled();
  await page.getByTestId('settings-close').click();
  await expect(page.getByTestId('settings-sheet')).toHaveCount(0);

  await push(page, gift('ava_rose', 'Lantern 🏮', 1, 52));
  await expect(alert(page)).toHaveAttribute('data-user-id', 'ava_rose');
  await page.getByTestId('gift-alert-dismiss').click();
  await push(page, gift('ava_rose', 'Star ⭐', 10, 0));
  await expect(alert(page)).toHaveAttribute('data-count', '10');
  await page.getByTestId('gift-alert-dismiss').click();

  // After a restart the choices are still there.
  await page.reload();
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await push(page, gift('leo.streams', 'Lantern 🏮', 1, 52));
  await expect(alert(page)).toHaveAttribute('data-user-id', 'leo.streams');
  await page.getByTestId('settings-open').click();
  await page.getByTestId('settings-nav-alerts').click();
  await expect(page.getByTestId('alerts-min-value')).toHaveValue('50');
  await expect(page.getByTestId('alerts-min-count')).toHaveValue('10');
});

test('the chime plays with an alert only when asked for, and the test button plays it', async ({ page }) => {
  await listenForChimes(page);
  const pushNow = await openStill(page);
  await pushNow(gift('maple_tea', 'Rocket 🚀', 1, 520));
  await expect(alert(page)).toBeVisible();
  expect(await notes(page)).toBe(0);
  await page.getByTestId('gift-alert-dismiss').click();

  await page.getByTestId('settings-open').click();
  await page.getByTestId('settings-nav-alerts').click();
  await page.getByTestId('alerts-test-sound').click();
  await expect.poll(() => notes(page)).toBe(2);
  await page.getByTestId('alerts-sound').check();
  await page.getByTestId('settings-close').click();
  await pushNow(gift('ava_rose', 'Castle 🏰', 1, 1314));
  await expect(alert(page)).toHaveAttribute('data-user-id', 'ava_rose');
  await expect.poll(() => notes(page)).toBe(4);
  // A small gift: no alert, no chime.
  await pushNow(gift('ava_rose', 'Rose 🌹', 1, 1));
  await expect(page.getByTestId('gift-line')).toHaveCount(3);
  expect(await notes(page)).toBe(4);
});
