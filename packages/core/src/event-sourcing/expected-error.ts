import { AssertionError } from 'node:assert/strict';

/** What a `thenThrows` accepts: an error class, or a predicate over the thrown value. */
export type ExpectedError = (new (...args: never[]) => Error) | ((error: unknown) => boolean);

function isErrorClass(expected: ExpectedError): expected is new (...args: never[]) => Error {
  return expected === Error || expected.prototype instanceof Error;
}

/** Throws an `AssertionError` unless `error` is what `expected` describes (anything, when undefined). */
export function assertExpectedError(error: unknown, expected: ExpectedError | undefined): void {
  if (expected === undefined) return;
  const matches = isErrorClass(expected) ? error instanceof expected : expected(error);
  if (!matches) {
    throw new AssertionError({
      message: `The command threw an unexpected error: ${String(error)}`,
      actual: error,
    });
  }
}

/** The `AssertionError` for a command that should have been rejected. */
export function acceptedInstead(produced: unknown): AssertionError {
  return new AssertionError({
    message: 'Expected the command to be rejected, but it was accepted.',
    actual: produced,
  });
}
