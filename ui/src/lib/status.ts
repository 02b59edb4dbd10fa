// Why: the room status machine, mirrored from Rust (`room::status::RoomStatus::next_allowed`), in one
// place so the status menu can disable what the core would refuse anyway.
import type { RoomStatus } from './bindings';

/** Every status, in the order the menu lists them. */
export const STATUSES: readonly RoomStatus[] = ['upcoming', 'live', 'paused', 'ended', 'replay'];

/** The states each state may change to (Rust: `RoomStatus::next_allowed`). */
export const TRANSITIONS: Readonly<Record<RoomStatus, readonly RoomStatus[]>> = {
  upcoming: ['live', 'ended'],
  live: ['paused', 'ended'],
  paused: ['live', 'ended'],
  ended: ['replay', 'upcoming'],
  replay: ['upcoming', 'ended'],
};

export function canBecome(from: RoomStatus, to: RoomStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isRoomStatus(value: unknown): value is RoomStatus {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}
