// Why: the team as its members meet it in the console — the owner invites someone (the code shown
// once, with the warning that a loopback hub is this computer's only), sees them join and connect,
// and revokes them after a confirmation; a moderator sees the team and has the owner's controls off;
// a viewer-only console changes nothing. Against the page's fake hub, which enforces the same roles.
import { expect, test, type Page } from '@playwright/test';
import { callsOf, openConsole, openTab } from './support';

const inTeam = (page: Page, name: string) => page.locator(`[data-testid="team-member"][data-name="${name}"]`);
const personRow = (page: Page, name: string) => page.locator(`[data-testid="person-row"][data-name="${name}"]`);

test.describe('the owner', () => {
  test('invites a moderator: the code and link are shown once, with Copy and the loopback warning', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await openConsole(page);
    const panel = await openTab(page, 'team');
    await expect(inTeam(page, 'anchor')).toHaveAttribute('data-role', 'owner');

    await panel.getByTestId('invite-role').selectOption('moderator');
    await panel.getByTestId('invite-valid').selectOption({ label: '7 days' });
    await panel.getByTestId('invite-name').fill('mod alice');
    await expect(panel.getByTestId('invite-name-problem')).toContainText('without spaces');
    await expect(panel.getByTestId('invite-create')).toBeDisabled();
    await panel.getByTestId('invite-name').fill('mod_alice');
    await panel.getByTestId('invite-create').click();

    const code = panel.getByTestId('invite-code');
    await expect(code).toHaveText(/^fake-invite-\d+$/);
    const shown = (await code.textContent())!;
    await expect(panel.getByTestId('invite-link')).toHaveText(`anchordesk://join?hub=http://127.0.0.1:8690&code=${shown}`);
    await expect(panel.getByTestId('invite-created')).toContainText('Shown only now');
    await expect(panel.getByTestId('invite-loopback')).toContainText('no other computer can use');
    expect(await callsOf(page, 'invite')).toEqual([['moderator', 'mod_alice', 604800]]);

    await panel.getByTestId('invite-copy').click();
    await expect(panel.getByTestId('invite-copy')).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`anchordesk://join?hub=http://127.0.0.1:8690&code=${shown}`);

    await panel.getByTestId('invite-done').click();
    await expect(panel.getByTestId('invite-code')).toHaveCount(0);
    await expect(page.locator('body')).not.toContainText(shown);
    // The audit log has the invite, never its code.
    await expect(panel.getByTestId('team-activity')).toContainText('mod_alice');
  });

  test('sees someone join at once and their console connect, then revokes them after confirming', async ({ page }) => {
    await openConsole(page);
    const panel = await openTab(page, 'team');
    await panel.getByTestId('invite-create').click();
    const code = (await panel.getByTestId('invite-code').textContent())!;

    await page.evaluate((c) => window.__anchordeskFake.hubTeam.redeem(c, 'mod_alice'), code);
    await expect(inTeam(page, 'mod_alice')).toHaveAttribute('data-connected', '0'); // the join's audit line
    await expect(personRow(page, 'mod_alice')).toHaveAttribute('data-revoked', 'false');
    await page.evaluate(() => window.__anchordeskFake.hubTeam.setConnected('mod_alice', 1));
    await expect(inTeam(page, 'mod_alice')).toHaveAttribute('data-connected', '1', { timeout: 8000 }); // the next poll

    const row = personRow(page, 'mod_alice');
    await row.getByTestId('person-revoke').click();
    await expect(row.getByTestId('person-revoke-question')).toContainText('Their console is disconnected at once');
    await row.getByTestId('person-revoke-confirm').click();
    await expect(row).toHaveAttribute('data-revoked', 'true');
    await expect(row.getByTestId('person-revoke')).toHaveCount(0);
    await expect(inTeam(page, 'mod_alice')).toHaveCount(0);
    expect((await callsOf(page, 'revoke')).length).toBe(1);
  });
});

test('a moderator sees the team but no invite form, and the owner’s controls are off', async ({ page }) => {
  await openConsole(page, { options: { info: { mode: 'remote' }, team: { me: { name: 'mod_alice', role: 'moderator' } } } });
  const me = page.getByTestId('hub-me');
  await expect(me).toHaveAttribute('data-role', 'moderator');
  await expect(me).toHaveAttribute('data-name', 'mod_alice');
  await expect(me).toContainText('Moderator');

  const panel = await openTab(page, 'team');
  await expect(inTeam(page, 'mod_alice')).toHaveAttribute('data-role', 'moderator');
  await expect(panel.getByTestId('invite-form')).toHaveCount(0);
  await expect(panel.getByTestId('people-list')).toHaveCount(0);
  await expect(panel.getByTestId('role-denied')).toHaveText('Only the owner can invite people or revoke their access');

  await expect(page.getByTestId('status-toggle')).toBeDisabled();
  await expect(page.getByTestId('status-toggle')).toHaveAttribute('title', 'Only the owner can change the room’s status');
  await expect(page.getByTestId('mute-all-toggle')).toBeEnabled();
  const stream = await openTab(page, 'stream');
  await expect(stream.getByTestId('go-live-owner-only')).toContainText('Only the owner can use the stream desk');
  const room = await openTab(page, 'room');
  await expect(room.getByTestId('notice-save')).toBeDisabled();
  await expect(room.getByTestId('broadcast-send')).toBeDisabled();
  await room.getByTestId('lottery-keyword').fill('gift');
  await expect(room.getByTestId('lottery-open')).toBeEnabled();
  expect(await callsOf(page, 'streamAddress')).toEqual([]); // the push address was never asked for
  expect(await callsOf(page, 'people')).toEqual([]);
});

test('a viewer-only console says so and changes nothing', async ({ page }) => {
  await openConsole(page, {
    options: { info: { mode: 'remote' }, team: { me: { name: 'prod_bo', role: 'viewer' } } },
    send: [
      ['nightowl42', 'FREE COINS on my profile!!'],
      ['maple_tea', 'hello from Toronto!'],
    ],
  });
  const me = page.getByTestId('hub-me');
  await expect(me).toHaveAttribute('data-role', 'viewer');
  await expect(me).toContainText('View only');
  await expect(page.getByTestId('mute-all-toggle')).toBeDisabled();

  const held = await openTab(page, 'held');
  await expect(held.getByTestId('held-line')).toHaveCount(1);
  await expect(held.getByTestId('held-approve')).toBeDisabled();
  const words = await openTab(page, 'words');
  await expect(words.getByTestId('words-save')).toBeDisabled();
  const room = await openTab(page, 'room');
  await expect(room.getByTestId('lottery-keyword')).not.toBeEditable();

  await page.getByTestId('chat-user').first().click();
  const card = page.getByTestId('user-card');
  await expect(card.getByTestId('user-profile')).toHaveAttribute('data-state', 'ready');
  await expect(card.getByTestId('role-denied')).toContainText('View only');
  await expect(card.getByTestId('user-kick')).toBeDisabled();
  await expect(card.getByTestId('user-note')).not.toBeEditable();
  await page.keyboard.press('k');
  expect(await callsOf(page, 'moderate')).toEqual([]);
});
