// Why: the one seam between the UI and the Rust side. Only this module imports `@tauri-apps/*`;
// everything else talks to a `Backend`, which is the Tauri IPC inside the app and an in-memory fake
// in a plain browser (`npm run dev`) and in tests. Every rejection is normalised to a `WireError`.
import { Channel, invoke } from '@tauri-apps/api/core';
import type { AppInfo, EventEnvelope, RoomSnapshot, RoomStatus } from './bindings';
import { FakeBackend } from './fake-backend';
import { toWireError } from './wire';

export interface Backend {
  /**
   * Subscribe to the room: resolves with the snapshot; afterwards `onEvents` receives batches of
   * events with seq greater than the snapshot's. Rejects with a WireError (`notReady` while the
   * room is still starting).
   */
  subscribe(onEvents: (batch: EventEnvelope[]) => void): Promise<RoomSnapshot>;
  setStatus(status: RoomStatus): Promise<void>;
  /** `seconds` 0 unmutes; 4294967295 mutes permanently. */
  mute(userId: string, seconds: number): Promise<void>;
  kick(userId: string): Promise<void>;
  appInfo(): Promise<AppInfo>;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toWireError(e);
  }
}

/** The Tauri commands of the Rust side (`room_*`, `app_info`). */
export class TauriBackend implements Backend {
  subscribe(onEvents: (batch: EventEnvelope[]) => void): Promise<RoomSnapshot> {
    const channel = new Channel<EventEnvelope[]>();
    channel.onmessage = (batch) => onEvents(batch);
    return call<RoomSnapshot>('room_subscribe', { onEvents: channel });
  }

  async setStatus(status: RoomStatus): Promise<void> {
    await call<null>('room_set_status', { status });
  }

  async mute(userId: string, seconds: number): Promise<void> {
    await call<null>('room_mute', { userId, seconds });
  }

  async kick(userId: string): Promise<void> {
    await call<null>('room_kick', { userId });
  }

  appInfo(): Promise<AppInfo> {
    return call<AppInfo>('app_info');
  }
}

export function insideTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/** Tauri's IPC inside the app; otherwise a simulated room for the browser preview. */
export function getBackend(): Backend {
  if (insideTauri()) return new TauriBackend();
  const fake = FakeBackend.preview();
  // For poking the preview from the devtools console: `__anchordeskFake.push({...})`.
  (window as unknown as { __anchordeskFake?: FakeBackend }).__anchordeskFake = fake;
  return fake;
}
