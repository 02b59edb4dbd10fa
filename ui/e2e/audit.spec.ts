// Why: the audit log (Audit tab) — the room's live list newest first, a search over the whole log
// (searching, found, nothing found, refused), the CSV and JSON downloads of what the search finds, and
// Undo on mutes, kicks and bans (in progress, done, refused).
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import type { AuditLine, MuteLine } from '../src/lib/bindings';
import { REFUSED, failNext, holdNext, openConsole, openTab, release } from './support';

function line(id: number, fields: Partial<AuditLine>): AuditLine {
  return { id, at: Date.now() - (100 - id) * 1000, actor: 'mod_mei', action: 'mute', target: 'nightowl42', detail: '', reason: '', duration: 600, undoneBy: null, ...fields };
}

/** A room whose log has a mute, a kick, a notice change and a ban, in that order. */
async function busyLog(page: Page): Promise<void> {
  const until = Math.floor(Date.now() / 1000) + 600;
  const muted: MuteLine[] = [{ userId: 'nightowl42', until }];
  await openConsole(page, {
    options: {
      room: {
        muted,
        blocked: ['maple_tea', 'spam_bot_9'],
        audit: [
          line(1, { reason: 'spamming links' }),
          line(2, { action: 'kick', target: 'maple_tea', duration: null, reason: '刷屏' }),
          line(3, { actor: 'anchor', action: 'notice', target: 'room', detail: 'notice: Giveaway at 9 pm', duration: null }),
          line(4, { action: 'ban', target: 'spam_bot_9', detail: 'native ban', duration: 86400 }),
        ],
      },
    },
  });
}

test('an empty log says no actions are recorded yet', async ({ page }) => {
  await openConsole(page);
  const panel = await openTab(page, 'audit');
  await expect(panel.getByTestId('audit-line')).toHaveCount(0);
  await expect(panel.getByTestId('audit-log')).toHaveText('No actions recorded yet');
});

test('the live list shows the newest first, with duration, reason and Undo where it applies', async ({ page }) => {
  await busyLog(page);
  const panel = await openTab(page, 'audit');
  const lines = panel.getByTestId('audit-line');
  await expect(lines).toHaveCount(4);
  await expect(lines.nth(0)).toHaveAttribute('data-action', 'ban');
  await expect(lines.nth(0).getByTestId('audit-duration')).toHaveText('1 d');
  await expect(lines.nth(3).getByTestId('audit-reason')).toHaveText('Reason: spamming links');
  await expect(lines.nth(2).getByTestId('audit-reason')).toHaveText('Reason: 刷屏');
  // Mute, kick and ban can be undone; a notice change cannot.
  for (const i of [0, 2, 3]) await expect(lines.nth(i).getByTestId('audit-undo')).toBeVisible();
  await expect(lines.nth(1).getByTestId('audit-undo')).toHaveCount(0);

  // New actions arrive at the top as they happen.
  await page.evaluate(() => window.__anchordeskFake.moderate({ type: 'kick', userId: 'jordan_k', reason: 'raid' }));
  await expect(lines).toHaveCount(5);
  await expect(lines.nth(0)).toHaveAttribute('data-action', 'kick');
  await expect(lines.nth(0)).toContainText('jordan_k');
});

test('a search shows "Searching…", then what matches across actor, user, detail and reason', async ({ page }) => {
  await busyLog(page);
  const panel = await openTab(page, 'audit');
  const search = panel.getByTestId('audit-search');
  await holdNext(page, 'audit');
  await search.fill('刷屏');
  await search.press('Enter');
  await expect(panel.locator('.found')).toHaveText('Searching…');
  await release(page, 'audit');
  await expect(panel.getByTestId('audit-results')).toHaveText('1 matching line');
  await expect(panel.getByTestId('audit-line')).toHaveCount(1);
  await expect(panel.getByTestId('audit-line')).toHaveAttribute('data-action', 'kick');

  // Typing searches by itself after a pause.
  await search.fill('mod_mei');
  await expect(panel.getByTestId('audit-results')).toHaveText('3 matching lines');
  await search.fill('nobody did this');
  await expect(panel.getByTestId('audit-log')).toHaveText('No matching lines');
  // Clearing the search shows the live list again.
  await search.fill('');
  await expect(panel.getByTestId('audit-line')).toHaveCount(4);
  await expect(panel.getByTestId('audit-results')).toHaveCount(0);
});

test('a refused search says why', async ({ page }) => {
  await busyLog(page);
  const panel = await openTab(page, 'audit');
  await failNext(page, 'audit', REFUSED);
  await panel.getByTestId('audit-search').fill('ban');
  await panel.getByTestId('audit-search').press('Enter');
  await expect(panel.getByTestId('audit-search-error')).toHaveText(REFUSED.message);
});

test('export downloads what the search finds, as CSV and as JSON', async ({ page }) => {
  await busyLog(page);
  const panel = await openTab(page, 'audit');
  const [csv] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('audit-export-csv').click()]);
  expect(csv.suggestedFilename()).toMatch(/^anchordesk-audit-.+\.csv$/);
  const csvText = await readFile(await csv.path(), 'utf8');
  const rows = csvText.trimEnd().split('\n');
  expect(rows[0]).toBe('id,at,actor,action,target,detail,reason,duration,undone_by');
  expect(rows).toHaveLength(5);
  expect(rows[1]).toMatch(/^4,\d+,mod_mei,ban,spam_bot_9,native ban,,86400,$/);

  await panel.getByTestId('audit-search').fill('maple_tea');
  await expect(panel.getByTestId('audit-results')).toHaveText('1 matching line');
  const [json] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('audit-export-json').click()]);
  expect(json.suggestedFilename()).toMatch(/^anchordesk-audit-.+\.json$/);
  const lines = JSON.parse(await readFile(await json.path(), 'utf8')) as AuditLine[];
  expect(lines.map((l) => [l.id, l.action, l.target])).toEqual([[2, 'kick', 'maple_tea']]);
});

test('a refused export says why and downloads nothing', async ({ page }) => {
  await busyLog(page);
  const panel = await openTab(page, 'audit');
  await failNext(page, 'exportAudit', REFUSED);
  let downloads = 0;
  page.on('download', () => downloads++);
  await panel.getByTestId('audit-export-csv').click();
  await expect(panel.getByTestId('audit-export-error')).toHaveText(REFUSED.message);
  await expect(panel.getByTestId('audit-export-csv')).toBeEnabled();
  expect(downloads).toBe(0);
});

test('undoing a mute shows progress, marks the line undone and lifts the mute', async ({ page }) => {
  await busyLog(page);
  const panel = await openTab(page, 'audit');
  const mute = panel.locator('[data-testid=audit-line][data-audit-id="1"]');
  await holdNext(page, 'undo');
  await mute.getByTestId('audit-undo').click();
  await expect(mute.getByTestId('audit-undo')).toHaveText('Working…');
  await expect(mute.getByTestId('audit-undo')).toBeDisabled();
  await release(page, 'undo');
  await expect(mute).toHaveAttribute('data-undone', 'true');
  await expect(mute).toContainText('Undone');
  await expect(mute.getByTestId('audit-undo')).toHaveCount(0);
  // The unmute is audited in turn, and the user is no longer muted.
  await expect(panel.getByTestId('audit-line').first()).toHaveAttribute('data-action', 'unmute');
  const moderation = await openTab(page, 'moderation');
  await expect(moderation.getByTestId('muted-list')).toHaveText('None');
});

test('undoing a ban unblocks the user', async ({ page }) => {
  await busyLog(page);
  const panel = await openTab(page, 'audit');
  await panel.locator('[data-audit-id="4"]').getByTestId('audit-undo').click();
  await expect(panel.locator('[data-audit-id="4"]')).toHaveAttribute('data-undone', 'true');
  const moderation = await openTab(page, 'moderation');
  await expect(moderation.getByTestId('blocked-list').locator('[data-user-id="spam_bot_9"]')).toHaveCount(0);
  await expect(moderation.getByTestId('blocked-list').locator('[data-user-id="maple_tea"]')).toBeVisible();
});

test('a refused undo says why on its line, which keeps its Undo', async ({ page }) => {
  await busyLog(page);
  const panel = await openTab(page, 'audit');
  const kick = panel.locator('[data-audit-id="2"]');
  await failNext(page, 'undo', REFUSED);
  await kick.getByTestId('audit-undo').click();
  await expect(kick.getByTestId('audit-undo-error')).toHaveText(REFUSED.message);
  await expect(kick).toHaveAttribute('data-undone', 'false');
  await expect(kick.getByTestId('audit-undo')).toBeEnabled();
});
