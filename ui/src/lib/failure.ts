// Why: a command that failed, kept with how to run it again. A remote console refuses commands at once
// while its link to the hub is down (`offline`), and queues nothing behind the user's back; the error
// box then offers Retry, which runs the same command (with the same arguments) again — the user's
// consent, one click. Other failures are shown as they are, without a retry.
import type { WireError } from './bindings';
import { toWireError } from './wire';

export interface Failure {
  readonly error: WireError;
  /** Runs the failed command again (null: nothing to retry). */
  readonly retry: (() => unknown) | null;
}

/** The failure `e` (anything thrown), retried by `retry`. */
export function failure(e: unknown, retry?: () => unknown): Failure {
  return { error: toWireError(e), retry: retry ?? null };
}

/** Whether the error box offers Retry: the hub could not be reached, and there is something to run. */
export function offersRetry(f: Failure | null | undefined): boolean {
  return f?.error.code === 'offline' && f.retry !== null;
}
