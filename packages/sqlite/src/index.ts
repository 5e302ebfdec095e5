export { createSqliteTransport, type SqliteTransport } from './transport.js';
export type { RetentionOptions, SqliteTransportOptions, SynchronousMode, TopicOptions } from './options.js';
export type { SqliteAdmin } from './admin.js';
export {
  createSqliteInboxStore,
  openInboxDatabase,
  type SqliteInboxStore,
  type SqliteInboxStoreOptions,
} from './inbox/sqlite-inbox-store.js';
export {
  createSqliteTransactionalInbox,
  type SqliteTransactionalInbox,
  type SqliteTransactionalInboxOptions,
  type TransactionalHandler,
} from './inbox/transactional-inbox.js';
export { DEFAULT_INBOX_TABLE } from './inbox/inbox-schema.js';
export {
  createSqliteEventStore,
  type SqliteEventStore,
  type SqliteEventStoreOptions,
} from './event-store/sqlite-event-store.js';
export {
  createSqliteCheckpointStore,
  type SqliteCheckpointStore,
  type SqliteCheckpointStoreOptions,
} from './event-store/sqlite-checkpoint-store.js';
export {
  createSqliteSnapshotStore,
  type SqliteSnapshotStore,
  type SqliteSnapshotStoreOptions,
} from './event-store/sqlite-snapshot-store.js';
export type { SqliteInlineProjection } from './event-store/inline-projection.js';
export { DEFAULT_EVENT_STORE_PREFIX, openEventStoreDatabase } from './event-store/event-store-schema.js';
export { createSqliteOutbox, type SqliteOutbox, type SqliteOutboxOptions } from './outbox/sqlite-outbox.js';
export { DEFAULT_OUTBOX_TABLE } from './outbox/outbox-schema.js';
export {
  createSqliteSagaStore,
  DEFAULT_SAGA_TABLE,
  type SqliteSagaStore,
  type SqliteSagaStoreOptions,
} from './saga/sqlite-saga-store.js';
