import { EddyError } from '@eddy/core';
import { BackendError, ClosedError } from '@eddy/core/internal';

/**
 * Runs a synchronous better-sqlite3 call behind a Promise-returning store method, so every failure
 * is a rejection (never a synchronous throw) with an `EddyError`: `EDDY_CLOSED` after close, the
 * store's own typed errors unchanged, and driver errors as `EDDY_BACKEND` with the cause kept.
 * `what` names the store in messages, e.g. "event store".
 */
export function guardedCall<T>(what: string, closed: boolean, work: () => T): Promise<T> {
  try {
    if (closed) throw new ClosedError(`This SQLite ${what}`);
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(
      error instanceof EddyError
        ? error
        : new BackendError(`SQLite ${what} failed: ${String(error)}`, { cause: error }),
    );
  }
}
