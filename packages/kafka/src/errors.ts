import { isEddyError, type EddyError } from '@eddy/core';
import { AuthError, BackendError, ConnectionError, TimeoutError } from '@eddy/core/internal';
import kafkajs from 'kafkajs';

// kafkajs is CommonJS and Node's ESM loader does not detect its error classes as named exports.
const {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
} = kafkajs;

function rootCause(error: unknown): unknown {
  let current = error;
  // kafkajs wraps the last attempt's error when it gives up retrying.
  while (current instanceof KafkaJSNumberOfRetriesExceeded && current.cause !== undefined)
    current = current.cause;
  return current;
}

/**
 * Turns a kafkajs error into the matching `EddyError`, with what to do in the message. `doing`
 * says what was being done ("publishing to topic \"orders\""), `where` which brokers
 * (`describeTarget`). An `EddyError` is returned unchanged.
 */
export function toEddyError(error: unknown, doing: string, where: string): EddyError {
  if (isEddyError(error)) return error;
  const cause = rootCause(error);
  const message = cause instanceof Error ? cause.message : String(cause);
  if (cause instanceof KafkaJSSASLAuthenticationError) {
    return new AuthError(
      `${where} refused the SASL credentials while ${doing} (${message}). Check the sasl option (mechanism, username, password).`,
      { cause: error },
    );
  }
  if (cause instanceof KafkaJSConnectionError) {
    return new ConnectionError(
      `Cannot reach ${where} while ${doing} (${message}). Check the brokers option (host:port of a listener the broker advertises) and that the broker is running.`,
      { cause: error },
    );
  }
  if (cause instanceof KafkaJSRequestTimeoutError) {
    return new TimeoutError(
      `${where} did not answer in time while ${doing}; retry, or raise requestTimeoutMs.`,
      {
        cause: error,
      },
    );
  }
  const retriable = cause instanceof KafkaJSError ? cause.retriable : false;
  return new BackendError(`Kafka error while ${doing} (${where}): ${message}`, { cause: error, retriable });
}
