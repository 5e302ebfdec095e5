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
  adminOf,
  type AdminTopicOptions,
  type GroupPartitionInfo,
  type GroupSummary,
  type PartitionInfo,
  type ReadRangeOptions,
  type StoredMessageView,
  type TopicSummary,
  type TransportAdmin,
} from './transport/transport-admin.js';
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
export { createBus } from './bus/create-bus.js';
export type { Bus, EventTypes, PublishOptions, PublishResult, RegisteredHandler } from './bus/bus-types.js';
export type {
  AttemptInfo,
  BusEvent,
  DeliveryOutcome,
  EventHandler,
  HandlerContext,
} from './bus/handler-types.js';
export type { BusOptions, ConsumerDefaults, HandlerOptions, StopOptions } from './bus/bus-options.js';
export { DEFAULT_HANDLER_TIMEOUT_MS, DEFAULT_STOP_DEADLINE_MS } from './bus/consumer-settings.js';
export { currentPublishContext, type PublishContext } from './bus/publish-context.js';
export { defaultTopicFor } from './bus/routing.js';
export { stopOnSignals, type Stoppable, type StopOnSignalsOptions } from './bus/shutdown.js';
export { backoffDelayMs } from './middleware/backoff.js';
export { correlationMiddleware } from './middleware/correlation.js';
export {
  deadLetterMiddleware,
  defaultDeadLetterTopic,
  type DeadLetterNotice,
  type DeadLetterOptions,
} from './middleware/dead-letter.js';
export { DEFAULT_DEDUP_TTL_MS, dedupMiddleware, type DedupOptions } from './middleware/dedup.js';
export { perKeyConcurrencyMiddleware, rateLimitMiddleware } from './middleware/flow-control.js';
export { composeMiddleware } from './middleware/middleware.js';
export { type ConsumerHandler, type HandlerInfo, type Middleware } from './bus/handler-types.js';
export { isRetryableError, NON_RETRYABLE_CODE, NonRetryableError } from './middleware/non-retryable-error.js';
export {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_BASE_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  resolveRetryOptions,
  retryMiddleware,
  type ResolvedRetryOptions,
  type RetryOptions,
} from './middleware/retry.js';
export { timeoutMiddleware } from './middleware/timeout.js';
export {
  createDeadLetterAdmin,
  resolvedTopicOf,
  type DeadLetterAdmin,
  type DeadLetterAdminOptions,
  type DeadLetterEntry,
  type DeadLetterSelection,
} from './dlq/dead-letter-admin.js';
export {
  DeadLetterHeaders,
  parseDeadLetterHeaders,
  REDRIVE_GROUP_HEADER,
  type DeadLetterMetadata,
} from './dlq/dead-letter-format.js';
export { silentLogger, type Logger } from './observability/logger.js';
export { noopMetrics, type BusMetrics, type ConsumerLabels } from './observability/metrics.js';
export { metricsMiddleware } from './observability/metrics-middleware.js';
export {
  createPrometheusMetrics,
  type PrometheusMetricsOptions,
} from './observability/prometheus-metrics.js';
export {
  formatTraceparent,
  parseTraceparent,
  TRACER_NAME,
  tracingMiddleware,
} from './observability/tracing.js';
export {
  aggregateStream,
  type AggregateStreamOptions,
  type AggregateStreamResult,
  type AsOf,
} from './event-sourcing/aggregate-stream.js';
export { createMemoryCheckpointStore, type CheckpointStore } from './event-sourcing/checkpoint-store.js';
export {
  commandHandler,
  type CommandHandler,
  type CommandHandlerOptions,
  type CommandResult,
  type CommandRetryOptions,
  type HandleOptions,
} from './event-sourcing/command-handler.js';
export { decidedEvents, type Decider, type DomainEvent } from './event-sourcing/decider.js';
export {
  commandHandlerSpecification,
  type CommandHandlerSpecificationOptions,
  type CommandHandlerThen,
} from './event-sourcing/command-handler-specification.js';
export {
  deciderSpecification,
  type DeciderSpecification,
  type DeciderThen,
} from './event-sourcing/decider-specification.js';
export type { ExpectedError } from './event-sourcing/expected-error.js';
export {
  EventIdConflictError,
  EventSourcingErrorCodes,
  StreamDeletedError,
  WrongExpectedVersionError,
} from './event-sourcing/errors.js';
export type {
  AppendOptions,
  AppendResult,
  DeleteStreamOptions,
  EventStore,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  ReadStreamResult,
  RecordedEvent,
  StreamMetadata,
} from './event-sourcing/event-store.js';
export {
  subscribeToEventStore,
  type EventSubscription,
  type EventSubscriptionOptions,
} from './event-sourcing/event-subscription.js';
export { startEventStoreRelay, type EventStoreRelayOptions } from './event-sourcing/event-store-relay.js';
export { assertDeleteMode, assertNewEvents, assertReadCount } from './event-sourcing/event-store-input.js';
export { assertExpectedVersion, checkExpectedVersion } from './event-sourcing/expected-version.js';
export {
  inlineProjectionEvents,
  inlineProjectionFailed,
  type InlineProjectionBase,
} from './event-sourcing/inline-projection.js';
export {
  createMemoryEventStore,
  DEFAULT_READ_ALL_LIMIT,
  type MemoryEventStoreOptions,
} from './event-sourcing/memory-event-store.js';
export {
  rebuildProjection,
  startProjection,
  type Projection,
  type ProjectionRunOptions,
} from './event-sourcing/projection.js';
export {
  createMemorySnapshotStore,
  everyNEvents,
  type Snapshot,
  type SnapshotContext,
  type SnapshotOptions,
  type SnapshotPolicy,
  type SnapshotStore,
} from './event-sourcing/snapshot-store.js';
export { assertStreamMetadata, isRetained } from './event-sourcing/stream-metadata.js';
export { assertStreamId, categoryOf, streamIdFor } from './event-sourcing/stream-name.js';
export {
  recordedEventToCloudEvent,
  type RecordedEventToCloudEventOptions,
} from './event-sourcing/to-cloud-event.js';
export {
  createUpcaster,
  withUpcasting,
  type Upcaster,
  type VersionedEvent,
} from './event-sourcing/upcasting.js';
export type {
  FailedOutboxRecord,
  FailedRowsQuery,
  LaneClaim,
  OutboxRecord,
  OutboxStats,
  OutboxStore,
} from './outbox/outbox-store.js';
export { assertRowIds, DEFAULT_FAILED_ROWS_LIMIT, resolveFailedRowsQuery } from './outbox/failed-rows.js';
export { classifyRowFailure, type RowFailureKind } from './outbox/row-failure.js';
export {
  assertLaneCount,
  DEFAULT_OUTBOX_LANES,
  prepareOutboxRows,
  type OutboxEntry,
  type PreparedOutboxRow,
} from './outbox/outbox-entry.js';
export {
  createMemoryOutboxStore,
  type MemoryOutboxStore,
  type MemoryOutboxStoreOptions,
} from './outbox/memory-outbox-store.js';
export { startOutboxRelay, type OutboxRelay } from './outbox/outbox-relay.js';
export type { OutboxRelayOptions, OutboxRowFailure } from './outbox/outbox-relay-options.js';
export {
  createOutboxPrometheusMetrics,
  type OutboxMetrics,
  type OutboxPrometheusMetricsOptions,
} from './outbox/outbox-metrics.js';
export {
  SagaConflictError,
  SagaDefinitionError,
  SagaErrorCodes,
  SagaNotFoundError,
} from './saga/saga-errors.js';
export {
  ACTIVE_SAGA_STATUSES,
  cloneSagaInstance,
  isTerminalSagaStatus,
  type SagaHistoryEntry,
  type SagaInstance,
  type SagaListOptions,
  type SagaStatus,
  type SagaStepRecord,
  type SagaStepStatus,
  type SagaTimer,
} from './saga/saga-instance.js';
export { DEFAULT_SAGA_LIST_LIMIT, type SagaStore } from './saga/saga-store.js';
export { createMemorySagaStore } from './saga/memory-saga-store.js';
export {
  defineSaga,
  type SagaCompensation,
  type SagaCompensationCommand,
  type SagaDefinition,
  type SagaLocalAction,
  type SagaRequest,
  type SagaRetryPolicy,
  type SagaStep,
  type SagaStepArgs,
} from './saga/saga-definition.js';
export {
  createSagaRunner,
  DEFAULT_SAGA_LEASE_MS,
  DEFAULT_SAGA_POLL_INTERVAL_MS,
  type SagaRunner,
  type SagaRunnerOptions,
} from './saga/saga-runner.js';
export { createSagaAdmin, type SagaAdmin, type SagaTimeline } from './saga/saga-admin.js';
export {
  defineProcessManager,
  type ProcessManagerActions,
  type ProcessManagerDefinition,
  type ProcessManagerReaction,
  type ProcessManagerTimeout,
} from './process-manager/process-manager-definition.js';
export {
  createProcessManager,
  type ProcessManager,
  type ProcessManagerOptions,
} from './process-manager/process-manager.js';
export {
  buildFlowGraph,
  flowGraphToMermaid,
  type FlowDeclaration,
  type FlowEdge,
  type FlowGraph,
  type FlowGraphOptions,
  type FlowNode,
} from './flow-graph/flow-graph.js';
export { sagaFlowDeclarations, type SagaFlowOptions } from './flow-graph/saga-flow.js';
export { IDEMPOTENCY_KEY_EXTENSION, idempotencyKeyOf } from './saga/idempotency-key.js';
export { busFlowDeclarations } from './flow-graph/bus-flow.js';
