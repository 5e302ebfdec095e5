export { EddyError, isEddyError, type EddyErrorOptions } from './errors/eddy-error.js';
export { ErrorCodes, type ErrorCode } from './errors/codes.js';
export {
  AuthError,
  BackendError,
  ClosedError,
  ConnectionError,
  DecodeError,
  DuplicateHandlerError,
  InvalidCloudEventError,
  InvalidGroupError,
  InvalidHeaderError,
  InvalidOptionError,
  InvalidTopicError,
  MessageTooLargeError,
  NotSupportedError,
  PositionLostError,
  TimeoutError,
} from './errors/errors.js';
export { Nack, redeliveryDelayOf } from './errors/nack.js';
export type { TransportCapabilities } from './transport/capabilities.js';
export {
  messageSizeBytes,
  type Headers,
  type OutgoingMessage,
  type Position,
  type ReceivedMessage,
} from './transport/message.js';
export { assertGroupName, assertTopicName, MAX_NAME_LENGTH } from './transport/names.js';
export { partitionForKey } from './transport/partitioner.js';
export type {
  MessageHandler,
  StartPosition,
  SubscribeOptions,
  Subscription,
  Transport,
} from './transport/transport.js';
export {
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_MAX_IN_FLIGHT,
  resolveSubscribeOptions,
  validatePublish,
  type ResolvedSubscribeOptions,
} from './transport/validate.js';
export type { InboxClaim, InboxStore } from './inbox/inbox-store.js';
export { createMemoryInboxStore, type MemoryInboxStoreOptions } from './inbox/memory-inbox-store.js';
export {
  CLOUDEVENTS_SPEC_VERSION,
  type CloudEvent,
  type CloudEventInput,
  type ExtensionValue,
} from './cloudevents/cloud-event.js';
export type { CloudEventMessage, CloudEventMode } from './cloudevents/cloud-event-message.js';
export {
  decodeCloudEvent,
  decodeCloudEventBatch,
  detectCloudEventMode,
  encodeCloudEvent,
  type EncodeCloudEventOptions,
} from './cloudevents/codec.js';
export {
  BATCH_CONTENT_TYPE,
  isJsonContentType,
  STRUCTURED_CONTENT_TYPE,
} from './cloudevents/content-type.js';
export { createCloudEvent } from './cloudevents/create-cloud-event.js';
export {
  cloudEventFromJson,
  cloudEventToJson,
  encodeCloudEventBatch,
} from './cloudevents/structured-mode.js';
export { isTraceparent, validateCloudEvent } from './cloudevents/validate-cloud-event.js';
export { MemoryBroker, type MemoryBrokerOptions } from './memory/memory-broker.js';
export {
  createMemoryTransport,
  DEFAULT_MEMORY_MAX_MESSAGE_BYTES,
  type MemoryTransport,
  type MemoryTransportOptions,
} from './memory/memory-transport.js';
