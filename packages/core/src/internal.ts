// `@eddy/core/internal`: what Eddy's own adapter and edge packages share with core — input checks
// every transport applies, the shared mechanisms (keyed concurrency, backoff, URL redaction), error
// classes and the helpers store implementations need. Not for applications: these names may change
// in any release without notice.

// Error classes the adapters throw (applications match on `code`, see docs/reference/errors.md)
export {
  AuthError,
  BackendError,
  CancelledError,
  ClosedError,
  ConnectionError,
  DecodeError,
  DuplicateHandlerError,
  InvalidCloudEventError,
  InvalidGroupError,
  InvalidHeaderError,
  ExpiredError,
  InvalidFilterError,
  InvalidOptionError,
  InvalidTopicError,
  MessageTooLargeError,
  NotSupportedError,
  PositionLostError,
  TimeoutError,
} from './errors/errors.js';
export { redeliveryDelayOf } from './errors/nack.js';
export { isRetryableError } from './middleware/non-retryable-error.js';

// What every transport checks before touching its backend
export {
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_MAX_IN_FLIGHT,
  resolveMaxBatchSize,
  resolveSubscribeOptions,
  validatePublish,
  type ResolvedSubscribeOptions,
} from './transport/validate.js';
export { assertGroupName, assertTopicName, MAX_NAME_LENGTH } from './transport/names.js';
export {
  DeliveryBatcher,
  type DeliveryBatcherOptions,
  type BatchTarget,
} from './transport/delivery-batcher.js';
export { partitionForKey } from './transport/partitioner.js';
export { messageSizeBytes } from './transport/message.js';
export {
  assertPublishDedupe,
  decideDedupe,
  DEDUPE_HEADER,
  type DedupeDecision,
  type DedupeRecord,
} from './transport/publish-dedupe.js';
export { DedupeCounters, dedupeKeysLimit } from './transport/dedupe-view.js';
export { byDue as byDedupeDue } from './memory/memory-broker.js';
export { compileSubscriptionFilter, type HeaderPredicate } from './transport/subscription-filter.js';
export { headerConditionOf, type HeaderCondition } from './transport/header-condition.js';
export { SUPERSEDE_HEADER } from './bus/supersede.js';

// Shared mechanisms
export { KeyedQueue, type KeyedQueueOptions } from './shared/keyed-queue.js';
export { boundedMemo } from './shared/bounded-memo.js';
export { KeyedTasks } from './shared/keyed-tasks.js';
export { backoffDelayMs } from './shared/backoff.js';
export { redactUrl } from './shared/redact-url.js';
export { globToRegExp, isGlob } from './shared/glob.js';
export { Deque } from './shared/deque.js';
export { MinHeap } from './memory/min-heap.js';

// The bus's defaults and pieces the gateway reuses
export { DEFAULT_HANDLER_TIMEOUT_MS, DEFAULT_STOP_DEADLINE_MS } from './bus/consumer-settings.js';
export { defaultTopicFor } from './bus/routing.js';
export { currentPublishContext, type PublishContext } from './bus/publish-context.js';
export { composeMiddleware } from './middleware/middleware.js';
export {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_BASE_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  resolveRetryOptions,
  type ResolvedRetryOptions,
} from './middleware/retry.js';
export { DEFAULT_DEDUP_TTL_MS } from './middleware/dedup.js';
export { defaultDeadLetterTopic } from './middleware/dead-letter.js';
export { resolvedTopicOf } from './dlq/dead-letter-admin.js';
export {
  deadLetterHeaders,
  describeFailure,
  DeadLetterHeaders,
  parseDeadLetterHeaders,
  REDRIVE_GROUP_HEADER,
  type DeadLetterMetadata,
} from './dlq/dead-letter-format.js';
export { silentLogger } from './observability/logger.js';
export { noopMetrics } from './observability/metrics.js';
export { formatTraceparent, parseTraceparent, TRACER_NAME } from './observability/tracing.js';
export { isTraceparent } from './cloudevents/validate-cloud-event.js';
export { decodeHeaderValue, encodeHeaderValue } from './cloudevents/header-value.js';
export { cloudEventJsonText } from './cloudevents/json-text.js';

// CloudEvents protocol bindings: how each broker names attributes on the wire
export {
  AMQP_BINDING,
  fromWireHeaders,
  headerOfWire,
  isBinaryCloudEvent,
  isBindingName,
  KAFKA_BINDING,
  NATS_BINDING,
  SQS_BINDING,
  toWireHeaders,
  wireHeaderOf,
  type ProtocolBinding,
} from './cloudevents/protocol-binding.js';
export { resolveCloudEventsMode, toStructuredMessage } from './cloudevents/wire-mode.js';

// Helpers for event-store implementations
export { assertDeleteMode, assertNewEvents, assertReadCount } from './event-sourcing/event-store-input.js';
export { assertExpectedVersion, checkExpectedVersion } from './event-sourcing/expected-version.js';
export {
  inlineProjectionEvents,
  inlineProjectionFailed,
  type InlineProjectionBase,
} from './event-sourcing/inline-projection.js';
export { assertStreamMetadata, isRetained } from './event-sourcing/stream-metadata.js';
export { assertStreamId } from './event-sourcing/stream-name.js';

// Helpers for outbox-store implementations
export {
  assertAttempts,
  assertRowIds,
  DEFAULT_FAILED_ROWS_LIMIT,
  resolveFailedRowsQuery,
} from './outbox/failed-rows.js';
export { classifyRowFailure, type RowFailureKind } from './outbox/row-failure.js';
export { assertLaneCount, prepareOutboxRows, type PreparedOutboxRow } from './outbox/outbox-entry.js';

// Helpers for saga-store implementations
export { ACTIVE_SAGA_STATUSES, cloneSagaInstance } from './saga/saga-instance.js';
export { DEFAULT_SAGA_LIST_LIMIT } from './saga/saga-store.js';

// Helpers for schedule-store implementations
export { redefinesTiming } from './schedule/schedule-store-rules.js';
export { parseCron, type CronSchedule } from './schedule/cron.js';
export { compileEventFilter, type EventPredicate } from './bus/event-filter.js';

// Running several gateways on one backend: ports the adapters implement, and what runs on them
export type { LeaderLease } from './coordination/leader-lease.js';
export type { Coordination, InstanceChannel, InstanceLink } from './coordination/instance-channel.js';
export { PubSubLink, type PubSubLinkSettings } from './coordination/pubsub-link.js';
export { Leadership, type LeadershipSettings, type SingletonTask } from './coordination/leadership.js';
export { MemoryLeaderLease } from './memory/memory-leader-lease.js';
export { MemoryInstanceChannel } from './memory/memory-instance-channel.js';
