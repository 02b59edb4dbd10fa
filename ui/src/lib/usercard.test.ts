// Why: the viewer level must be the Rust formula (`event::level_for`), or the fake's cards and the
// real ones would disagree about the same activity.
import { describe, expect, it } from 'vitest';
import { BLOCKED_FOREVER, levelFor } from './usercard';
import { isPermanentMute } from './time';

describe('levelFor (mirror of Rust level_for)', () => {
  it('starts at one and grows with engagement, as Rust’s own test says', () => {
    expect(levelFor(0, 0, 0, 0)).toBe(1);
    expect(levelFor(5, 0, 0, 0)).toBe(2); // ten points make level 2
    expect(levelFor(4, 9, 0, 59)).toBe(1); // 8 points: partial likes and minutes do not count
    expect(levelFor(0, 0, 10_000, 0)).toBeGreaterThan(levelFor(100, 100, 0, 600)); // a big gifter ranks above a chatter
    expect(levelFor(0, 0, Number.MAX_SAFE_INTEGER, 0)).toBe(100); // capped
  });

  it('is 1 + ⌊√(points / 10)⌋ with points = 2·messages + likes/10 + gift value + minutes online', () => {
    // 2·20 + 35/10 + 50 + 600/60 = 40 + 3 + 50 + 10 = 103 → ⌊10.3⌋ = 10 → √10 → 3 → level 4
    expect(levelFor(20, 35, 50, 600)).toBe(4);
    // 250 points → 25 → 5 → level 6
    expect(levelFor(0, 0, 250, 0)).toBe(6);
  });

  it('a kick’s block (u64::MAX) reads as having no end', () => {
    expect(BLOCKED_FOREVER).toBe(18446744073709551615); // what JSON.parse makes of u64::MAX
    expect(isPermanentMute(BLOCKED_FOREVER, Date.now())).toBe(true);
  });
});
