export { createSqsTransport, type SqsNative, type SqsTransport } from './transport.js';
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_PUBLISH_CONCURRENCY,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_WAIT_TIME_SECONDS,
  type SqsCredentials,
  type SqsDeadLetterOptions,
  type SqsTransportOptions,
} from './options.js';
export {
  DelayTooLongError,
  MAX_DELAY_MS,
  ResourceConflictError,
  SqsErrorCodes,
  ThrottledError,
  type SqsErrorCode,
} from './errors.js';
