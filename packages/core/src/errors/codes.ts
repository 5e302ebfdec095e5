/**
 * The error codes @eddy/core throws; each is documented in docs/reference/errors.md (a test keeps the two in
 * step). Every Eddy package keeps its own catalogue in this shape, in its `errors.ts`.
 */
export const ErrorCodes = {
  /** A topic name breaks the naming rules. */
  InvalidTopic: 'EDDY_INVALID_TOPIC',
  /** A handler's filter or type pattern is malformed or uses a dialect Eddy does not support. */
  InvalidFilter: 'EDDY_INVALID_FILTER',
  /** An event reached its handler after its `expiresAt`; the dead-letter reason of expired events. */
  Expired: 'EDDY_EXPIRED',
  /** A consumer group name breaks the naming rules. */
  InvalidGroup: 'EDDY_INVALID_GROUP',
  /** An option has a value outside its documented range. */
  InvalidOption: 'EDDY_INVALID_OPTION',
  /** A message is larger than the transport accepts. */
  MessageTooLarge: 'EDDY_MESSAGE_TOO_LARGE',
  /** A header name or value is not acceptable. */
  InvalidHeader: 'EDDY_INVALID_HEADER',
  /** The transport, bus or subscription was closed before the call. */
  Closed: 'EDDY_CLOSED',
  /** An event does not satisfy the CloudEvents 1.0 rules. */
  InvalidCloudEvent: 'EDDY_INVALID_CLOUDEVENT',
  /** A transport message cannot be decoded as a CloudEvent. */
  DecodeFailed: 'EDDY_DECODE_FAILED',
  /** The backend cannot be reached. */
  ConnectionFailed: 'EDDY_CONNECTION_FAILED',
  /** The backend refused the credentials. */
  AuthFailed: 'EDDY_AUTH_FAILED',
  /** The backend does not support what was asked (see the transport's capabilities). */
  NotSupported: 'EDDY_NOT_SUPPORTED',
  /** A handler asked for redelivery (thrown by handlers or the retry middleware, never surfaced to users). */
  Nack: 'EDDY_NACK',
  /** Two handlers were registered under the same name on one bus. */
  DuplicateHandler: 'EDDY_DUPLICATE_HANDLER',
  /** An operation exceeded its deadline. */
  Timeout: 'EDDY_TIMEOUT',
  /** A consumer group's position fell behind the topic's retention: messages were removed unread. */
  PositionLost: 'EDDY_POSITION_LOST',
  /** The backend reported an error Eddy does not classify further. */
  Backend: 'EDDY_BACKEND',
  /** A handler said retrying cannot help: the delivery goes straight to the dead-letter queue. */
  NonRetryable: 'EDDY_NON_RETRYABLE',
  /** An operator cancelled a running delivery (`bus.cancel`); it is dead-lettered, not retried. */
  Cancelled: 'EDDY_CANCELLED',
  /** An append or delete found the stream at another version than expected. Retriable: reload and decide again. */
  WrongExpectedVersion: 'EDDY_WRONG_EXPECTED_VERSION',
  /** The stream was tombstoned: it can be neither read nor written again. */
  StreamDeleted: 'EDDY_STREAM_DELETED',
  /** An append reused event ids already in the stream, but not as an exact retry of an earlier append. */
  EventIdConflict: 'EDDY_EVENT_ID_CONFLICT',
  /** A saga instance was saved from a stale version: another runner moved it first. */
  SagaConflict: 'EDDY_SAGA_CONFLICT',
  /** A saga instance id is unknown to the store. */
  SagaNotFound: 'EDDY_SAGA_NOT_FOUND',
  /** A saga or process-manager definition breaks a rule (duplicate step names, unknown reply type...). */
  InvalidSagaDefinition: 'EDDY_SAGA_INVALID_DEFINITION',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
