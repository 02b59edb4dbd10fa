// Why: every backend rejection must reach the UI as a `WireError` with a message to show; Tauri may
// also reject with a bare string (e.g. unknown command) or an Error, so normalise once, here.
import type { ErrorCode, WireError } from './bindings';

const CODES: readonly ErrorCode[] = [
  'invalid',
  'forbidden',
  'offline',
  'authExpired',
  'roomGone',
  'rateLimited',
  'notReady',
  'internal',
];

export function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.message === 'string' &&
    typeof v.code === 'string' &&
    (CODES as readonly string[]).includes(v.code)
  );
}

/** Any thrown value as a WireError; unknown shapes become `internal` with their text. */
export function toWireError(value: unknown): WireError {
  if (isWireError(value)) return { code: value.code, message: value.message };
  if (value instanceof Error) return { code: 'internal', message: value.message || value.name };
  if (typeof value === 'string') return { code: 'internal', message: value };
  try {
    return { code: 'internal', message: JSON.stringify(value) ?? String(value) };
  } catch {
    return { code: 'internal', message: String(value) };
  }
}

