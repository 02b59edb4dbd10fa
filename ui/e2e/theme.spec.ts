// Why: both themes must be usable, not just different — the toggle switches and remembers the choice,
// the system's preference applies until the anchor chooses, and in each theme the text of every view
// (panels, menus, the user card, Settings, alerts, the shortcut list) and the online sparkline stay
// readable on their background (WCAG contrast), which catches a variable missing from one theme.
import { expect, test, type Page } from '@playwright/test';
import { EVERYTHING, everyView, openConsole } from './support';

/** The page's background colour (the app paints `--bg` on the body). */
const pageBackground = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

/**
 * Visible text whose contrast with what is behind it is under `min` (WCAG 2 ratio), as
 * "text: ratio". The background is composed up the tree: translucent layers (a `color-mix` with
 * `transparent`, an `rgb(… / 0.2)` tint) over the nearest opaque one; a translucent text colour over
 * that. Colours come as `rgb()`/`rgba()` or, for `color-mix` results, `color(srgb r g b / a)`: both are
 * read, so no colour escapes the check by its notation.
 */
async function lowContrast(page: Page, min: number): Promise<string[]> {
  return page.evaluate((minimum) => {
    type RGBA = { r: number; g: number; b: number; a: number };
    const rgb = (css: string): RGBA | null => {
      const legacy = css.match(/^rgba?\(([\d.]+),? ([\d.]+),? ([\d.]+)(?:[,/] ?([\d.]+))?\)$/);
      if (legacy) return { r: +legacy[1], g: +legacy[2], b: +legacy[3], a: legacy[4] === undefined ? 1 : +legacy[4] };
      const srgb = css.match(/^color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)$/);
      if (srgb) return { r: +srgb[1] * 255, g: +srgb[2] * 255, b: +srgb[3] * 255, a: srgb[4] === undefined ? 1 : +srgb[4] };
      throw new Error(`a colour this test cannot read: ${css}`);
    };
    const over = (top: RGBA, below: RGBA): RGBA => ({
      r: top.r * top.a + below.r * (1 - top.a),
      g: top.g * top.a + below.g * (1 - top.a),
      b: top.b * top.a + below.b * (1 - top.a),
      a: 1,
    });
    const lum = ({ r, g, b }: RGBA) => {
      const c = [r, g, b].map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const background = (el: Element | null): RGBA => {
      const layers: RGBA[] = [];
      let base: RGBA | null = null;
      for (let e = el; e && base === null; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c && c.a >= 0.999) base = c;
        else if (c && c.a > 0) layers.push(c);
      }
      base ??= rgb(getComputedStyle(document.body).backgroundColor) ?? { r: 255, g: 255, b: 255, a: 1 };
      return layers.reduceRight((below, layer) => over(layer, below), base);
    };
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim() ?? '';
      if (!el || text === '' || !el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
      if (el.closest('[disabled], [aria-disabled=true], option, select, script, style')) continue;
      // Text for screen readers only (a 1 px clipped box) is not drawn.
      const box = el.getBoundingClientRect();
      if (box.width <= 1 && box.height <= 1) continue;
      const bg = background(el);
      const fg = over(rgb(getComputedStyle(el).color)!, bg);
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      if (ratio < minimum) out.push(`${text.slice(0, 40)}: ${ratio.toFixed(2)}`);
    }
    // The online sparkline is a graphic that carries meaning: its line against the header.
    const spark = document.querySelector('[data-testid=online-sparkline] polyline');
    if (spark && spark.parentElement?.checkVisibility()) {
      const bg = background(spark.parentElement);
      const stroke = over(rgb(getComputedStyle(spark).stroke)!, bg);
      const [hi, lo] = [lum(stroke), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      if (ratio < minimum) out.push(`online sparkline: ${ratio.toFixed(2)}`);
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
  test(`in the ${theme} theme every view's text is readable on its background`, async ({ page }) => {
    await openConsole(page, { ...EVERYTHING, theme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await expect(page.getByTestId('online-sparkline')).toBeVisible();
    // WCAG AA asks 4.5 for body text; 3 is the floor for large and secondary text, which the
    // muted labels are, and for graphics that carry meaning (the sparkline). Anything under 3 is
    // unreadable in practice.
    const problems: string[] = [];
    await everyView(page, async (view) => {
      for (const problem of await lowContrast(page, 3)) problems.push(`${view}: ${problem}`);
    });
    expect([...new Set(problems)]).toEqual([]);
  });
}
