// Why: mute countdowns and "permanent" must read right in every panel.
import { describe, expect, it } from 'vitest';
import {
  BAN_DURATIONS,
  MUTE_DURATIONS,
  PERMANENT_MUTE_SECONDS,
  fileStamp,
  formatClock,
  formatRemaining,
  formatDurationInput,
  formatStamp,
  isMuteActive,
  parseDuration,
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

describe('typed durations', () => {
  it.each([
    ['10m', 600],
    ['1h', 3600],
    ['24h', 86400],
    ['7d', 604800],
    ['90', 90],
    ['45s', 45],
    ['1h 30m', 5400],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['  2D ', 172800],
    ['10 min', 600],
    ['30 sec', 30],
    ['4294967295', 4294967295],
    ['10分钟', 600],
    ['1小时30分钟', 5400],
    ['7天', 604800],
    ['1시간 30분', 5400],
    ['7일', 604800],
    ['1時間30分', 5400],
    ['45秒', 45],
  ])('reads %j as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toEqual({ seconds });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['ten minutes', 'format'],
    ['10x', 'format'],
    ['1h30', 'format'],
    ['-5m', 'format'],
    ['1.5', 'format'],
    ['0', 'zero'],
    ['0m', 'zero'],
    ['0.1s', 'zero'],
    ['4294967296', 'tooLong'],
    ['50000d', 'tooLong'],
  ])('refuses %j (%s)', (text, problem) => {
    expect(parseDuration(text)).toEqual({ problem });
  });

  it('writes durations the way they are typed, and reads them back', () => {
    expect([600, 3600, 86400, 604800, 5400, 90, 45, 0].map(formatDurationInput)).toEqual([
      '10m',
      '1h',
      '1d',
      '7d',
      '1h30m',
      '1m30s',
      '45s',
      '0s',
    ]);
    for (const seconds of [1, 59, 61, 3599, 86401, 2592000, 4294967295]) {
      expect(parseDuration(formatDurationInput(seconds))).toEqual({ seconds });
    }
  });
});
