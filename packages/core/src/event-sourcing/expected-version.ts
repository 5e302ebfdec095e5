import { InvalidOptionError } from '../errors/errors.js';
import { WrongExpectedVersionError } from './errors.js';
import type { ExpectedVersion } from './event-store.js';

/** Throws `InvalidOptionError` unless `expected` is one of the `ExpectedVersion` forms. */
export function assertExpectedVersion(expected: ExpectedVersion): void {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 0) {
    throw new InvalidOptionError(
      `expectedVersion must be 'any', 'no_stream', 'stream_exists' or an integer >= 0, got ${JSON.stringify(expected)}.`,
    );
  }
}

/**
 * The optimistic-concurrency check every store runs inside its write transaction.
 * `currentVersion` is the version of the last event ever appended (0 if none); `exists` says
 * whether the stream has readable events. Throws `WrongExpectedVersionError` on mismatch.
 */
export function checkExpectedVersion(
  streamId: string,
  expected: ExpectedVersion,
  state: { readonly currentVersion: number; readonly exists: boolean },
): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && !state.exists) ||
    (expected === 'stream_exists' && state.exists) ||
    expected === state.currentVersion;
  if (!ok) throw new WrongExpectedVersionError(streamId, expected, state.currentVersion);
}
