export { createPostgresTransport, type PostgresTransport } from './postgres-transport.js';
export type { PostgresAdmin } from './admin.js';
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_PARTITIONS,
  DEFAULT_POLL_INTERVAL_MS,
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
} from './inbox-store.js';
export {
  createPostgresEventStore,
  type PostgresEventStore,
  type PostgresEventStoreOptions,
} from './event-store/postgres-event-store.js';
export {
  createPostgresCheckpointStore,
  type PostgresCheckpointStore,
  type PostgresCheckpointStoreOptions,
} from './event-store/postgres-checkpoint-store.js';
export {
  createPostgresSnapshotStore,
  type PostgresSnapshotStore,
  type PostgresSnapshotStoreOptions,
} from './event-store/postgres-snapshot-store.js';
export type { PostgresInlineProjection } from './event-store/inline-projection.js';
export {
  createPostgresOutbox,
  type OutboxSqlExecutor,
  type PostgresOutbox,
  type PostgresOutboxOptions,
} from './outbox/postgres-outbox.js';
export {
  createPostgresSagaStore,
  type PostgresSagaStore,
  type PostgresSagaStoreOptions,
} from './saga/postgres-saga-store.js';
