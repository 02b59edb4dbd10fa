// Why: the Words tab — the word list edited as text in its import format (loading, refused, a bad
// line named and nothing changed, saved, imported from a file, exported), and the strike ladder
// (durations checked as typed, steps added, moved and removed, saved or refused, followed by the
// user card's next strike).
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { REFUSED, callsOf, chat, failNext, holdNext, openConsole, openTab, push, release, send } from './support';

test.describe('word list', () => {
  test('loads the list in force into the editor, saying so while it loads', async ({ page }) => {
    await openConsole(page, { hold: ['words'] });
    const panel = await openTab(page, 'words');
    const text = panel.getByTestId('words-text');
    await expect(text).toBeDisabled();
    await expect(text).toHaveAttribute('placeholder', 'Loading…');
    await expect(panel.getByTestId('words-load')).toHaveText('Loading…');
    await release(page, 'words');
    await expect(text).toBeEnabled();
    await expect(text).toHaveValue(/^free coins\thold\nidiot\thold\nspam\tdrop\n/);
    await expect(panel.getByTestId('words-count')).toHaveText('7 rules in force');
  });

  test('an empty list is an empty editor, and a refused load says why', async ({ page }) => {
    await openConsole(page, { options: { words: [] }, fail: [{ method: 'words', error: REFUSED }] });
    const panel = await openTab(page, 'words');
    await expect(panel.getByTestId('words-error')).toHaveText(REFUSED.message);
    await expect(panel.getByTestId('words-count')).toHaveText('0 rules in force');
    await panel.getByTestId('words-load').click();
    await expect(panel.getByTestId('words-error')).toHaveCount(0);
    await expect(panel.getByTestId('words-text')).toHaveValue('');
  });

  test('a bad line is named and nothing is saved; a good list is saved and counted', async ({ page }) => {
    await openConsole(page);
    const panel = await openTab(page, 'words');
    const text = panel.getByTestId('words-text');
    await expect(text).toHaveValue(/free coins/);
    await text.fill('# raids\nfollow4follow\thold\n加微信\tban\n');
    await expect(panel.getByTestId('words-dirty')).toHaveText('Unsaved changes');
    await panel.getByTestId('words-save').click();
    await expect(panel.getByTestId('words-error')).toHaveText(
      'line 3: "ban" is not an action; use deliver, hold, drop or refuse',
    );
    expect(await callsOf(page, 'setWords')).toHaveLength(0);
    await expect(panel.getByTestId('words-count')).toHaveText('7 rules in force');

    // Tab types the separator, as the format needs.
    await text.fill('# raids\nfollow4follow\thold\n加微信');
    await text.press('End');
    await text.press('Tab');
    await text.pressSequentially('refuse');
    await panel.getByTestId('words-save').click();
    await expect(panel.getByTestId('words-notice')).toHaveText('Saved: 2 rules in force');
    await expect(panel.getByTestId('words-count')).toHaveText('2 rules in force');
    expect(await callsOf(page, 'setWords')).toEqual([
      [
        [
          { pattern: 'follow4follow', action: 'hold' },
          { pattern: '加微信', action: 'refuse' },
        ],
      ],
    ]);
    // The filter uses it at once: a held message now.
    await send(page, 'ava_rose', 'follow4follow anyone?');
    await expect(page.getByTestId('held-count')).toHaveText('1');
  });

  test('Import fills the editor from a file without saving; Export downloads the list in force', async ({ page }) => {
    await openConsole(page);
    const panel = await openTab(page, 'words');
    await expect(panel.getByTestId('words-text')).toHaveValue(/free coins/);
    await panel.getByTestId('words-import').setInputFiles({
      name: 'shared-list.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('バカ\thold\n시발\tdrop\n'),
    });
    await expect(panel.getByTestId('words-notice')).toHaveText('Loaded shared-list.txt; check it, then Save');
    await expect(panel.getByTestId('words-text')).toHaveValue('バカ\thold\n시발\tdrop\n');
    expect(await callsOf(page, 'setWords')).toHaveLength(0);

    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('words-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^anchordesk-words-.+\.txt$/);
    const body = await readFile(await download.path(), 'utf8');
    expect(body.split('\n')).toHaveLength(8);
    expect(body).toContain('加微信\trefuse\n');
  });

  test('a refused save says why and keeps the edit', async ({ page }) => {
    await openConsole(page);
    const panel = await openTab(page, 'words');
    await expect(panel.getByTestId('words-text')).toHaveValue(/free coins/);
    await panel.getByTestId('words-text').fill('scam\tdrop\n');
    await failNext(page, 'setWords', REFUSED);
    await panel.getByTestId('words-save').click();
    await expect(panel.getByTestId('words-error')).toHaveText(REFUSED.message);
    await expect(panel.getByTestId('words-text')).toHaveValue('scam\tdrop\n');
  });
});

test.describe('strike ladder', () => {
  test("shows the room's ladder; a bad duration is named and Save stays off until it is fixed", async ({ page }) => {
    await openConsole(page);
    const panel = await openTab(page, 'words');
    const steps = panel.getByTestId('ladder-step');
    await expect(steps).toHaveCount(4);
    await expect(steps.nth(0)).toHaveAttribute('data-kind', 'warn');
    await expect(steps.nth(1).getByTestId('ladder-duration')).toHaveValue('10m');
    await expect(steps.nth(1).getByTestId('ladder-duration-reading')).toHaveText('= 10 min');
    await expect(panel.getByTestId('ladder-save')).toBeDisabled();

    await steps.nth(1).getByTestId('ladder-duration').fill('ten minutes');
    await expect(steps.nth(1).getByTestId('ladder-duration-error')).toHaveText('Not a duration: use e.g. 10m, 1h, 7d, or seconds');
    await expect(panel.getByTestId('ladder-save')).toBeDisabled();
    await steps.nth(1).getByTestId('ladder-duration').fill('1h30m');
    await expect(steps.nth(1).getByTestId('ladder-duration-reading')).toHaveText('= 1 h 30 min');
    await panel.getByTestId('ladder-window').fill('0');
    await expect(panel.getByTestId('ladder-window-error')).toHaveText('At least 1 minute');
    await expect(panel.getByTestId('ladder-save')).toBeDisabled();
    await panel.getByTestId('ladder-window').fill('48');
    await expect(panel.getByTestId('ladder-save')).toBeEnabled();
    await panel.getByTestId('ladder-discard').click();
    await expect(steps.nth(1).getByTestId('ladder-duration')).toHaveValue('10m');
  });

  test('steps are added, moved and removed, and the saved ladder drives the next strike', async ({ page }) => {
    await openConsole(page);
    const panel = await openTab(page, 'words');
    const steps = panel.getByTestId('ladder-step');
    await expect(steps).toHaveCount(4);
    // Remove the warning: the first strike now mutes.
    await steps.nth(0).getByTestId('ladder-remove').click();
    await expect(steps).toHaveCount(3);
    await panel.getByTestId('ladder-add').click();
    await expect(steps).toHaveCount(4);
    await steps.nth(3).getByTestId('ladder-kind').selectOption('kick');
    await steps.nth(3).getByTestId('ladder-up').click();
    await expect(steps.nth(2)).toHaveAttribute('data-kind', 'kick');
    await expect(panel.getByTestId('ladder-dirty')).toBeVisible();
    await holdNext(page, 'setStrikeLadder');
    await panel.getByTestId('ladder-save').click();
    await expect(panel.getByTestId('ladder-editor')).toHaveAttribute('aria-busy', 'true');
    await expect(panel.getByTestId('ladder-save')).toHaveText('Working…');
    await expect(panel.getByTestId('ladder-add')).toBeDisabled();
    await release(page, 'setStrikeLadder');
    await expect(panel.getByTestId('ladder-saved')).toHaveText('Strike ladder saved');
    const [[saved]] = (await callsOf(page, 'setStrikeLadder')) as [[{ steps: Array<{ type: string }> }]];
    expect(saved.steps.map((s) => s.type)).toEqual(['mute', 'muteUntilEndOfStream', 'kick', 'ban']);
    // It is audited.
    const audit = await openTab(page, 'audit');
    await expect(audit.getByTestId('audit-line').first()).toHaveAttribute('data-action', 'ladder');

    // The user card says what the next strike does, and a strike takes that step.
    await push(page, chat('jordan_k', 'hi', { id: 'lad-1' }));
    await page.locator('[data-key="c:lad-1"]').getByTestId('chat-user').click();
    const card = page.getByTestId('user-card');
    await expect(card.getByTestId('user-next-strike')).toHaveText('Next strike: mute for 10 min');
    await card.getByTestId('user-strike').click();
    await expect(card.getByTestId('user-strikes')).toHaveText('Strikes: 1');
    await expect(card).toHaveAttribute('data-muted', 'true');
    await expect(card.getByTestId('user-next-strike')).toHaveText('Next strike: mute until the end of this stream');
  });

  test('a refused ladder says why and keeps the edit', async ({ page }) => {
    await openConsole(page);
    const panel = await openTab(page, 'words');
    await panel.getByTestId('ladder-from-filter').uncheck();
    await failNext(page, 'setStrikeLadder', REFUSED);
    await panel.getByTestId('ladder-save').click();
    await expect(panel.getByTestId('ladder-error')).toHaveText(REFUSED.message);
    await expect(panel.getByTestId('ladder-from-filter')).not.toBeChecked();
    await expect(panel.getByTestId('ladder-save')).toBeEnabled();
  });
});
