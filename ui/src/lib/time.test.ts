// Why: mute countdowns and "permanent" must read right in every panel.
import { describe, expect, it } from 'vitest';
import { MUTE_DURATIONS, PERMANENT_MUTE_SECONDS, formatClock, formatRemaining, isMuteActive, isPermanentMute } from './time';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const NOW_SEC = NOW / 1000;

describe('time helpers', () => {
  it('offers the six card durations in seconds', () => {
    expect(MUTE_DURATIONS).toEqual([10, 60, 600, 3600, 86400, 4294967295]);
  });

  it('treats ≥ 10 years as permanent, 24 h as not', () => {
    expect(isPermanentMute(NOW_SEC + PERMANENT_MUTE_SECONDS, NOW)).toBe(true);
    expect(isPermanentMute(NOW_SEC + 10 * 365 * 86400, NOW)).toBe(true);
    expect(isPermanentMute(NOW_SEC + 9 * 365 * 86400, NOW)).toBe(false);
    expect(isPermanentMute(NOW_SEC + 86400, NOW)).toBe(false);
  });

  it('knows whether a mute still runs', () => {
    expect(isMuteActive(NOW_SEC + 1, NOW)).toBe(true);
    expect(isMuteActive(NOW_SEC, NOW)).toBe(false);
  });

  it('formats remaining time without going negative', () => {
    expect(formatRemaining(NOW_SEC + 9, NOW)).toBe('0:09');
    expect(formatRemaining(NOW_SEC + 600, NOW)).toBe('10:00');
    expect(formatRemaining(NOW_SEC + 86400, NOW)).toBe('24:00:00');
    expect(formatRemaining(NOW_SEC + 3723, NOW + 500)).toBe('1:02:03');
    expect(formatRemaining(NOW_SEC - 5, NOW)).toBe('0:00');
  });

  it('formats clock times as HH:MM:SS', () => {
    expect(formatClock(NOW)).toMatch(/^\d{2}:\d{2}:\d{2}$/);
  });
});
