import { isEddyError, type EddyError } from '@eddy/core';
import { AuthError, BackendError, ClosedError, ConnectionError, TimeoutError } from '@eddy/core/internal';
import { errors } from '@nats-io/transport-node';

/**
 * Turns an error of the NATS client into the matching `EddyError`, with what to do in the message.
 * `doing` says what was being done ("publishing to topic \"orders\""), `where` which servers
 * (`describeTarget`). An `EddyError` is returned unchanged.
 */
export function toEddyError(error: unknown, doing: string, where: string): EddyError {
  if (isEddyError(error)) return error;
  if (error instanceof errors.AuthorizationError || error instanceof errors.UserAuthenticationExpiredError) {
    return new AuthError(
      `${where} refused the credentials while ${doing}. Check the user/pass or token options against the server's authorization config.`,
      { cause: error },
    );
  }
  if (error instanceof errors.ClosedConnectionError || error instanceof errors.DrainingConnectionError) {
    return new ClosedError('The NATS connection');
  }
  if (error instanceof errors.TimeoutError) {
    return new TimeoutError(
      `NATS did not answer in time while ${doing}. ${where} may be down, restarting or overloaded; retry, or raise requestTimeoutMs.`,
      { cause: error },
    );
  }
  if (error instanceof errors.NoRespondersError) {
    return new BackendError(
      `No JetStream responder while ${doing}: is JetStream enabled on ${where} (nats-server -js)?`,
      { cause: error, retriable: true },
    );
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (
    error instanceof errors.ConnectionError ||
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'ECONNRESET'
  ) {
    return new ConnectionError(
      `Cannot reach ${where} while ${doing} (${(error as Error).message}). ` +
        'Check the servers option (host:port) and that nats-server is running with JetStream (-js).',
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new BackendError(`NATS error while ${doing} (${where}): ${message}`, { cause: error });
}
