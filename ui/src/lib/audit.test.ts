// Why: the audit helpers decide what the Rust side is asked (complete queries), which lines get an
// Undo button, and what the fake's search and export return.
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, auditQuery, exportAuditText, isUndoable, matchesAudit } from './audit';
import type { AuditAction, AuditLine } from './bindings';

const line = (over: Partial<AuditLine> = {}): AuditLine => ({
  id: 1,
  at: 1000,
  actor: 'anchor',
  action: 'mute',
  target: 'alice',
  detail: '',
  reason: '',
  duration: 60,
  undoneBy: null,
  ...over,
});

describe('audit helpers', () => {
  it('completes queries; blank text means no text filter', () => {
    expect(auditQuery()).toEqual({ text: null, target: null, action: null, limit: 0 });
    expect(auditQuery({ text: '  spam ' })).toEqual({ text: 'spam', target: null, action: null, limit: 0 });
    expect(auditQuery({ text: '   ', target: 'bob', action: 'kick', limit: 5 })).toEqual({
      text: null,
      target: 'bob',
      action: 'kick',
      limit: 5,
    });
  });

  it('only mute, kick, ban, mute-all and strike can be undone (as room_undo accepts)', () => {
    expect(AUDIT_ACTIONS.filter((action) => isUndoable({ action }))).toEqual(['mute', 'kick', 'ban', 'muteAll', 'strike']);
  });

  it('lists every action the wire has, once', () => {
    // A key missing here, or one the wire does not have, is a type error.
    const all: Record<AuditAction, true> = {
      mute: true,
      unmute: true,
      kick: true,
      unblock: true,
      ban: true,
      unban: true,
      status: true,
      notice: true,
      words: true,
      approve: true,
      reject: true,
      lottery: true,
      broadcast: true,
      hide: true,
      muteAll: true,
      strike: true,
      forgive: true,
      ladder: true,
      invite: true,
      join: true,
      revoke: true,
      refused: true,
    };
    expect([...AUDIT_ACTIONS].sort()).toEqual(Object.keys(all).sort());
  });

  it('matches text in actor, target, detail or reason, ignoring case', () => {
    const l = line({ actor: 'mod_mei', reason: 'Spamming links', detail: 'until the end of this stream' });
    const q = (text: string) => auditQuery({ text });
    expect(matchesAudit(l, q('MEI'))).toBe(true);
    expect(matchesAudit(l, q('spam'))).toBe(true);
    expect(matchesAudit(l, q('ALIC'))).toBe(true);
    expect(matchesAudit(l, q('stream'))).toBe(true);
    expect(matchesAudit(l, q('mute'))).toBe(false); // the action is not searched as text
    expect(matchesAudit(l, auditQuery({ target: 'alice', action: 'mute' }))).toBe(true);
    expect(matchesAudit(l, auditQuery({ target: 'ali' }))).toBe(false);
  });

  it('exports CSV with quoting, and JSON', () => {
    const l = line({ reason: 'said "hi", twice', detail: 'a\nb', undoneBy: 3 });
    expect(exportAuditText([l], 'csv')).toBe(
      'id,at,actor,action,target,detail,reason,duration,undone_by\n' +
        '1,1000,anchor,mute,alice,"a\nb","said ""hi"", twice",60,3\n',
    );
    expect(JSON.parse(exportAuditText([l], 'json'))).toEqual([l]);
  });
});
