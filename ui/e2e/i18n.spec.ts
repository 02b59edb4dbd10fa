// Why: every string the anchor sees must be in their language — English, 简体中文, 한국어, 日本語 —
// and Chinese, Japanese and Korean must render with real CJK glyphs (not boxes). Each language opens
// every view of a busy room (panels, menus, the user card, the chat's filters, the shortcut list, an
// alert, Settings in each section and state) and checks the page's own words: no raw message keys,
// no unfilled {placeholders}, and (outside English) no English UI string left; then the CJK text is
// traced to the font Chromium actually drew it with. The first language follows the OS locale until
// the anchor picks one.
import { expect, test, type Page } from '@playwright/test';
import { CATALOGUES, LANGS, LANG_NAMES, LANG_TAGS, type Lang, type MessageKey } from '../src/lib/i18n';
import { EVERYTHING, everyView, openConsole } from './support';

const TABS = ['gifts', 'held', 'moderation', 'audit', 'room', 'stream', 'words', 'team'] as const;

/**
 * Content that comes from the room, not from the catalogue (user names, messages, gift and room
 * names, rule patterns, the backend's own step messages and audit details, URLs): not checked.
 */
const CONTENT = [
  '.user-link',
  '[data-testid=chat-line] .text',
  '.gift .name',
  '[data-testid=held-line] .text',
  '.blocked-text .text',
  '.room-name',
  '.group-id',
  '[data-testid=go-live-step-message]',
  '[data-testid=user-message] .text',
  '.detail',
  '.actor',
  '.target',
  '.url',
  '.format',
  'option[lang]',
  'textarea',
  'input',
  'time',
].join(', ');

/** Visible text nodes and labelling attributes of the page, outside room content. */
async function pageWords(page: Page): Promise<string[]> {
  return page.evaluate((content) => {
    const out: string[] = [];
    const visible = (el: Element) => el.checkVisibility({ visibilityProperty: true, opacityProperty: false });
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim() ?? '';
      if (!el || text === '' || el.closest(content) || !visible(el) || el.closest('script, style')) continue;
      out.push(text);
    }
    for (const el of document.body.querySelectorAll('[title], [aria-label], [placeholder], [alt]')) {
      if (el.closest(content) && !el.matches('input, textarea')) continue;
      if (!visible(el)) continue;
      for (const attr of ['title', 'aria-label', 'placeholder', 'alt']) {
        const value = el.getAttribute(attr);
        if (!value) continue;
        // A room's notice and introduction are content, shown as the notice's tooltip.
        if (attr === 'title' && el.matches('[data-testid=room-notice]')) continue;
        out.push(...value.split('\n').map((v) => v.trim()).filter(Boolean));
      }
    }
    return out;
  }, CONTENT);
}

/** Opens every view (see `everyView`), gathering the page's words on the way. */
async function everyPanel(page: Page): Promise<string[]> {
  const words: string[] = [];
  await everyView(page, async () => void words.push(...(await pageWords(page))));
  return [...new Set(words)];
}

/**
 * Strings written the same in every language (names). Any other string equal to its English is a
 * translation left out, which this test must catch, so the list is fixed here, not derived.
 */
const SAME_IN_EVERY_LANGUAGE: ReadonlySet<MessageKey> = new Set(['app.name', 'header.mode.tencent']);

/** The English UI strings, as patterns ({placeholders} match anything), except names. */
function englishStrings(): Array<{ key: MessageKey; re: RegExp }> {
  const out: Array<{ key: MessageKey; re: RegExp }> = [];
  for (const [key, english] of Object.entries(CATALOGUES.en) as Array<[MessageKey, string]>) {
    if (SAME_IN_EVERY_LANGUAGE.has(key)) continue;
    const literal = english.replace(/\{\w+\}/g, '');
    // Too little fixed text to tell English apart from content (e.g. "{count} / {max}").
    if ((literal.match(/[A-Za-z]/g) ?? []).length < 3) continue;
    const source = english
      .split(/(\{\w+\})/)
      .map((part) => (/^\{\w+\}$/.test(part) ? '(.+?)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    out.push({ key, re: new RegExp(`^${source.trim()}$`, 's') });
  }
  return out;
}

const CJK = /[\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * Whether `text` is the English template `re`. A value filled into the template that holds Chinese,
 * Japanese or Korean words means the words around it are this language's own template, which happens
 * to end like the English one (规则：free coins is "Rule: {pattern}" with an English pattern).
 */
function isEnglish(re: RegExp, text: string): boolean {
  const m = re.exec(text);
  return m !== null && !m.slice(1).some((value) => CJK.test(value));
}

const KEYS = new Set(Object.keys(CATALOGUES.en));

for (const lang of LANGS) {
  test(`every panel speaks ${LANG_NAMES[lang]}: no raw keys, no unfilled placeholders${lang === 'en' ? '' : ', no English left'}`, async ({ page }) => {
    await openConsole(page, { ...EVERYTHING, lang });
    await expect(page.locator('html')).toHaveAttribute('lang', LANG_TAGS[lang]);
    // The tab labels are the catalogue's, in this language.
    for (const tab of TABS) {
      const label = CATALOGUES[lang][`tabs.${tab}`];
      // The team's tab is an icon, named by its label.
      if (tab === 'team') await expect(page.getByTestId('tab-team')).toHaveAccessibleName(label);
      else await expect(page.getByTestId(`tab-${tab}`)).toContainText(label);
    }

    const words = await everyPanel(page);
    expect(words.length).toBeGreaterThan(100);
    expect(words.filter((w) => KEYS.has(w)), 'message keys shown as text').toEqual([]);
    expect(words.filter((w) => /\{\w+\}/.test(w)), 'placeholders left unfilled').toEqual([]);
    expect(words.filter((w) => /\bundefined\b|\bNaN\b|\[object /.test(w)), 'values that did not render').toEqual([]);
    if (lang !== 'en') {
      const english = englishStrings();
      const left = words.flatMap((w) => english.filter(({ re }) => isEnglish(re, w)).map(({ key }) => `${key}: ${w}`));
      expect(left, 'English UI strings in another language').toEqual([]);
    }
  });
}

test('the language switch changes every label at once and is remembered', async ({ page }) => {
  await openConsole(page);
  await expect(page.getByTestId('tab-held')).toContainText('Held');
  await page.getByRole('combobox', { name: 'Language' }).selectOption('ko');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(page.getByTestId('tab-held')).toContainText(CATALOGUES.ko['tabs.held']);
  await expect(page.getByTestId('status-toggle')).toContainText(CATALOGUES.ko['status.upcoming']);
  await expect(page.getByTestId('chat-feed')).toHaveText(CATALOGUES.ko['chat.empty']);
  await page.reload();
  await expect(page.getByTestId('tab-held')).toContainText(CATALOGUES.ko['tabs.held']);
  await expect(page.getByRole('combobox', { name: CATALOGUES.ko['header.language'] })).toHaveValue('ko');
});

test.describe('without a stored choice', () => {
  test.use({ locale: 'ja-JP' });
  test("the console starts in the system's language", async ({ page }) => {
    await openConsole(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
    await expect(page.getByTestId('tab-gifts')).toContainText(CATALOGUES.ja['tabs.gifts']);
  });
});

/**
 * The first language until the anchor picks one: the OS locale (which the app reads; WebKitGTK's
 * `navigator.language` is en-US whatever the desktop says) when it is one of ours, POSIX forms
 * included; else the webview's preferences. A stored choice wins, and an OS that is slow to answer
 * does not hold up first paint.
 */
const FIRST_LANGUAGE: Array<{ system: string | null; browser: string; stored?: Lang; expected: Lang }> = [
  { system: 'zh-CN', browser: 'en-US', expected: 'zh' },
  { system: 'ko_KR.UTF-8', browser: 'en-US', expected: 'ko' },
  { system: 'ja-JP', browser: 'ko-KR', expected: 'ja' },
  { system: 'fr-FR', browser: 'ja-JP', expected: 'ja' },
  { system: 'zh-TW', browser: 'en-US', stored: 'ko', expected: 'ko' },
];

for (const { system, browser, stored, expected } of FIRST_LANGUAGE) {
  test.describe(`with the OS in ${system} and the webview in ${browser}${stored ? `, ${stored} chosen before` : ''}`, () => {
    test.use({ locale: browser });
    test(`the console starts in ${LANG_NAMES[expected]}`, async ({ page }) => {
      await openConsole(page, { options: { systemLocale: system }, lang: stored });
      await expect(page.locator('html')).toHaveAttribute('lang', LANG_TAGS[expected]);
      await expect(page.getByTestId('tab-gifts')).toContainText(CATALOGUES[expected]['tabs.gifts']);
      await expect(page.getByTestId('language-select')).toHaveValue(expected);
      // Following the OS is not a choice: nothing is stored until the anchor picks a language.
      expect(await page.evaluate(() => localStorage.getItem('anchordesk.lang'))).toBe(stored ?? null);
    });
  });
}

test('an OS locale that does not answer in time does not hold up the console', async ({ page }) => {
  await openConsole(page, { options: { systemLocale: 'zh-CN' }, hold: ['systemLocale'] });
  // Painted and connected in the webview's language, without waiting for the answer.
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('tab-gifts')).toContainText(CATALOGUES.en['tabs.gifts']);
});

/** The fonts Chromium drew a node's text with (DevTools protocol), by family. */
async function renderedFonts(page: Page, selector: string): Promise<Array<{ familyName: string; glyphCount: number }>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
  expect(nodeId, `${selector} exists`).toBeGreaterThan(0);
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  await cdp.detach();
  return fonts;
}

const SCRIPTS: Record<Exclude<Lang, 'en'>, { text: string; region: string }> = {
  zh: { text: '这首歌太好听了', region: 'SC' },
  ja: { text: 'この曲好き、漢字も', region: 'JP' },
  ko: { text: '노래 너무 좋아요', region: 'KR' },
};

for (const [lang, { text, region }] of Object.entries(SCRIPTS) as Array<[Exclude<Lang, 'en'>, { text: string; region: string }]>) {
  test(`${LANG_NAMES[lang]} renders with a CJK font (${region} glyphs first), not missing-glyph boxes`, async ({ page }) => {
    await openConsole(page, { lang, events: [{ type: 'chat', id: 'cjk', userId: 'viewer', text, at: Date.now(), hidden: false }] });
    await expect(page.locator('[data-key="c:cjk"]')).toBeVisible();
    for (const selector of ['#tab-held', '[data-key="c:cjk"] .text']) {
      const fonts = await renderedFonts(page, selector);
      const cjk = fonts.filter((f) => /CJK/.test(f.familyName));
      expect(cjk.length, `${selector} drawn with a CJK font, got ${JSON.stringify(fonts)}`).toBeGreaterThan(0);
      // Han characters take the language's regional shapes (<html lang> steers the fallback).
      if (/\p{Script=Han}/u.test((await page.locator(selector).textContent()) ?? '')) {
        expect(cjk[0].familyName, `${selector} in ${lang}`).toContain(region);
      }
      // Every character was drawn by some font: nothing fell through to the last resort.
      expect(fonts.every((f) => !/Last ?Resort/i.test(f.familyName))).toBe(true);
    }
    // The page's fonts are loaded (none pending or failed).
    expect(await page.evaluate(() => document.fonts.ready.then((set) => set.status))).toBe('loaded');
  });
}
