import { type EddyError } from '@eddy/core';
import { AuthError, BackendError, ConnectionError } from '@eddy/core/internal';

/** The URL with its password masked, safe for error messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Turns what amqplib throws while connecting into a typed error that says what to do. */
export function connectError(error: unknown, url: string): EddyError {
  const where = redactUrl(url);
  const text = messageOf(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (/ACCESS[-_]REFUSED|\b403\b/.test(text)) {
    return new AuthError(
      `RabbitMQ at ${where} refused the credentials (${text}). Check the user and password in the URL, ` +
        'and that the user may access the vhost (rabbitmqctl list_permissions).',
      { cause: error },
    );
  }
  if (/NOT[-_]ALLOWED|\b530\b|ConnectionClose/.test(text)) {
    return new ConnectionError(
      `RabbitMQ at ${where} closed the connection during the handshake (${text}). Usually the vhost in ` +
        'the URL does not exist or the user has no access to it: check with rabbitmqctl list_vhosts.',
      { cause: error, retriable: false },
    );
  }
  if (typeof code === 'string' || /timeout|ETIMEDOUT|socket|closed/i.test(text)) {
    return new ConnectionError(
      `Cannot reach RabbitMQ at ${where} (${text}). Check that the broker is running and that host and ` +
        'port in the URL are right (AMQP listens on 5672 by default).',
      { cause: error },
    );
  }
  return new BackendError(`RabbitMQ at ${where} failed: ${text}`, { cause: error, retriable: true });
}

/** A publish or subscribe that needs the broker while it is unreachable. */
export function notConnectedError(url: string, waitedMs: number, cause?: unknown): ConnectionError {
  return new ConnectionError(
    `RabbitMQ at ${redactUrl(url)} has been unreachable for ${waitedMs} ms; the transport keeps reconnecting. ` +
      'Retry later, or raise operationTimeoutMs to wait longer.',
    cause === undefined ? {} : { cause },
  );
}

/** A publish whose confirmation never came because the channel or connection went away. */
export function unconfirmedError(error: unknown): ConnectionError {
  return new ConnectionError(
    `RabbitMQ did not confirm the publish (${messageOf(error)}). The messages may or may not be stored: ` +
      'publish them again (consumers must tolerate duplicates under at-least-once delivery).',
    { cause: error },
  );
}
