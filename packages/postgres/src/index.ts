export { createPostgresTransport, type PostgresTransport } from './postgres-transport.js';
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_PARTITIONS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_SCHEMA,
  type PostgresTransportOptions,
} from './options.js';
export { migrate } from './migration.js';
export { redactUrl } from './errors.js';
export {
  createPostgresInboxStore,
  type PostgresInboxStore,
  type PostgresInboxStoreOptions,
  type ProcessOnceResult,
} from './inbox-store.js';
