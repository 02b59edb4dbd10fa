// Why: the console must offer exactly what the hub allows, so the UI's copy of the hub's access
// matrix (`server::access`: `allows`, `permission_for`) is listed here in full — a change to either
// side without the other shows up as a failing row — together with which permission each console
// command needs through the hub route it calls.
import { describe, expect, it } from 'vitest';
import { HUB_ROUTES, PERMISSIONS, ROLES, can, commandPermission, isHubCommand, permissionFor, type HubCommand, type Permission } from './roles';

describe('the access matrix (Rust: access::allows)', () => {
  it('gives the owner everything, a moderator the chat actions, a viewer reading only', () => {
    const matrix = Object.fromEntries(ROLES.map((role) => [role, PERMISSIONS.filter((p) => can(role, p))]));
    expect(matrix).toEqual({
      owner: ['read', 'moderate', 'held', 'words', 'notes', 'lottery', 'broadcast', 'notice', 'status', 'strikeLadder'].concat(
        ['stream', 'gifts', 'people'],
      ),
      moderator: ['read', 'moderate', 'held', 'words', 'notes', 'lottery'],
      viewer: ['read'],
    });
  });
});

describe('permissionFor (Rust: access::permission_for)', () => {
  it('maps every route to its permission, as the hub does', () => {
    const cases: Array<[string, string, Permission]> = [
      ['GET', '/api/v1/rooms/{room}', 'read'],
      ['GET', '/api/v1/rooms/{room}/events', 'read'],
      ['GET', '/api/v1/rooms/{room}/team', 'read'],
      ['GET', '/api/v1/me', 'read'],
      ['POST', '/api/v1/me', 'people'],
      ['POST', '/api/v1/rooms/{room}/moderation', 'moderate'],
      ['POST', '/api/v1/rooms/{room}/audit/{id}/undo', 'moderate'],
      ['POST', '/api/v1/rooms/{room}/held/{id}', 'held'],
      ['PUT', '/api/v1/rooms/{room}/words', 'words'],
      ['PUT', '/api/v1/rooms/{room}/users/{user}/note', 'notes'],
      ['POST', '/api/v1/rooms/{room}/lottery/draw', 'lottery'],
      ['POST', '/api/v1/rooms/{room}/broadcast', 'broadcast'],
      ['PUT', '/api/v1/rooms/{room}/notice', 'notice'],
      ['POST', '/api/v1/rooms/{room}/status', 'status'],
      ['PUT', '/api/v1/rooms/{room}/strikes', 'strikeLadder'],
      ['GET', '/api/v1/rooms/{room}/stream', 'stream'],
      ['POST', '/api/v1/rooms/{room}/stream/go-live', 'stream'],
      ['POST', '/api/v1/rooms/{room}/gifts', 'gifts'],
      ['POST', '/api/v1/rooms/{room}/invites', 'people'],
      ['DELETE', '/api/v1/rooms/{room}/people/{id}', 'people'],
    ];
    expect(cases.map(([m, r]) => permissionFor(m, r))).toEqual(cases.map(([, , p]) => p));
  });

  it('fails closed: an unlisted route or method is the owner’s', () => {
    expect(permissionFor('HEAD', '/api/v1/rooms/{room}')).toBe('people');
    expect(permissionFor('POST', '/api/v1/rooms/{room}/something-new')).toBe('people');
    expect(permissionFor('GET', '/api/v1/elsewhere')).toBe('people');
    expect(permissionFor('GET', '/rooms/{room}/words')).toBe('read'); // the prefix is optional
  });
});

describe('console commands through the hub', () => {
  it('need these permissions', () => {
    const needs = Object.fromEntries(Object.keys(HUB_ROUTES).map((c) => [c, commandPermission(c as HubCommand)]));
    expect(needs).toEqual({
      setStatus: 'status',
      moderate: 'moderate',
      setStrikeLadder: 'strikeLadder',
      sessions: 'read',
      words: 'read',
      setWords: 'words',
      resolveHeld: 'held',
      audit: 'read',
      exportAudit: 'read',
      undo: 'moderate',
      userCard: 'read',
      setNote: 'notes',
      setNotice: 'notice',
      openLottery: 'lottery',
      closeLottery: 'lottery',
      drawLottery: 'lottery',
      broadcast: 'broadcast',
      streamAddress: 'stream',
      renewStreamAddress: 'stream',
      applyToObs: 'stream',
      goLive: 'stream',
      stopStream: 'stream',
      hubMe: 'read',
      team: 'read',
      people: 'people',
      invite: 'people',
      revoke: 'people',
    });
  });

  it('leaves out what never reaches the hub', () => {
    for (const local of ['subscribe', 'parseWords', 'formatWords', 'settings', 'saveSettings', 'joinHub', 'hubConnection', 'popOutChat']) {
      expect(isHubCommand(local), local).toBe(false);
    }
    expect(isHubCommand('moderate')).toBe(true);
  });
});
