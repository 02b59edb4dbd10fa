// Why: the stream list must show how long a stream ran (or runs), take the `session` event's counters
// without asking the room, and ask again only when a stream started or ended.
import { describe, expect, it } from 'vitest';
import type { StreamSession } from './bindings';
import { changesList, sessionSeconds, upsertSession } from './sessions';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const stream = (id: number, over: Partial<StreamSession> = {}): StreamSession => ({
  id,
  startedAt: T0 + id * 86_400_000,
  endedAt: T0 + id * 86_400_000 + 3_600_000,
  peakOnline: 10,
  messages: 20,
  likes: 30,
  giftValue: 40,
  ...over,
});

describe('stream sessions', () => {
  it('measure from start to end, or to now while live', () => {
    expect(sessionSeconds(stream(1), 0)).toBe(3600);
    const live = stream(2, { endedAt: null });
    expect(sessionSeconds(live, live.startedAt + 90_500)).toBe(90);
    expect(sessionSeconds(live, live.startedAt - 5000)).toBe(0); // a clock behind the room
  });

  it('take an event into the list: replace by id, or add in order, newest first', () => {
    const list = [stream(3), stream(2), stream(1)];
    expect(upsertSession(list, stream(2, { messages: 99 })).map((s) => [s.id, s.messages])).toEqual([
      [3, 20],
      [2, 99],
      [1, 20],
    ]);
    expect(upsertSession(list, stream(4)).map((s) => s.id)).toEqual([4, 3, 2, 1]);
    expect(upsertSession([], stream(1))).toEqual([stream(1)]);
    expect(list.map((s) => s.id)).toEqual([3, 2, 1]); // not mutated
  });

  it('tell a new or ended stream from new counters', () => {
    const live = stream(2, { endedAt: null });
    const list = [live, stream(1)];
    expect(changesList(list, { ...live, messages: 500, peakOnline: 99 })).toBe(false);
    expect(changesList(list, { ...live, endedAt: T0 })).toBe(true);
    expect(changesList(list, stream(3))).toBe(true);
  });
});
