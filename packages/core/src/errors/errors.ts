import { ErrorCodes } from './codes.js';
import { EddyError, type EddyErrorOptions } from './eddy-error.js';

export class InvalidTopicError extends EddyError {
  constructor(message: string) {
    super(ErrorCodes.InvalidTopic, message);
  }
}

export class InvalidGroupError extends EddyError {
  constructor(message: string) {
    super(ErrorCodes.InvalidGroup, message);
  }
}

export class InvalidOptionError extends EddyError {
  constructor(message: string) {
    super(ErrorCodes.InvalidOption, message);
  }
}

export class InvalidFilterError extends EddyError {
  constructor(message: string) {
    super(ErrorCodes.InvalidFilter, message);
  }
}

export class ExpiredError extends EddyError {
  readonly expiresAt: number;

  constructor(expiresAt: number) {
    super(
      ErrorCodes.Expired,
      `The event expired at ${new Date(expiresAt).toISOString()} before it was handled; it was not run. Redrive it only if it still matters.`,
    );
    this.expiresAt = expiresAt;
  }
}

export class MessageTooLargeError extends EddyError {
  readonly sizeBytes: number;
  readonly maxBytes: number;

  constructor(sizeBytes: number, maxBytes: number) {
    super(
      ErrorCodes.MessageTooLarge,
      `Message of ${sizeBytes} bytes exceeds the transport limit of ${maxBytes} bytes. ` +
        'Store large payloads elsewhere (claim-check pattern) and publish a reference, or raise the limit where the backend allows.',
    );
    this.sizeBytes = sizeBytes;
    this.maxBytes = maxBytes;
  }
}

export class InvalidHeaderError extends EddyError {
  constructor(message: string) {
    super(ErrorCodes.InvalidHeader, message);
  }
}

export class ClosedError extends EddyError {
  constructor(what: string) {
    super(ErrorCodes.Closed, `${what} is closed. Create a new one, or call this before close().`);
  }
}

export class InvalidCloudEventError extends EddyError {
  /** Each rule the event breaks, one sentence each. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(ErrorCodes.InvalidCloudEvent, `Invalid CloudEvent: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

export class DecodeError extends EddyError {
  constructor(message: string, options: EddyErrorOptions = {}) {
    super(ErrorCodes.DecodeFailed, message, options);
  }
}

export class ConnectionError extends EddyError {
  constructor(message: string, options: EddyErrorOptions = {}) {
    super(ErrorCodes.ConnectionFailed, message, { retriable: true, ...options });
  }
}

export class AuthError extends EddyError {
  constructor(message: string, options: EddyErrorOptions = {}) {
    super(ErrorCodes.AuthFailed, message, options);
  }
}

export class NotSupportedError extends EddyError {
  constructor(message: string) {
    super(ErrorCodes.NotSupported, message);
  }
}

/** The abort reason of a delivery an operator cancelled: not retried, so it lands in the dead-letter queue. */
export class CancelledError extends EddyError {
  constructor(message: string) {
    super(ErrorCodes.Cancelled, message, { retriable: false });
  }
}

export class DuplicateHandlerError extends EddyError {
  constructor(name: string) {
    super(
      ErrorCodes.DuplicateHandler,
      `A handler named "${name}" is already registered on this bus. Give the second one a distinct { name } option: the name keys its consumer group.`,
    );
  }
}

export class TimeoutError extends EddyError {
  constructor(message: string, options: EddyErrorOptions = {}) {
    super(ErrorCodes.Timeout, message, { retriable: true, ...options });
  }
}

export class PositionLostError extends EddyError {
  readonly topic: string;
  readonly group: string;
  readonly partition: number;
  /**
   * Lowest offset the lost messages can have (inclusive): exact on log transports (SQLite,
   * PostgreSQL), a bound on Redis, which cannot tell which stream ids a trim removed.
   */
  readonly from: string;
  /** Highest offset the lost messages can have (inclusive); exact or a bound, as `from`. */
  readonly to: string;

  constructor(details: { topic: string; group: string; partition: number; from: string; to: string }) {
    super(
      ErrorCodes.PositionLost,
      `Group "${details.group}" on topic "${details.topic}" partition ${details.partition} was behind retention: ` +
        `offsets ${details.from}..${details.to} were removed unread. Raise the topic's retention or add consumers.`,
    );
    this.topic = details.topic;
    this.group = details.group;
    this.partition = details.partition;
    this.from = details.from;
    this.to = details.to;
  }
}

export class BackendError extends EddyError {
  constructor(message: string, options: EddyErrorOptions = {}) {
    super(ErrorCodes.Backend, message, options);
  }
}
