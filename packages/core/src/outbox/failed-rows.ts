import { InvalidOptionError } from '../errors/errors.js';
import type { FailedRowsQuery } from './outbox-store.js';

/** Default page size of `failedRows`. */
export const DEFAULT_FAILED_ROWS_LIMIT = 100;

/** Checks a `failedRows` query and fills in its defaults (shared by the stores). */
export function resolveFailedRowsQuery(query: FailedRowsQuery = {}): { limit: number; afterId: number } {
  const limit = query.limit ?? DEFAULT_FAILED_ROWS_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidOptionError(`failedRows limit must be a positive integer, got ${limit}.`);
  }
  const afterId = query.afterId ?? 0;
  if (!Number.isInteger(afterId)) {
    throw new InvalidOptionError(`failedRows afterId must be an integer row id, got ${afterId}.`);
  }
  return { limit, afterId };
}

/** Checks the ids given to `retryFailed` and `discardFailed` (they reach SQL as numbers). */
export function assertRowIds(ids: readonly number[]): readonly number[] {
  const given: unknown = ids;
  if (!Array.isArray(given) || !ids.every((id) => Number.isSafeInteger(id))) {
    throw new InvalidOptionError(
      'retryFailed and discardFailed take an array of integer row ids (from failedRows).',
    );
  }
  return ids;
}

/** Checks the attempt count given to `markFailed` and fills in its default (1). */
export function assertAttempts(attempts: number | undefined): number {
  const count = attempts ?? 1;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new InvalidOptionError(`markFailed attempts must be a positive integer, got ${count}.`);
  }
  return count;
}
