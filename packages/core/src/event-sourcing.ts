// `@eddy/core/event-sourcing`: event stores, deciders and command handlers, snapshots, upcasting,
// subscriptions and projections. In-memory stores and given/when/then helpers are in
// `@eddy/core/testing`; durable stores in @eddy/sqlite and @eddy/postgres.
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
  EventIdConflictError,
  StreamDeletedError,
  WrongExpectedVersionError,
} from './event-sourcing/errors.js';
export { decidedEvents, type Decider, type DomainEvent } from './event-sourcing/decider.js';
export {
  commandHandler,
  type CommandHandler,
  type CommandHandlerOptions,
  type CommandResult,
  type CommandRetryOptions,
  type HandleOptions,
} from './event-sourcing/command-handler.js';
export {
  aggregateStream,
  type AggregateStreamOptions,
  type AggregateStreamResult,
  type AsOf,
} from './event-sourcing/aggregate-stream.js';
export {
  everyNEvents,
  type Snapshot,
  type SnapshotContext,
  type SnapshotOptions,
  type SnapshotPolicy,
  type SnapshotStore,
} from './event-sourcing/snapshot-store.js';
export {
  createUpcaster,
  withUpcasting,
  type Upcaster,
  type VersionedCloudEvent,
  type VersionedEvent,
} from './event-sourcing/upcasting.js';
export type { CheckpointStore } from './event-sourcing/checkpoint-store.js';
export {
  subscribeToEventStore,
  type EventSubscription,
  type EventSubscriptionOptions,
} from './event-sourcing/event-subscription.js';
export {
  rebuildProjection,
  startProjection,
  type Projection,
  type ProjectionRunOptions,
} from './event-sourcing/projection.js';
export { startEventStoreRelay, type EventStoreRelayOptions } from './event-sourcing/event-store-relay.js';
export {
  recordedEventToCloudEvent,
  type RecordedEventToCloudEventOptions,
} from './event-sourcing/to-cloud-event.js';
export { categoryOf, streamIdFor } from './event-sourcing/stream-name.js';
