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
