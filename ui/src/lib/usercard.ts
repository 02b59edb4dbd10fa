// Why: the user card's small rules shared by the card and the fake — the viewer level formula (Rust:
// `event::level_for`), how many messages and actions a card carries, and the "blocked for good" value a
// kick reports — so the fake's cards read like the room's.

/** Messages a card carries, the latest, oldest first (Rust: `store::user_card`). */
export const CARD_MESSAGES = 50;
/** Audit lines a card carries, newest first (Rust: `store::user_card`). */
export const CARD_ACTIONS = 100;

/**
 * `blockedUntil` of a kick (no end): Rust's `u64::MAX`, which a JSON number turns into 2^64 here. Any
 * value ≥ 10 years away reads as "no end" (`isPermanentMute`).
 */
export const BLOCKED_FOREVER = 2 ** 64;

/**
 * A viewer's level: messages count 2 points, every 10 likes 1, every unit of gift value 1, every
 * minute online 1; the level is 1 + ⌊√(points / 10)⌋, capped at 100.
 */
export function levelFor(messages: number, likes: number, giftValue: number, onlineSecs: number): number {
  const points = messages * 2 + Math.floor(likes / 10) + giftValue + Math.floor(onlineSecs / 60);
  return Math.min(100, 1 + Math.floor(Math.sqrt(Math.floor(points / 10))));
}
