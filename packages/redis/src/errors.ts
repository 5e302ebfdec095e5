import { isEddyError, type EddyError } from '@eddy/core';
import { AuthError, BackendError, ConnectionError } from '@eddy/core/internal';

const AUTH_FAILURE = /NOAUTH|WRONGPASS|invalid password|invalid username-password/i;
const CONNECTION_LOSS =
  /Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Stream isn't writeable/i;

function isAuthFailure(reason: string): boolean {
  return AUTH_FAILURE.test(reason);
}

/**
 * Maps what ioredis rejects with to a typed `EddyError`. `doing` says what was being done
 * ("publishing 3 message(s) to \"orders\""), `where` which server (`describeTarget`). An
 * `EddyError` is returned unchanged.
 */
export function toEddyError(error: unknown, doing: string, where: string): EddyError {
  if (isEddyError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (isAuthFailure(reason)) {
    return new AuthError(
      `${where} refused the credentials while ${doing} (${reason}). Check the password in the url.`,
      { cause: error },
    );
  }
  const name = error instanceof Error ? error.name : '';
  if (name === 'MaxRetriesPerRequestError' || CONNECTION_LOSS.test(reason)) {
    return new ConnectionError(
      `Lost the connection to ${where} while ${doing} (${reason}); it was not confirmed. ` +
        'The transport reconnects by itself: retry once Redis is reachable.',
      { cause: error },
    );
  }
  return new BackendError(`${where} failed while ${doing}: ${reason}`, { cause: error });
}

/** The first connection failed: wrong address, server down, or credentials refused. */
export function connectFailed(error: unknown, where: string): EddyError {
  const reason = error instanceof Error ? error.message : String(error);
  if (isAuthFailure(reason)) {
    return new AuthError(
      `${where} refused the credentials (${reason}). Put the right user and password in the url ` +
        '(redis://user:password@host:port) or in options.redis { username, password }.',
      { cause: error },
    );
  }
  return new ConnectionError(
    `Cannot connect to ${where} (${reason}). Check that redis-server is running there and that ` +
      'the url points at it, e.g. redis://127.0.0.1:6379. The first connection is not retried; later drops are.',
    { cause: error },
  );
}
