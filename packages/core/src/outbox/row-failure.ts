import { ErrorCodes } from '../errors/codes.js';
import { isEddyError } from '../errors/eddy-error.js';

/**
 * What a failed publish of one row says about that row:
 * - `'permanent'`: the row can never be published as it is (a non-retriable `EddyError` such as
 *   `EDDY_MESSAGE_TOO_LARGE` or `EDDY_INVALID_TOPIC`): set aside at once;
 * - `'retriable'`: may pass later; counts toward the relay's `maxAttempts` for that row;
 * - `'transport'`: the transport is closed, unreachable, refuses the credentials or did not answer
 *   in time. That says nothing about the row, so it never counts against it: the lane backs off
 *   and retries for as long as it takes.
 */
export type RowFailureKind = 'permanent' | 'retriable' | 'transport';

// About the connection rather than the message (whatever their retriable flag): counting them
// against rows would move the head of every lane into the failed set while a broker is down.
const TRANSPORT_CODES: ReadonlySet<string> = new Set([
  ErrorCodes.Closed,
  ErrorCodes.ConnectionFailed,
  ErrorCodes.AuthFailed,
  ErrorCodes.Timeout,
]);

/**
 * Classifies a publish error of one row. `EDDY_BACKEND` without `retriable` is a driver error
 * Eddy could not classify (a lock timeout as much as a bad value), so it counts as retriable
 * rather than setting the row aside at once; so does any error that is not an `EddyError`.
 */
export function classifyRowFailure(error: unknown): RowFailureKind {
  if (!isEddyError(error)) return 'retriable';
  if (TRANSPORT_CODES.has(error.code)) return 'transport';
  if (error.retriable || error.code === ErrorCodes.Backend) return 'retriable';
  return 'permanent';
}

/** Longest error text kept on a failed row. */
const MAX_ERROR_TEXT = 2_000;

/** The error text stored on a failed row: `<code>: <message>` for an `EddyError`. */
export function rowErrorText(error: unknown): string {
  const text = isEddyError(error)
    ? `${error.code}: ${error.message}`
    : error instanceof Error
      ? `${error.name}: ${error.message}`
      : String(error);
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT - 1)}…` : text;
}
