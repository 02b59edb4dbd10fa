// Why: page and component tests of a moderator's or a viewer's console, and of a console whose link
// is down, are only worth something if the fake refuses what the hub refuses: every command through
// the hub is checked against the role (refused `forbidden` in the hub's words, and audited as
// `refused`), and nothing goes while the link is not connected (`offline`, saying it was not done).
import { describe, expect, it } from 'vitest';
import type { AuditLine, Feed, HubConnection } from './bindings';
import { FakeBackend } from './fake-backend';
import type { FakeTeamOptions } from './fake-team';

function fakeAs(team: FakeTeamOptions) {
  const fake = new FakeBackend({ seed: 3, clock: () => Date.UTC(2025, 0, 1, 12), team });
  const audit: AuditLine[] = [];
  void fake.subscribe((feed: Feed) => {
    if (feed.type === 'events') for (const { event } of feed.events) if (event.type === 'audit') audit.push(event);
  });
  return { fake, audit };
}

const MODERATOR: FakeTeamOptions = { me: { name: 'mod_alice', role: 'moderator' } };
const VIEWER: FakeTeamOptions = { me: { name: 'prod_bo', role: 'viewer' } };

describe('the fake hub checks roles', () => {
  it('lets a moderator moderate, audited under their name', async () => {
    const { fake, audit } = fakeAs(MODERATOR);
    await fake.moderate({ type: 'kick', userId: 'spammer', reason: '' });
    expect(audit.at(-1)).toMatchObject({ actor: 'mod_alice', action: 'kick', target: 'spammer' });
  });

  it('refuses a moderator the owner’s commands, in the hub’s words, and audits the refusal', async () => {
    const { fake, audit } = fakeAs(MODERATOR);
    await expect(fake.setStatus('live')).rejects.toEqual({
      code: 'forbidden',
      message: "a moderator may not change the room's status (mod_alice is a moderator)",
    });
    expect(audit.at(-1)).toMatchObject({
      actor: 'mod_alice',
      action: 'refused',
      target: 'POST /rooms/{room}/status',
      detail: "a moderator may not change the room's status",
    });
    for (const refused of [
      () => fake.broadcast('hi'),
      () => fake.setNotice({ notice: 'x' }),
      () => fake.streamAddress(),
      () => fake.setStrikeLadder({ steps: [], windowSecs: 60, fromFilter: false }),
      () => fake.people(),
      () => fake.invite('viewer', null, 3600),
      () => fake.revoke(1),
    ]) {
      await expect(refused()).rejects.toMatchObject({ code: 'forbidden' });
    }
    expect(fake.snapshot().status).toBe('upcoming'); // nothing was done
  });

  it('lets a viewer read and nothing else', async () => {
    const { fake, audit } = fakeAs(VIEWER);
    await expect(fake.words()).resolves.toBeInstanceOf(Array);
    await expect(fake.team()).resolves.toHaveLength(2);
    await expect(fake.moderate({ type: 'kick', userId: 'spammer', reason: '' })).rejects.toEqual({
      code: 'forbidden',
      message: 'a viewer may not moderate viewers (prod_bo is a viewer)',
    });
    await expect(fake.resolveHeld(1, true)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(fake.setWords([])).rejects.toMatchObject({ code: 'forbidden' });
    await expect(fake.setNote('x', 'y')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(fake.openLottery('gift')).rejects.toMatchObject({ code: 'forbidden' });
    expect(audit.filter((l) => l.action === 'refused')).toHaveLength(5);
  });

  it('never checks what stays on this computer', async () => {
    const { fake } = fakeAs(VIEWER);
    await expect(fake.parseWords('spam')).resolves.toHaveLength(1);
    await expect(fake.settings()).resolves.toBeTruthy();
  });
});

describe('the fake hub while the link is down', () => {
  const RECONNECTING: HubConnection = { type: 'reconnecting', attempt: 3, since: 0, reason: 'connection refused' };

  it('refuses every command at once with offline, saying it was not done, and takes them again once back', async () => {
    const { fake } = fakeAs(MODERATOR);
    fake.hubTeam.setConnection(RECONNECTING);
    await expect(fake.moderate({ type: 'kick', userId: 'spammer', reason: '' })).rejects.toEqual({
      code: 'offline',
      message: 'the hub is unreachable (connection refused); this was not done — try again once reconnected',
    });
    await expect(fake.userCard('spammer')).rejects.toMatchObject({ code: 'offline' });
    await expect(fake.team()).rejects.toMatchObject({ code: 'offline' });
    await expect(fake.hubMe()).resolves.toMatchObject({ name: 'mod_alice' }); // known from before
    await expect(fake.hubConnection()).resolves.toEqual(RECONNECTING);
    fake.hubTeam.setConnection({ type: 'connected', role: 'moderator', name: 'mod_alice' });
    await expect(fake.moderate({ type: 'kick', userId: 'spammer', reason: '' })).resolves.toBeUndefined();
  });

  it('answers as the console does before the first connection and after a final stop', async () => {
    const { fake } = fakeAs({ ...MODERATOR, connection: { type: 'connecting' } });
    await expect(fake.hubMe()).rejects.toMatchObject({ code: 'notReady' });
    fake.hubTeam.setConnection({ type: 'revoked', reason: 'the owner revoked this console’s access' });
    await expect(fake.setWords([])).rejects.toEqual({
      code: 'forbidden',
      message: 'the owner revoked this console’s access; this was not done',
    });
    fake.hubTeam.setConnection({ type: 'failed', reason: 'the hub’s certificate is not trusted' });
    await expect(fake.setWords([])).rejects.toMatchObject({ code: 'offline' });
  });
});

describe('the fake hub’s team', () => {
  it('audits a join when someone redeems an invite', async () => {
    const { fake, audit } = fakeAs({});
    const invite = await fake.invite('viewer', null, 3600);
    expect(audit.at(-1)).toMatchObject({ action: 'invite', target: '(name chosen on joining)' });
    fake.hubTeam.redeem(invite.code, 'prod_bo');
    expect(audit.at(-1)).toMatchObject({ actor: 'prod_bo', action: 'join', target: 'prod_bo', detail: 'joined as viewer' });
    expect(() => fake.hubTeam.redeem(invite.code, 'again')).toThrow();
  });
});
