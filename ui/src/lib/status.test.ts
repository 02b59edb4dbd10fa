// Why: guards the status helpers the menu relies on beyond the transition table (tested in room.test).
import { describe, expect, it } from 'vitest';
import { STATUSES, TRANSITIONS, isRoomStatus } from './status';

describe('status helpers', () => {
  it('lists five states, each with exactly two exits that are other states', () => {
    expect(STATUSES).toEqual(['upcoming', 'live', 'paused', 'ended', 'replay']);
    for (const s of STATUSES) {
      expect(TRANSITIONS[s]).toHaveLength(2);
      expect(TRANSITIONS[s]).not.toContain(s);
      for (const to of TRANSITIONS[s]) expect(STATUSES).toContain(to);
    }
  });

  it('recognises status strings', () => {
    expect(isRoomStatus('live')).toBe(true);
    expect(isRoomStatus('Live')).toBe(false);
    expect(isRoomStatus(undefined)).toBe(false);
  });
});
