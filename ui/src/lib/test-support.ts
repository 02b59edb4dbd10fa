// Why: shared test helpers — a manual frame scheduler (tests decide when a "frame" happens) and a
// fixed clock — so tests of the per-frame logic are exact instead of timing-dependent.
import type { Scheduler } from './feed';

export interface ManualFrames {
  schedule: Scheduler;
  /** Callbacks waiting for the next frame. */
  readonly waiting: number;
  /** Run one frame: every callback scheduled before it. Returns how many ran. */
  frame(): number;
}

export function manualFrames(): ManualFrames {
  let queue: Array<() => void> = [];
  return {
    schedule: (cb) => void queue.push(cb),
    get waiting() {
      return queue.length;
    },
    frame() {
      const run = queue;
      queue = [];
      for (const cb of run) cb();
      return run.length;
    },
  };
}

/** A clock that stands still unless moved. */
export function fixedClock(startMs = Date.UTC(2025, 0, 1, 12, 0, 0)) {
  let now = startMs;
  const clock = () => now;
  clock.advance = (ms: number) => void (now += ms);
  clock.set = (ms: number) => void (now = ms);
  return clock;
}
