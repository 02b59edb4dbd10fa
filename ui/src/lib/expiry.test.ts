// Why: OBS cannot reconnect once the push address has expired, so the countdown must mirror the Rust
// rules exactly (valid, renew within the margin, expired only after the second of expiry), warn when
// either side says a renewal is due, and word it in each language.
import { describe, expect, it } from 'vitest';
import { RENEWAL_MARGIN_SECS, describeExpiry, expiryAt } from './expiry';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const nowSecs = NOW / 1000;

describe('expiryAt (Rust: Expiry::at)', () => {
  it('is valid outside the margin, renewSoon inside it, expired only once past', () => {
    expect(RENEWAL_MARGIN_SECS).toBe(3600);
    expect(expiryAt(nowSecs + 86400, NOW)).toEqual({ type: 'valid', secondsLeft: 86400 });
    expect(expiryAt(nowSecs + 3601, NOW)).toEqual({ type: 'valid', secondsLeft: 3601 });
    expect(expiryAt(nowSecs + 3600, NOW)).toEqual({ type: 'renewSoon', secondsLeft: 3600 });
    expect(expiryAt(nowSecs, NOW)).toEqual({ type: 'renewSoon', secondsLeft: 0 });
    expect(expiryAt(nowSecs - 1, NOW)).toEqual({ type: 'expired', secondsAgo: 1 });
  });

  it('counts whole seconds (a part second does not move it)', () => {
    expect(expiryAt(nowSecs + 100, NOW + 999)).toEqual({ type: 'renewSoon', secondsLeft: 100 });
    expect(expiryAt(nowSecs, NOW + 999)).toEqual({ type: 'renewSoon', secondsLeft: 0 });
  });

  it('takes another margin when given one', () => {
    expect(expiryAt(nowSecs + 600, NOW, 300).type).toBe('valid');
    expect(expiryAt(nowSecs + 300, NOW, 300).type).toBe('renewSoon');
  });
});

describe('describeExpiry', () => {
  it('counts down in the two largest units, quietly while far off', () => {
    expect(describeExpiry('en', nowSecs + 86340, NOW)).toEqual({ level: 'ok', text: 'expires in 23 h 59 min', advice: null });
    expect(describeExpiry('en', nowSecs + 86339, NOW).text).toBe('expires in 23 h 58 min');
  });

  it('warns within the hour, with seconds moving, that OBS cannot reconnect after it', () => {
    const view = describeExpiry('en', nowSecs + 3599, NOW);
    expect(view).toEqual({ level: 'warn', text: 'expires in 59 min 59 s', advice: 'OBS cannot reconnect after this — renew' });
    expect(describeExpiry('en', nowSecs + 3599, NOW + 1000).text).toBe('expires in 59 min 58 s');
  });

  it('warns when the desk said a renewal is due, even outside our margin', () => {
    expect(describeExpiry('en', nowSecs + 7200, NOW, true).level).toBe('warn');
  });

  it('says expired after it, and how long ago', () => {
    expect(describeExpiry('en', nowSecs - 300, NOW)).toEqual({
      level: 'expired',
      text: 'expired 5 min ago',
      advice: 'OBS cannot reconnect with this address — renew',
    });
  });

  it('speaks every language', () => {
    expect(describeExpiry('zh', nowSecs + 5400, NOW).text).toBe('1 小时 30 分钟后过期');
    expect(describeExpiry('ko', nowSecs + 45, NOW).text).toBe('45초 후 만료');
    expect(describeExpiry('ja', nowSecs - 60, NOW).text).toBe('1 分前に期限切れ');
  });
});
