import { isEddyError, type EddyError } from '@eddy/core';
import { BackendError, ClosedError } from '@eddy/core/internal';

/** SQLite's result codes for a lock another connection held past the busy timeout. */
const LOCK_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

function codeOf(error: unknown): string | undefined {
  const code = (error as { readonly code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Maps what better-sqlite3 threw to a typed `EddyError`. `doing` says what was being done
 * ("publishing to orders"), `where` which database (`describeTarget`). An `EddyError` is returned
 * unchanged.
 */
export function toEddyError(error: unknown, doing: string, where: string): EddyError {
  if (isEddyError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const code = codeOf(error);
  if (code !== undefined && LOCK_CODES.has(code)) {
    return new BackendError(
      `${where} stayed locked by another connection while ${doing} (${reason}). Retry, or raise busyTimeoutMs ` +
        'if writers in other processes hold long transactions.',
      { cause: error },
    );
  }
  return new BackendError(`${where} failed while ${doing}: ${reason}`, { cause: error });
}

/**
 * A failed commit of a publish batch: nothing of it was written, so retrying is safe (and the
 * error says so with `retriable`).
 */
export function commitFailed(error: unknown, where: string): EddyError {
  if (isEddyError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new BackendError(
    `${where} failed to commit a publish: ${reason}. Nothing of this publish was written; retry it.`,
    { cause: error, retriable: true },
  );
}

/**
 * A publish batch was committed but flushing it to disk failed: it is readable now, yet may not
 * survive a power cut. Not retriable as such: a retry may write the messages twice.
 */
export function syncFailed(error: unknown, where: string): EddyError {
  if (isEddyError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new BackendError(
    `${where} committed a publish but could not flush it to disk: ${reason}. The messages may be lost on ` +
      'power loss; check the disk, and publish again with dedupe keys if duplicates matter.',
    { cause: error },
  );
}

/**
 * Wraps a store's better-sqlite3 calls so every failure is a rejection (never a synchronous
 * throw) with an `EddyError`: `EDDY_CLOSED` once `isClosed()`, the store's own typed errors
 * unchanged, driver errors mapped by `toEddyError`, also when `work` returns a promise (a write run
 * on a worker thread). `store` names the store in messages ("saga store").
 */
export function guardedCalls(
  store: string,
  where: string,
  isClosed: () => boolean,
): <T>(work: () => T | Promise<T>) => Promise<T> {
  return <T>(work: () => T | Promise<T>): Promise<T> => {
    const doing = `using the ${store}`;
    try {
      if (isClosed()) throw new ClosedError(`This SQLite ${store}`);
      const result = work();
      // Only work that is asynchronous pays for a second promise: most calls return a value.
      if (!(result instanceof Promise)) return Promise.resolve(result);
      return result.catch((error: unknown) => Promise.reject(toEddyError(error, doing, where)));
    } catch (error) {
      return Promise.reject(toEddyError(error, doing, where));
    }
  };
}
