// Why: a push address is a time-limited credential. A push started before its expiry keeps going, but
// OBS's automatic reconnect after a network blip is a new push, refused once the address has expired —
// so the console counts down and warns a margin ahead (the Rust side's `stream::expiry`, mirrored here
// so the countdown moves every second without asking). Pure: times are passed in.
import type { Expiry } from './bindings';
import { translate, translateDuration, type Lang } from './i18n';

/** How far ahead of the expiry the console asks for a renewal (Rust: `DEFAULT_RENEWAL_MARGIN`). */
export const RENEWAL_MARGIN_SECS = 3600;

/** Where an address expiring at `expiresAt` (unix s) stands at `nowMs` (Rust: `Expiry::at`). */
export function expiryAt(expiresAt: number, nowMs: number, marginSecs = RENEWAL_MARGIN_SECS): Expiry {
  const now = Math.floor(nowMs / 1000);
  if (now > expiresAt) return { type: 'expired', secondsAgo: now - expiresAt };
  const secondsLeft = expiresAt - now;
  if (now + marginSecs >= expiresAt) return { type: 'renewSoon', secondsLeft };
  return { type: 'valid', secondsLeft };
}

export type ExpiryLevel = 'ok' | 'warn' | 'expired';

export interface ExpiryView {
  level: ExpiryLevel;
  /** "expires in 23 h 59 min", "expired 5 min ago". */
  text: string;
  /** Why it matters, when it does: OBS cannot reconnect after the expiry. */
  advice: string | null;
}

/**
 * The countdown as the panel shows it. `renewDue` is the desk's own verdict when it made the address
 * (its margin may differ from ours): either one makes it a warning.
 */
export function describeExpiry(lang: Lang, expiresAt: number, nowMs: number, renewDue = false): ExpiryView {
  const e = expiryAt(expiresAt, nowMs);
  if (e.type === 'expired') {
    return {
      level: 'expired',
      text: translate(lang, 'expiry.expired', { ago: translateDuration(lang, e.secondsAgo) }),
      advice: translate(lang, 'expiry.expiredAdvice'),
    };
  }
  const text = translate(lang, 'expiry.in', { left: translateDuration(lang, e.secondsLeft) });
  if (e.type === 'renewSoon' || renewDue) return { level: 'warn', text, advice: translate(lang, 'expiry.renewAdvice') };
  return { level: 'ok', text, advice: null };
}
