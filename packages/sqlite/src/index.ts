export { createSqliteTransport, type SqliteTransport } from './transport.js';
export type { RetentionOptions, SqliteTransportOptions, SynchronousMode, TopicOptions } from './options.js';
export type {
  GroupPartitionInfo,
  GroupSummary,
  PartitionInfo,
  ReadRangeOptions,
  SqliteAdmin,
  StoredMessageView,
  TopicSummary,
} from './admin.js';
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
