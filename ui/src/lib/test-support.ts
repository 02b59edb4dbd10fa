// Why: shared test helpers — a manual frame scheduler (tests decide when a "frame" happens), a fixed
// clock, a connected room for component tests, a download catcher, and finding elements by test id
// and mounting one component per test — so tests of the per-frame logic are exact instead of
// timing-dependent.
import { mount, unmount, type Component } from 'svelte';
import { afterEach } from 'vitest';
import { FakeBackend, type FakeOptions } from './fake-backend';
import type { Scheduler } from './feed';
import { Room } from './room.svelte';

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

/** A Room connected to a FakeBackend, with a fixed clock and manual frames (component tests). */
export async function connectedRoom(options: FakeOptions = {}) {
  const clock = fixedClock();
  const frames = manualFrames();
  const backend = new FakeBackend({ clock, ...options });
  const room = new Room({ backend, clock, schedule: frames.schedule, sleep: async () => {} });
  await room.connect();
  return { room, backend, frames, clock };
}

/**
 * Stubs `URL.createObjectURL` (jsdom has none) and anchor clicks, recording each download as its
 * file name and text. Call `restore` afterwards.
 */
export function captureDownloads() {
  const blobs = new Map<string, Blob>();
  const downloads: Array<{ name: string; type: string; text: Promise<string> }> = [];
  const original = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };
  let n = 0;
  URL.createObjectURL = (blob: Blob) => {
    const url = `blob:test/${++n}`;
    blobs.set(url, blob);
    return url;
  };
  URL.revokeObjectURL = (url: string) => void blobs.delete(url);
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
    const blob = blobs.get(this.href);
    if (blob) downloads.push({ name: this.download, type: blob.type, text: blob.text() });
  };
  return {
    downloads,
    restore() {
      URL.createObjectURL = original.create;
      URL.revokeObjectURL = original.revoke;
      HTMLAnchorElement.prototype.click = click;
    },
  };
}

/** The element with test id `id` under `root` (the page by default), or null. */
export function byTestId<T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = document): T | null {
  return root.querySelector<T>(`[data-testid="${id}"]`);
}

/** Every element with test id `id`, in page order. */
export function allByTestId(id: string, root: ParentNode = document): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
}

/**
 * Mounts a component on the page for the current test (call it at the top of a test file): it is
 * unmounted, and the page emptied, after each test.
 */
export function mountPerTest(): <Props extends Record<string, unknown>>(component: Component<Props>, props: Props) => void {
  let app: Record<string, unknown> | null = null;
  afterEach(() => {
    if (app) unmount(app);
    app = null;
    document.body.innerHTML = '';
  });
  return (component, props) => {
    app = mount(component, { target: document.body, props });
  };
}
