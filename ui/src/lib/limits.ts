// Why: the byte limits the Rust side enforces on text the anchor types — the room notice and
// introduction (Tencent's group profile limits), a moderator's note and a broadcast — counted the
// same way here (UTF-8 bytes, so a Chinese, Japanese or Korean character is 3), so the UI can warn
// before the room refuses, and the fake refuses with the Rust side's words.

/** Tencent's limit on the group notice (`Notification`), in UTF-8 bytes (Rust: `NOTIFICATION_BYTES`). */
export const NOTICE_MAX_BYTES = 300;
/** Tencent's limit on the group introduction, in UTF-8 bytes (Rust: `INTRODUCTION_BYTES`). */
export const INTRODUCTION_MAX_BYTES = 240;
/** The longest moderator's note the room keeps, in UTF-8 bytes (Rust: `Room::set_note`). */
export const NOTE_MAX_BYTES = 2000;

const encoder = new TextEncoder();

/** Length in UTF-8 bytes, as Rust's `str::len` and Tencent count it. */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/**
 * Why the room would refuse this notice change (Rust: `Room::set_notice`), or null. An absent
 * (null/undefined) field is kept as it is and not checked.
 */
export function noticeProblem(notice: string | null | undefined, introduction: string | null | undefined): string | null {
  const fields = [
    ['notice', notice, NOTICE_MAX_BYTES],
    ['introduction', introduction, INTRODUCTION_MAX_BYTES],
  ] as const;
  for (const [what, text, max] of fields) {
    if (text === null || text === undefined) continue;
    const bytes = utf8Bytes(text);
    if (bytes > max) {
      return `the ${what} is ${bytes} bytes; Tencent allows ${max} (a Chinese, Japanese or Korean character counts 3)`;
    }
  }
  return null;
}

/** Why the room would refuse this note (Rust: `Room::set_note`), or null. */
export function noteProblem(note: string): string | null {
  const bytes = utf8Bytes(note);
  return bytes > NOTE_MAX_BYTES ? `a note holds at most ${NOTE_MAX_BYTES} bytes; this one is ${bytes}` : null;
}

/** The longest broadcast, in UTF-8 bytes (Rust: `Room::broadcast`). */
export const BROADCAST_MAX_BYTES = 4000;
/** The room's words for a broadcast it refuses (Rust: `Room::broadcast`). */
export const BROADCAST_RULE = `a broadcast is 1 to ${BROADCAST_MAX_BYTES} bytes of text`;

/**
 * Why the room would refuse this broadcast, or null: `empty` when it is only white space (Rust's
 * `trim`, which trims Unicode White_Space and nothing else), `long` over 4000 bytes.
 */
export function broadcastProblem(text: string): 'empty' | 'long' | null {
  if (/^\p{White_Space}*$/u.test(text)) return 'empty';
  if (utf8Bytes(text) > BROADCAST_MAX_BYTES) return 'long';
  return null;
}
