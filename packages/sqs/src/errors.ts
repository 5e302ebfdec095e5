import { EddyError } from '@eddy/core';
import { AuthError, BackendError, ConnectionError, TimeoutError } from '@eddy/core/internal';

/** The error codes @eddy/sqs throws besides core's; each is documented in docs/reference/errors.md. */
export const SqsErrorCodes = {
  /** `deliverAt` is further ahead than SQS can hold a message (15 minutes). */
  DelayTooLong: 'EDDY_SQS_DELAY_TOO_LONG',
  /** A topic or queue of that name exists with other settings (FIFO or not, redrive policy). */
  ResourceConflict: 'EDDY_SQS_RESOURCE_CONFLICT',
  /** AWS throttled the calls (rate or KMS limits); retry with backoff. */
  Throttled: 'EDDY_SQS_THROTTLED',
} as const;
export type SqsErrorCode = (typeof SqsErrorCodes)[keyof typeof SqsErrorCodes];

/** SQS holds a message for at most 15 minutes (DelaySeconds, and the delay a held message gets here). */
export const MAX_DELAY_MS = 15 * 60_000;

/** `deliverAt` lies beyond what SQS can delay. */
export class DelayTooLongError extends EddyError {
  constructor(delayMs: number) {
    super(
      SqsErrorCodes.DelayTooLong,
      `deliverAt is ${Math.ceil(delayMs / 1000)} s ahead; SQS delays a message by at most ${MAX_DELAY_MS / 60_000} minutes. ` +
        'Schedule it (a schedule store, or a saga timeout) and publish it when it is due.',
    );
  }
}

/** The topic or queue Eddy needs exists with other attributes. */
export class ResourceConflictError extends EddyError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(SqsErrorCodes.ResourceConflict, message, options);
  }
}

/** AWS refused the call for its rate; the same call succeeds later. */
export class ThrottledError extends EddyError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(SqsErrorCodes.Throttled, message, { retriable: true, ...options });
  }
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
]);

const AUTH_NAMES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);

const THROTTLE_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'KMSThrottlingException',
  'TooManyRequestsException',
]);

const CONFLICT_NAMES = new Set(['QueueAlreadyExists', 'QueueNameExists']);

interface AwsLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly cause?: unknown;
}

function field(error: unknown, name: keyof AwsLike): unknown {
  return typeof error === 'object' && error !== null ? (error as AwsLike)[name] : undefined;
}

/** The socket error code of `error` or of one of its causes. */
function socketCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== undefined && depth < 4; depth += 1) {
    const code = field(current, 'code');
    if (typeof code === 'string' && SOCKET_CODES.has(code)) return code;
    current = field(current, 'cause');
  }
  return undefined;
}

/**
 * Turns what the AWS SDK, the socket or the service reported into a typed `EddyError` whose message
 * says what to check. `doing` says what was being done ("publishing to topic orders"), `where` is the
 * endpoint. An `EddyError` is returned as is.
 */
export function toEddyError(error: unknown, doing: string, where: string): EddyError {
  if (error instanceof EddyError) return error;
  const rawName = field(error, 'name');
  // Query-compatible services name errors `AWS.SimpleQueueService.QueueNameExists`; the last part is the kind.
  const name = typeof rawName === 'string' ? (rawName.split('.').pop() ?? '') : '';
  const text = error instanceof Error ? error.message : String(error);
  if (AUTH_NAMES.has(name)) {
    return new AuthError(
      `${where} refused the credentials while ${doing} (${name}: ${text}). Check the credentials ` +
        '(options.credentials or the SDK chain) and the IAM policy: Eddy needs sns:CreateTopic, ' +
        'sns:Publish, sns:Subscribe, sqs:CreateQueue, sqs:ReceiveMessage, sqs:DeleteMessage, ' +
        'sqs:ChangeMessageVisibility and sqs:SetQueueAttributes.',
      { cause: error },
    );
  }
  if (THROTTLE_NAMES.has(name)) {
    return new ThrottledError(`${where} throttled the calls while ${doing} (${text}). Retry with backoff.`, {
      cause: error,
    });
  }
  if (
    CONFLICT_NAMES.has(name) ||
    /already exists with (different|other) attributes|different attributes/i.test(text)
  ) {
    return new ResourceConflictError(
      `${where} has a resource of that name with other settings while ${doing} (${text}). A topic ` +
        'created FIFO cannot become standard (or back), nor a queue change its redrive policy: use ' +
        'another topic or group name, another namePrefix, or delete the old resource.',
      { cause: error },
    );
  }
  const code = socketCode(error);
  if (code !== undefined) {
    return new ConnectionError(
      `Cannot reach ${where} while ${doing} (${code}: ${text}). Check the url (sqs://host:port?region=…) ` +
        'and that the service or emulator runs.',
      { cause: error },
    );
  }
  if (name === 'TimeoutError' || name === 'RequestTimeout' || /timed? ?out/i.test(text)) {
    return new TimeoutError(
      `${where} did not answer in time while ${doing} (${text}). Raise requestTimeoutMs if calls are slow.`,
      { cause: error },
    );
  }
  const fault = field(error, '$fault');
  return new BackendError(`${where} failed while ${doing}: ${name === '' ? '' : `${name}: `}${text}`, {
    cause: error,
    retriable: fault !== 'client',
  });
}
