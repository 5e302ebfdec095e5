// `@eddy/core/outbox`: the transactional outbox's store port and its relay. Stores that write in
// the application's transaction are in @eddy/sqlite and @eddy/postgres; the in-memory one is in
// `@eddy/core/testing`.
export type {
  FailedOutboxRecord,
  FailedRowsQuery,
  LaneClaim,
  OutboxRecord,
  OutboxStats,
  OutboxStore,
} from './outbox/outbox-store.js';
export { DEFAULT_OUTBOX_LANES, type OutboxEntry } from './outbox/outbox-entry.js';
export { startOutboxRelay, type OutboxRelay } from './outbox/outbox-relay.js';
export type { OutboxRelayOptions, OutboxRowFailure } from './outbox/outbox-relay-options.js';
export {
  createOutboxPrometheusMetrics,
  type OutboxMetrics,
  type OutboxPrometheusMetricsOptions,
} from './outbox/outbox-metrics.js';
