// The root entry: what an application using the bus needs. Event sourcing, sagas, the outbox,
// CloudEvents codecs and in-memory test doubles have entries of their own
// (`@eddy/core/event-sourcing`, `/saga`, `/outbox`, `/cloudevents`, `/testing`); adapter packages use
// `@eddy/core/internal`.

// The bus
export { createBus } from './bus/create-bus.js';
export type {
  AnyBusEvent,
  Bus,
  EventTypes,
  PublishOptions,
  PublishResult,
  BatchPublishItem,
  RegisteredHandler,
  TypePattern,
} from './bus/bus-types.js';
export type {
  AttemptInfo,
  BusEvent,
  ConsumerHandler,
  DeliveryOutcome,
  EventHandler,
  HandlerContext,
  NackOptions,
  HandlerInfo,
  Middleware,
  OutgoingEvent,
  PublishMiddleware,
  ProgressValue,
  PublishNext,
} from './bus/handler-types.js';
export type { FairGroupOptions } from './bus/fair-scheduler.js';
export type { FairSlotStore } from './bus/fair-slot-store.js';
export type { FairGroupStatus, FairKeyStatus } from './bus/fair-group-status.js';
export type { InflightDelivery } from './bus/long-running.js';
export type { PublishDedupe } from './transport/publish-dedupe.js';
export type {
  BatchHandlerOptions,
  BusOptions,
  ConsumerDefaults,
  HandlerOptions,
  PriorityOptions,
  StopOptions,
} from './bus/bus-options.js';
export type { BatchContext, BatchHandler } from './bus/batch-collector.js';
export type { CloudEventsFilter, EventFilter } from './bus/event-filter.js';
export { stopOnSignals, type Stoppable, type StopOnSignalsOptions } from './bus/shutdown.js';
export type { RetryOptions } from './middleware/retry.js';
export type { DeadLetterNotice, DeadLetterOptions } from './middleware/dead-letter.js';
export type { DedupOptions } from './middleware/dedup.js';
export { upcastingMiddleware } from './middleware/upcasting.js';
export type { Upcaster } from './event-sourcing/upcasting.js';
export type { InboxClaim, InboxStore } from './inbox/inbox-store.js';

// Dead-letter queues
export {
  createDeadLetterAdmin,
  type DeadLetterAdmin,
  type DeadLetterAdminOptions,
  type DeadLetterEntry,
  type DeadLetterSelection,
} from './dlq/dead-letter-admin.js';

// Errors
export { EddyError, isEddyError, type EddyErrorOptions } from './errors/eddy-error.js';
export { ErrorCodes, type ErrorCode } from './errors/codes.js';
export { NonRetryableError } from './middleware/non-retryable-error.js';
export { Nack } from './errors/nack.js';

// Events and the transport contract
export type { CloudEvent, CloudEventInput, ExtensionValue } from './cloudevents/cloud-event.js';
export type { TransportCapabilities } from './transport/capabilities.js';
export type { SubscriptionFilter } from './transport/subscription-filter.js';
export type { Headers, OutgoingMessage, Position, ReceivedMessage } from './transport/message.js';
export type {
  BatchMessageHandler,
  BatchSettlement,
  BatchSubscribeOptions,
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
  dedupeOf,
  type DedupeDecisionCounts,
  type DedupeKeyView,
  type PublishDedupeView,
} from './transport/dedupe-view.js';

// Observability
export type { Logger } from './observability/logger.js';
export type { BusMetrics, ConsumerLabels, DropReason } from './observability/metrics.js';
export {
  createPrometheusMetrics,
  type PrometheusMetricsOptions,
} from './observability/prometheus-metrics.js';
