// Why: whatever a command rejects with, the UI gets a WireError with a message it can show.
import { describe, expect, it } from 'vitest';
import { isWireError, toWireError } from './wire';

describe('toWireError', () => {
  it('keeps WireErrors, wraps the rest as internal', () => {
    expect(toWireError({ code: 'offline', message: 'IM down', extra: 1 })).toEqual({ code: 'offline', message: 'IM down' });
    expect(toWireError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toWireError('text')).toEqual({ code: 'internal', message: 'text' });
    expect(toWireError({ code: 'weird', message: 'x' })).toMatchObject({ code: 'internal' });
    expect(toWireError(undefined)).toMatchObject({ code: 'internal' });
  });

  it('recognises WireErrors', () => {
    expect(isWireError({ code: 'notReady', message: '' })).toBe(true);
    expect(isWireError({ code: 'notReady' })).toBe(false);
    expect(isWireError(null)).toBe(false);
  });
});
