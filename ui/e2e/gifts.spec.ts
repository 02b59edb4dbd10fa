// Why: the gift feed is how the anchor knows whom to thank — combos (×N) with their value, newest
// first, and the top gifters by total value, in the snapshot and as gifts arrive.
import { expect, test } from '@playwright/test';
import { gift, openConsole, push } from './support';

test('an empty room says there are no gifts yet and lists no top gifters', async ({ page }) => {
  await openConsole(page);
  await expect(page.getByTestId('gift-feed')).toHaveText('No gifts yet');
  await expect(page.getByTestId('top-gifters')).toHaveCount(0);
});

test('gifts list newest first with their combo count and value', async ({ page }) => {
  await openConsole(page);
  await push(page, gift('ava_rose', 'Rose 🌹', 1, 1), gift('小龙女', 'Rocket 🚀', 66, 520), gift('지민이', 'Heart 💖', 10, 5));
  const lines = page.getByTestId('gift-line');
  await expect(lines).toHaveCount(3);
  await expect(lines.nth(0)).toHaveAttribute('data-user-id', '지민이');
  await expect(lines.nth(0)).toContainText('Heart 💖');
  await expect(lines.nth(0).locator('.count')).toHaveText('×10');
  await expect(lines.nth(1).locator('.count')).toHaveText('×66');
  // 66 × 520 coins, grouped as the language writes numbers.
  await expect(lines.nth(1).locator('.value')).toHaveText('34,320');
  // A single gift is not a combo; counts above one are marked as combos.
  await expect(lines.nth(2).locator('.count')).toHaveText('×1');
  await expect(lines.nth(2).locator('.count')).not.toHaveClass(/combo/);
  await expect(lines.nth(1).locator('.count')).toHaveClass(/combo/);
});

test('top gifters rank by total value and follow new gifts', async ({ page }) => {
  await openConsole(page, {
    events: [gift('maple_tea', 'Lantern 🏮', 2, 52), gift('leo.streams', 'Castle 🏰', 1, 1314), gift('maple_tea', 'Rose 🌹', 99, 1)],
  });
  const top = page.getByTestId('top-gifters').locator('li');
  await expect(top).toHaveCount(2);
  await expect(top.nth(0)).toHaveAttribute('data-user-id', 'leo.streams');
  await expect(top.nth(0)).toContainText('1,314 coins');
  await expect(top.nth(1)).toHaveAttribute('data-user-id', 'maple_tea');
  await expect(top.nth(1)).toContainText('203 coins');

  // A big combo moves a viewer to the top.
  await push(page, gift('maple_tea', 'Rocket 🚀', 5, 520));
  await expect(top.nth(0)).toHaveAttribute('data-user-id', 'maple_tea');
  await expect(top.nth(0)).toContainText('2,803 coins');
  await expect(page.getByTestId('gift-line')).toHaveCount(4);
});

test('only the five biggest gifters are listed', async ({ page }) => {
  await openConsole(page, {
    events: ['a1', 'b2', 'c3', 'd4', 'e5', 'f6', 'g7'].map((user, i) => gift(user, 'Heart 💖', i + 1, 5)),
  });
  const top = page.getByTestId('top-gifters').locator('li');
  await expect(top).toHaveCount(5);
  await expect(top.nth(0)).toHaveAttribute('data-user-id', 'g7');
  await expect(top.nth(4)).toHaveAttribute('data-user-id', 'c3');
});

test("a gifter's name opens their user card", async ({ page }) => {
  await openConsole(page, { events: [gift('橘子汽水', 'Castle 🏰', 1, 1314)] });
  await page.getByTestId('top-gifters').getByRole('button', { name: '橘子汽水' }).click();
  await expect(page.getByTestId('user-card')).toHaveAttribute('data-user-id', '橘子汽水');
  await expect(page.getByTestId('user-stat-gifts')).toHaveText('1314');
});
