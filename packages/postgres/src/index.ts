export { createPostgresTransport, type PostgresTransport } from './transport.js';
export type { PostgresAdmin } from './admin.js';
export {
  DEFAULT_APPLICATION_NAME,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_PARTITIONS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_POOL_SIZE,
  DEFAULT_RECONNECT_DELAY_MS,
  DEFAULT_RETENTION_INTERVAL_MS,
  DEFAULT_SCHEMA,
  type PostgresRetention,
  type PostgresTransportOptions,
} from './options.js';
export { migrate } from './migration.js';
export {
  createPostgresInboxStore,
  type PostgresInboxStore,
  type PostgresInboxStoreOptions,
  type ProcessOnceResult,
} from './inbox/inbox-store.js';
export {
  createPostgresEventStore,
  type PostgresEventStore,
  type PostgresEventStoreOptions,
} from './event-store/event-store.js';
export {
  createPostgresCheckpointStore,
  type PostgresCheckpointStore,
  type PostgresCheckpointStoreOptions,
} from './event-store/checkpoint-store.js';
export {
  createPostgresSnapshotStore,
  type PostgresSnapshotStore,
  type PostgresSnapshotStoreOptions,
} from './event-store/snapshot-store.js';
export type { PostgresInlineProjection } from './event-store/inline-projection.js';
export {
  createPostgresOutbox,
  type OutboxSqlExecutor,
  type PostgresOutbox,
  type PostgresOutboxOptions,
} from './outbox/outbox-store.js';
export {
  createPostgresSagaStore,
  type PostgresSagaStore,
  type PostgresSagaStoreOptions,
} from './saga/saga-store.js';
export {
  createPostgresScheduleStore,
  type PostgresScheduleStore,
  type PostgresScheduleStoreOptions,
} from './schedules/schedule-store.js';
export {
  createPostgresFairSlotStore,
  type PostgresFairSlotStore,
  type PostgresFairSlotStoreOptions,
} from './fair-slots/fair-slot-store.js';
export {
  createPostgresSchemaStore,
  type PostgresSchemaStore,
  type PostgresSchemaStoreOptions,
} from './schemas/schema-store.js';
export {
  createPostgresRuleStore,
  type PostgresRuleStore,
  type PostgresRuleStoreOptions,
} from './rules/rule-store.js';
export { createPostgresEndpointStore } from './webhooks/endpoint-store.js';
export { createPostgresDeliveryStore } from './webhooks/delivery-store.js';
export { createPostgresRequestStore } from './webhooks/request-store.js';
export {
  createPostgresStateStore,
  type PostgresStateStore,
  type PostgresStateStoreOptions,
} from './streams/state-store.js';
export { createPostgresCoordination, type PostgresCoordinationOptions } from './coordination/coordination.js';
