// Why: every string the anchor sees must be in their language — English, 简体中文, 한국어, 日本語 —
// and Chinese, Japanese and Korean must render with real CJK glyphs (not boxes). Each language opens
// every panel of a busy room and the user card, and checks the page's own words: no raw message keys,
// no unfilled {placeholders}, and (outside English) no English UI string left; then the CJK text is
// traced to the font Chromium actually drew it with.
import { expect, test, type Page } from '@playwright/test';
import { CATALOGUES, LANGS, LANG_NAMES, LANG_TAGS, type Lang, type MessageKey } from '../src/lib/i18n';
import { openConsole, openTab } from './support';

const TABS = ['gifts', 'held', 'moderation', 'audit', 'room', 'stream', 'words'] as const;

/** A room with something in every panel (the seeded simulation, a lottery, past streams, OBS live). */
const BUSY = {
  options: {
    history: 160,
    stream: { obsLive: true },
    room: { status: 'live' as const, notice: '今晚九点抽奖', lottery: { keyword: 'gift', open: true, entrants: 12, winners: [], seed: null } },
    sessions: [{ id: 1, startedAt: Date.now() - 86_400_000, endedAt: Date.now() - 80_000_000, peakOnline: 900, messages: 5200, likes: 48_000, giftValue: 31_000 }],
  },
  send: [['nightowl42', 'FREE COINS on my profile!!']] as Array<[string, string]>,
};

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

/** Opens every panel, the status menu and a user card, gathering the page's words on the way. */
async function everyPanel(page: Page): Promise<string[]> {
  const words = await pageWords(page);
  for (const tab of TABS) {
    const panel = await openTab(page, tab);
    if (tab === 'stream') await expect(panel.getByTestId('push-server')).toBeVisible();
    if (tab === 'words') await expect(panel.getByTestId('words-text')).toBeEnabled();
    if (tab === 'room') await expect(panel.getByTestId('streams-list')).toBeVisible();
    words.push(...(await pageWords(page)));
  }
  await page.getByTestId('status-toggle').click();
  words.push(...(await pageWords(page)));
  await page.keyboard.press('Escape');
  await page.getByTestId('chat-user').last().click();
  await expect(page.getByTestId('user-profile')).toHaveAttribute('data-state', 'ready');
  words.push(...(await pageWords(page)));
  await page.keyboard.press('Escape');
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
    await openConsole(page, { ...BUSY, lang });
    await expect(page.locator('html')).toHaveAttribute('lang', LANG_TAGS[lang]);
    // The tab labels are the catalogue's, in this language.
    for (const tab of TABS) await expect(page.getByTestId(`tab-${tab}`)).toContainText(CATALOGUES[lang][`tabs.${tab}`]);

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
