// Why: both themes must be usable, not just different — the toggle switches and remembers the choice,
// the system's preference applies until the anchor chooses, and in each theme the text of every panel
// stays readable on its background (WCAG contrast), which catches a variable missing from one theme.
import { expect, test, type Page } from '@playwright/test';
import { openConsole, openTab } from './support';

const TABS = ['gifts', 'held', 'moderation', 'audit', 'room', 'stream', 'words'] as const;

const BUSY = {
  options: { history: 160, stream: { obsLive: true }, room: { status: 'live' as const } },
  send: [['nightowl42', 'FREE COINS on my profile!!']] as Array<[string, string]>,
};

/** The page's background colour (the app paints `--bg` on the body). */
const pageBackground = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

/**
 * Visible text whose contrast with what is behind it is under `min` (WCAG 2 ratio), as
 * "text: ratio". The background is the nearest opaque one up the tree.
 */
async function lowContrast(page: Page, min: number): Promise<string[]> {
  return page.evaluate((minimum) => {
    const rgb = (css: string) => {
      const m = css.match(/rgba?\(([\d.]+),? ([\d.]+),? ([\d.]+)(?:,? \/? ?([\d.]+))?\)/);
      return m ? { r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4] } : null;
    };
    const lum = ({ r, g, b }: { r: number; g: number; b: number }) => {
      const c = [r, g, b].map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const background = (el: Element | null) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c && c.a >= 0.9) return c;
      }
      return rgb(getComputedStyle(document.documentElement).backgroundColor) ?? { r: 255, g: 255, b: 255, a: 1 };
    };
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim() ?? '';
      if (!el || text === '' || !el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
      const style = getComputedStyle(el);
      const fg = rgb(style.color);
      if (!fg || el.closest('[disabled], [aria-disabled=true], option, select')) continue;
      const bg = background(el);
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      if (ratio < minimum) out.push(`${text.slice(0, 40)}: ${ratio.toFixed(2)}`);
    }
    return [...new Set(out)];
  }, min);
}

test('light by default on a light system; the toggle switches to dark and is remembered', async ({ page }) => {
  await openConsole(page);
  const toggle = page.getByTestId('theme-toggle');
  await expect(toggle).toHaveAttribute('data-theme', 'light');
  await expect(toggle).toHaveAccessibleName('Switch to dark theme');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.+/);
  expect(await pageBackground(page)).toBe('rgb(243, 244, 247)');

  await toggle.click();
  await expect(toggle).toHaveAttribute('data-theme', 'dark');
  await expect(toggle).toHaveAccessibleName('Switch to light theme');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await pageBackground(page)).toBe('rgb(17, 19, 24)');

  await page.reload();
  await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-theme', 'dark');
  expect(await pageBackground(page)).toBe('rgb(17, 19, 24)');
});

test.describe('on a dark system', () => {
  test.use({ colorScheme: 'dark' });

  test('the console is dark until the anchor chooses light', async ({ page }) => {
    await openConsole(page);
    await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-theme', 'dark');
    await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.+/);
    expect(await pageBackground(page)).toBe('rgb(17, 19, 24)');
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    expect(await pageBackground(page)).toBe('rgb(243, 244, 247)');
  });
});

for (const theme of ['light', 'dark'] as const) {
  test(`in the ${theme} theme every panel's text is readable on its background`, async ({ page }) => {
    await openConsole(page, { ...BUSY, theme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    // WCAG AA asks 4.5 for body text; 3 is the floor for large and secondary text, which the
    // muted labels are. Anything under 3 is unreadable in practice.
    const problems = await lowContrast(page, 3);
    for (const tab of TABS) {
      const panel = await openTab(page, tab);
      if (tab === 'stream') await expect(panel.getByTestId('push-server')).toBeVisible();
      problems.push(...(await lowContrast(page, 3)));
    }
    await page.getByTestId('chat-user').last().click();
    await expect(page.getByTestId('user-profile')).toHaveAttribute('data-state', 'ready');
    problems.push(...(await lowContrast(page, 3)));
    expect([...new Set(problems)]).toEqual([]);
  });
}
