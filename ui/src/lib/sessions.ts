// Why: the stream list's small rules — how long a stream ran (or has run so far), folding the room's
// `session` event into a list loaded earlier, and when that event means the stored list itself moved
// on (a stream started or ended) so it is worth asking the room again. Plain functions, tested in node.
import type { StreamSession } from './bindings';

/** Seconds from the start to the end, or to `nowMs` while the stream goes on (never negative). */
export function sessionSeconds(session: StreamSession, nowMs: number): number {
  const end = session.endedAt ?? nowMs;
  return Math.max(0, Math.floor((end - session.startedAt) / 1000));
}

/** `list` (newest first) with `session` in it: replacing the one with its id, or added in order. */
export function upsertSession(list: readonly StreamSession[], session: StreamSession): StreamSession[] {
  const rest = list.filter((s) => s.id !== session.id);
  return [...rest, session].sort((a, b) => b.id - a.id);
}

/**
 * Whether `session` (from an event) is news to `list` beyond its counters: a stream the list does not
 * have yet, or one that ended (or restarted) since.
 */
export function changesList(list: readonly StreamSession[], session: StreamSession): boolean {
  const known = list.find((s) => s.id === session.id);
  return known === undefined || known.endedAt !== session.endedAt || known.startedAt !== session.startedAt;
}
