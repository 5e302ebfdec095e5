import { ErrorCodes, isEddyError, type EddyError } from '@eddy/core';
import { AuthError, BackendError, ConnectionError } from '@eddy/core/internal';

interface PgLikeError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly errors?: unknown;
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map((inner: unknown) => messageOf(inner)).join('; ');
  }
  return error instanceof Error ? error.message : String(error);
}

/** The error code of a pg or socket error; the first inner code of an AggregateError (dual-stack connects). */
export function codeOf(error: unknown): string | undefined {
  const code = (error as PgLikeError | null)?.code;
  if (typeof code === 'string') return code;
  const inner = (error as PgLikeError | null)?.errors;
  if (Array.isArray(inner) && inner.length > 0) return codeOf(inner[0]);
  return undefined;
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * True when the error means the connection is gone or could not be made (as opposed to a bad
 * statement): socket errors, pg's own "Connection terminated" errors, SQLSTATE class 08 and the
 * 57P0x shutdown codes a `pg_terminate_backend` or a server restart produces.
 */
export function isConnectionLoss(error: unknown): boolean {
  if (isEddyError(error)) return error.code === ErrorCodes.ConnectionFailed;
  const code = codeOf(error);
  if (code !== undefined) {
    if (SOCKET_CODES.has(code) || code.startsWith('08') || /^57P0[1-3]$/.test(code)) return true;
  }
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(
    messageOf(error),
  );
}

/** True for the SQLSTATEs PostgreSQL uses when it rejects credentials. */
function isAuthFailure(error: unknown): boolean {
  const code = codeOf(error);
  return code === '28P01' || code === '28000';
}

/**
 * Turns whatever `pg` threw into a typed `EddyError` whose message says what to check. `doing`
 * says what was being done ("publishing to topic \"orders\""), `where` which server
 * (`describeTarget`, password already masked). An `EddyError` is returned unchanged.
 */
export function toEddyError(error: unknown, doing: string, where: string): EddyError {
  if (isEddyError(error)) return error;
  const text = messageOf(error);
  if (isAuthFailure(error)) {
    return new AuthError(
      `${where} refused the credentials while ${doing} (${text}). Check the user name and password in the ` +
        'connection string, and that pg_hba.conf allows this user from this host.',
      { cause: error },
    );
  }
  if (codeOf(error) === '3D000') {
    return new ConnectionError(
      `${where}: the database does not exist (${text}). Create it (createdb <name>) or fix the database name in the connection string.`,
      { cause: error, retriable: false },
    );
  }
  if (isConnectionLoss(error)) {
    return new ConnectionError(
      `Cannot reach ${where} while ${doing} (${text}). Check that PostgreSQL is running and that host and ` +
        'port in the connection string are right (the default port is 5432).',
      { cause: error },
    );
  }
  return new BackendError(`${where} failed while ${doing}: ${text}`, { cause: error });
}
