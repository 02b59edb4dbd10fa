// @vitest-environment jsdom
// Why: the Team tab is where the owner lets people in and out, so it must show who is on the team and
// connected (asked while the tab is shown, at once when someone joins), show a new invite's code and
// link exactly once (with the warning when only this computer can use it), check a name as the hub
// will, and revoke only after saying what it does. A moderator sees the team and nothing to manage.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import type { FakeTeamOptions } from '../lib/fake-team';
import { Hub, TEAM_POLL_MS } from '../lib/hub.svelte';
import { allByTestId as qa, byTestId as q, connectedRoom, mountPerTest } from '../lib/test-support';
import TeamPanel from './TeamPanel.svelte';

vi.mock('../lib/clipboard', () => ({ copyText: vi.fn(async () => {}) }));
import { copyText } from '../lib/clipboard';

const show = mountPerTest();
/** The room's frames: audit lines reach the panel when one runs (in the app: the next animation frame). */
let frames: { frame(): number } | null = null;

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());
const members = () => qa('team-member').map((m) => `${m.dataset.name}:${m.dataset.role}:${m.dataset.connected}`);
const person = (name: string) => document.querySelector<HTMLElement>(`[data-testid="person-row"][data-name="${name}"]`)!;

async function settle() {
  frames?.frame();
  await vi.advanceTimersByTimeAsync(0);
  frames?.frame();
  for (let i = 0; i < 5; i++) await Promise.resolve();
  flushSync();
}

function type(el: HTMLInputElement | HTMLSelectElement, value: string) {
  el.value = value;
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  flushSync();
}

async function setup(team: FakeTeamOptions = {}, visible = true) {
  const ctx = await connectedRoom({ team });
  frames = ctx.frames;
  const hub = new Hub({ room: ctx.room });
  hub.start();
  await settle();
  const props = $state({ room: ctx.room, hub, visible });
  show(TeamPanel, props);
  await settle();
  const count = (method: string) => ctx.backend.calls.filter((c) => c.method === method).length;
  return { ...ctx, hub, props, count };
}

describe('TeamPanel for the owner', () => {
  const PEOPLE: FakeTeamOptions = {
    people: [{ name: 'mod_mei', role: 'moderator', createdAt: Date.UTC(2024, 11, 30), lastSeen: Date.UTC(2025, 0, 1, 11), connected: 1, revoked: false }],
  };

  it('lists the team with roles and who is connected, this console marked', async () => {
    await setup(PEOPLE);
    expect(members()).toEqual(['anchor:owner:1', 'mod_mei:moderator:1']);
    const owner = qa('team-member')[0];
    expect(q('team-you', owner)).not.toBeNull();
    expect(q('team-you', qa('team-member')[1])).toBeNull();
    expect(q('team-online')!.textContent).toBe('2 connected');
    expect(person('mod_mei').dataset.revoked).toBe('false');
  });

  it('creates an invite and shows its code and link once, warning that a loopback hub is this computer’s only', async () => {
    const { backend } = await setup();
    type(q<HTMLSelectElement>('invite-role')!, 'viewer');
    type(q<HTMLSelectElement>('invite-valid')!, '3600');
    type(q<HTMLInputElement>('invite-name')!, ' prod_bo ');
    q('invite-create')!.click();
    await settle();
    expect(backend.calls.find((c) => c.method === 'invite')?.args).toEqual(['viewer', 'prod_bo', 3600]);
    const code = q('invite-code')!.textContent!;
    expect(code).toMatch(/^fake-invite-/);
    expect(q('invite-link')!.textContent).toBe(`anchordesk://join?hub=http://127.0.0.1:8690&code=${code}`);
    expect(q('invite-created')!.textContent).toContain('Shown only now');
    expect(q('invite-created')!.textContent).toContain('It works once');
    expect(q('invite-loopback')!.textContent).toContain('no other computer can use');
    expect(q<HTMLInputElement>('invite-name')!.value).toBe(''); // ready for the next one

    q('invite-copy')!.click();
    await settle();
    expect(copyText).toHaveBeenLastCalledWith(q('invite-link')!.textContent);
    expect(q('invite-copy')!.textContent!.trim()).toBe('Copied');

    q('invite-done')!.click();
    flushSync();
    expect(q('invite-code')).toBeNull();
    expect(document.body.textContent).not.toContain(code); // gone for good
  });

  it('checks the name as the hub will before asking it', async () => {
    const { count } = await setup();
    type(q<HTMLInputElement>('invite-name')!, 'Owner');
    expect(q('invite-name-problem')!.textContent).toContain('reserved');
    expect(q<HTMLButtonElement>('invite-create')!.disabled).toBe(true);
    type(q<HTMLInputElement>('invite-name')!, 'mod alice');
    expect(q('invite-name-problem')!.textContent).toContain('without spaces');
    type(q<HTMLInputElement>('invite-name')!, '');
    expect(q('invite-name-problem')).toBeNull();
    expect(q<HTMLButtonElement>('invite-create')!.disabled).toBe(false); // no name: they choose one on joining
    expect(count('invite')).toBe(0);
  });

  it('shows someone who joined at once, and their console connecting within a poll', async () => {
    const { backend } = await setup();
    q('invite-create')!.click();
    await settle();
    const code = q('invite-code')!.textContent!;
    backend.hubTeam.redeem(code, 'mod_alice'); // the hub audits the join: the panel asks again at once
    await settle();
    expect(members()).toEqual(['anchor:owner:1', 'mod_alice:moderator:0']);
    backend.hubTeam.setConnected('mod_alice', 1);
    await vi.advanceTimersByTimeAsync(TEAM_POLL_MS);
    await settle();
    expect(members()).toEqual(['anchor:owner:1', 'mod_alice:moderator:1']);
    expect(person('mod_alice').textContent).toContain('Connected');
  });

  it('revokes only after saying their console disconnects at once', async () => {
    const { backend, count } = await setup(PEOPLE);
    q('person-revoke', person('mod_mei'))!.click();
    flushSync();
    expect(q('person-revoke-question')!.textContent).toContain('Their console is disconnected at once');
    expect(count('revoke')).toBe(0);
    q('person-revoke-cancel')!.click();
    flushSync();
    expect(q('person-revoke-question')).toBeNull();

    q('person-revoke', person('mod_mei'))!.click();
    flushSync();
    q('person-revoke-confirm')!.click();
    await settle();
    expect(backend.calls.find((c) => c.method === 'revoke')?.args).toEqual([1]);
    expect(person('mod_mei').dataset.revoked).toBe('true');
    expect(q('person-revoke', person('mod_mei'))).toBeNull();
    expect(members()).toEqual(['anchor:owner:1']);
    expect(q('team-activity')!.textContent).toContain('Revoke access');
  });

  it('asks the hub only while the tab is shown', async () => {
    const { props, count } = await setup({}, false);
    await vi.advanceTimersByTimeAsync(3 * TEAM_POLL_MS);
    expect(count('team')).toBe(0);
    props.visible = true;
    await settle();
    expect(count('team')).toBe(1);
    props.visible = false;
    await settle();
    await vi.advanceTimersByTimeAsync(3 * TEAM_POLL_MS);
    expect(count('team')).toBe(1);
  });
});

describe('TeamPanel for a moderator', () => {
  it('shows the team only: no invite form, no people list, and says why', async () => {
    const { count } = await setup({ me: { name: 'mod_alice', role: 'moderator' } });
    expect(members()).toEqual(['anchor:owner:1', 'mod_alice:moderator:1']);
    expect(q('team-you', qa('team-member')[1])).not.toBeNull();
    expect(q('invite-form')).toBeNull();
    expect(q('people-list')).toBeNull();
    expect(q('role-denied')!.textContent!.trim()).toBe('Only the owner can invite people or revoke their access');
    expect(count('people')).toBe(0); // never asked: the hub would refuse (and audit) it
  });
});
