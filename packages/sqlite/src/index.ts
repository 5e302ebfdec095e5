export { createSqliteTransport, type SqliteTransport } from './transport.js';
export type { SqliteAdmin } from './admin.js';
export {
  DEFAULT_ACK_COMMIT_INTERVAL_MS,
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_FETCH_BATCH_SIZE,
  DEFAULT_GROUP_COMMIT_WINDOW_MS,
  DEFAULT_MAX_BATCH_MESSAGES,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_UNACKED_WINDOW,
  DEFAULT_PARTITIONS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_RETENTION_INTERVAL_MS,
  DEFAULT_SYNCHRONOUS,
  type RetentionOptions,
  type SqliteTransportOptions,
  type SynchronousMode,
  type TopicOptions,
} from './options.js';
export {
  createSqliteInboxStore,
  openInboxDatabase,
  type SqliteInboxStore,
  type SqliteInboxStoreOptions,
} from './inbox/inbox-store.js';
export {
  createSqliteTransactionalInbox,
  type SqliteTransactionalInbox,
  type SqliteTransactionalInboxOptions,
  type TransactionalHandler,
} from './inbox/transactional-inbox.js';
export { DEFAULT_INBOX_TABLE } from './inbox/schema.js';
export {
  createSqliteEventStore,
  type SqliteEventStore,
  type SqliteEventStoreOptions,
} from './event-store/event-store.js';
export {
  createSqliteCheckpointStore,
  type SqliteCheckpointStore,
  type SqliteCheckpointStoreOptions,
} from './event-store/checkpoint-store.js';
export {
  createSqliteSnapshotStore,
  type SqliteSnapshotStore,
  type SqliteSnapshotStoreOptions,
} from './event-store/snapshot-store.js';
export type { SqliteInlineProjection } from './event-store/inline-projection.js';
export { DEFAULT_EVENT_STORE_PREFIX, openEventStoreDatabase } from './event-store/schema.js';
export { createSqliteOutbox, type SqliteOutbox, type SqliteOutboxOptions } from './outbox/outbox-store.js';
export { DEFAULT_OUTBOX_TABLE } from './outbox/schema.js';
export {
  createSqliteSagaStore,
  type SqliteSagaStore,
  type SqliteSagaStoreOptions,
} from './saga/saga-store.js';
export { DEFAULT_SAGA_TABLE } from './saga/schema.js';
export {
  createSqliteScheduleStore,
  type SqliteScheduleStore,
  type SqliteScheduleStoreOptions,
} from './schedules/schedule-store.js';
export { DEFAULT_SCHEDULE_TABLE } from './schedules/schema.js';
export {
  createSqliteFairSlotStore,
  DEFAULT_FAIR_SLOT_TABLE,
  type SqliteFairSlotStore,
  type SqliteFairSlotStoreOptions,
} from './fair-slots/fair-slot-store.js';
export {
  createSqliteStateStore,
  type SqliteStateStore,
  type SqliteStateStoreOptions,
} from './streams/state-store.js';
export { DEFAULT_STATE_TABLE } from './streams/schema.js';
export {
  createSqliteSchemaStore,
  type SqliteSchemaStore,
  type SqliteSchemaStoreOptions,
} from './schemas/schema-store.js';
export { DEFAULT_SCHEMA_STORE_PREFIX } from './schemas/schema.js';
export {
  createSqliteRuleStore,
  type SqliteRuleStore,
  type SqliteRuleStoreOptions,
} from './rules/rule-store.js';
export { DEFAULT_RULE_TABLE } from './rules/schema.js';
export {
  createSqliteEndpointStore,
  type SqliteEndpointStore,
  type SqliteWebhookStoreOptions,
} from './webhooks/endpoint-store.js';
export { createSqliteDeliveryStore, type SqliteDeliveryStore } from './webhooks/delivery-store.js';
export { DEFAULT_WEBHOOK_TABLE_PREFIX } from './webhooks/schema.js';
export { createSqliteRequestStore, type SqliteRequestStore } from './webhooks/request-store.js';
