import { EddyError, isEddyError } from '@eddy/core';
import { AuthError, BackendError, ConnectionError } from '@eddy/core/internal';

/** The error codes @eddy/rabbitmq throws besides core's; each is documented in docs/reference/errors.md. */
export const RabbitMqErrorCodes = {
  /** A group's queue exists as the other kind (quorum, or classic with priority) than the transport declares. */
  QueueMismatch: 'EDDY_RABBITMQ_QUEUE_MISMATCH',
} as const;
export type RabbitMqErrorCode = (typeof RabbitMqErrorCodes)[keyof typeof RabbitMqErrorCodes];

/**
 * A group's partition queue exists with another queue type than `priorityQueues` asks for. Queue
 * types cannot change in place, and redeclaring would need deleting the queue and its messages.
 */
export class QueueMismatchError extends EddyError {
  constructor(queue: string, wanted: 'quorum' | 'classic', options: { cause?: unknown } = {}) {
    const other = wanted === 'classic' ? 'a quorum queue' : 'a classic (priority) queue';
    super(
      RabbitMqErrorCodes.QueueMismatch,
      `RabbitMQ queue "${queue}" exists as ${other}, but this transport ` +
        (wanted === 'classic' ? 'has priorityQueues: true' : 'has priorityQueues off') +
        '. A queue type cannot change in place: use the same priorityQueues setting as the ' +
        "group's other members, or drain and delete the group's queues (rabbitmqctl delete_queue), or use " +
        'another group name or namePrefix.',
      options,
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Turns what amqplib throws into a typed error that says what to do. `doing` says what was being
 * done ("connecting"), `where` which broker (`describeTarget`, password masked). An `EddyError`
 * is returned unchanged.
 */
export function toEddyError(error: unknown, doing: string, where: string): EddyError {
  if (isEddyError(error)) return error;
  const text = messageOf(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (/ACCESS[-_]REFUSED|\b403\b/.test(text)) {
    return new AuthError(
      `${where} refused the credentials while ${doing} (${text}). Check the user and password in the URL, ` +
        'and that the user may access the vhost (rabbitmqctl list_permissions).',
      { cause: error },
    );
  }
  if (/NOT[-_]ALLOWED|\b530\b|ConnectionClose/.test(text)) {
    return new ConnectionError(
      `${where} closed the connection while ${doing} (${text}). Usually the vhost in the URL does not ` +
        'exist or the user has no access to it: check with rabbitmqctl list_vhosts.',
      { cause: error, retriable: false },
    );
  }
  if (typeof code === 'string' || /timeout|ETIMEDOUT|socket|closed/i.test(text)) {
    return new ConnectionError(
      `Cannot reach ${where} while ${doing} (${text}). Check that the broker is running and that host and ` +
        'port in the URL are right (AMQP listens on 5672 by default).',
      { cause: error },
    );
  }
  return new BackendError(`${where} failed while ${doing}: ${text}`, { cause: error, retriable: true });
}

/** A publish or subscribe that needs the broker while it is unreachable. */
export function notConnectedError(where: string, waitedMs: number, cause?: unknown): ConnectionError {
  return new ConnectionError(
    `${where} has been unreachable for ${waitedMs} ms; the transport keeps reconnecting. ` +
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
