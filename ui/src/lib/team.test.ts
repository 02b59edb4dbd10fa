// Why: the invite form checks a name as the hub will (so a refused invite is caught while typing),
// and warns when an invite link names a hub only this computer can reach.
import { describe, expect, it } from 'vitest';
import { INVITE_VALIDITIES, MAX_INVITE_SECS, invitesOnlyThisComputer, nameIssue, nameProblem } from './team';

describe('names on the hub (Rust: access::check_name)', () => {
  it('takes 1 to 32 letters (any script), digits, _ - and .', () => {
    for (const fine of ['mod_alice', 'prod.bo-2', '小龙女', 'さくら_jp', 'x', 'a'.repeat(32)]) expect(nameIssue(fine), fine).toBeNull();
  });

  it('refuses empty, long, spaced or punctuated names, and reserved ones in any case', () => {
    for (const bad of ['', 'a'.repeat(33), 'mod alice', 'mod@alice', 'a/b']) expect(nameIssue(bad), bad).toBe('format');
    for (const reserved of ['owner', 'Anchor', 'API', 'hub']) expect(nameIssue(reserved), reserved).toBe('reserved');
    expect(nameProblem('owner')).toBe('"owner" is reserved; choose another name');
    expect(nameProblem('a b')).toContain('is not a usable name');
  });

  it('refuses names that could pass for another in the audit log, as the hub does', () => {
    for (const good of ['mod_alice', 'Анна', 'Ελένη', 'さくら_jp', '阿杰_88', '민준_kr', 'Zoë-Renée']) {
      expect(nameIssue(good), good).toBeNull();
    }
    for (const bad of ['\u043ewner', 'mod_\u03b1lice', '\uFF41nchor', '\uFF4Dod_\uFF41']) {
      expect(nameIssue(bad), bad).toBe('lookAlike');
    }
  });
});

describe('invites', () => {
  it('offer 1 h to 30 days, never beyond what the hub allows', () => {
    expect(INVITE_VALIDITIES).toEqual([3600, 86400, 604800, 2592000]);
    expect(Math.max(...INVITE_VALIDITIES)).toBe(MAX_INVITE_SECS);
  });

  it('say when a link works on this computer only', () => {
    expect(invitesOnlyThisComputer('anchordesk://join?hub=http://127.0.0.1:8690&code=abc')).toBe(true);
    expect(invitesOnlyThisComputer('anchordesk://join?hub=http://localhost:8690&code=abc')).toBe(true);
    expect(invitesOnlyThisComputer('anchordesk://join?hub=http://0.0.0.0:8690&code=abc')).toBe(true);
    expect(invitesOnlyThisComputer('anchordesk://join?hub=https://[::]:8690&code=abc')).toBe(true);
    expect(invitesOnlyThisComputer('anchordesk://join?hub=http://[::1]:8690&code=abc')).toBe(true);
    expect(invitesOnlyThisComputer('anchordesk://join?hub=https://hub.example.com&code=abc')).toBe(false);
    expect(invitesOnlyThisComputer('anchordesk://join?hub=http://192.168.1.20:8690&code=abc')).toBe(false);
    expect(invitesOnlyThisComputer('not a link')).toBe(false);
  });
});
