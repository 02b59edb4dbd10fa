// Why: mute countdowns and "permanent" must read right in every panel.
import { describe, expect, it } from 'vitest';
import {
  BAN_DURATIONS,
  MUTE_DURATIONS,
  PERMANENT_MUTE_SECONDS,
  fileStamp,
  formatClock,
  formatRemaining,
  formatStamp,
  isMuteActive,
  isPermanentMute,
  splitDuration,
} from './time';

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

  it('offers the four ban durations: 1 h, 24 h, 7 d, 30 d', () => {
    expect(BAN_DURATIONS).toEqual([3600, 86400, 7 * 86400, 30 * 86400]);
  });

  it('splits durations into their two largest units, permanent as null', () => {
    expect(splitDuration(60)).toEqual([{ unit: 'minutes', n: 1 }]);
    expect(splitDuration(5400)).toEqual([{ unit: 'hours', n: 1 }, { unit: 'minutes', n: 30 }]);
    expect(splitDuration(7 * 86400)).toEqual([{ unit: 'days', n: 7 }]);
    expect(splitDuration(86400 + 61)).toEqual([{ unit: 'days', n: 1 }]); // two largest: days, hours (0)
    expect(splitDuration(90061)).toEqual([{ unit: 'days', n: 1 }, { unit: 'hours', n: 1 }]);
    expect(splitDuration(45)).toEqual([{ unit: 'seconds', n: 45 }]);
    expect(splitDuration(0)).toEqual([{ unit: 'seconds', n: 0 }]);
    expect(splitDuration(PERMANENT_MUTE_SECONDS)).toBeNull();
  });

  it('stamps times of today as a clock, older ones with their date', () => {
    const local = new Date(2025, 4, 6, 14, 5, 9).getTime();
    expect(formatStamp(local, local + 3600_000)).toBe('14:05:09');
    expect(formatStamp(local, local + 86400_000)).toBe('2025-05-06 14:05');
    expect(fileStamp(local)).toBe('20250506-140509');
  });
});
