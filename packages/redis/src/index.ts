export { createRedisTransport, type RedisTransport } from './transport.js';
export type { RedisAdmin } from './admin.js';
export {
  DEFAULT_BLOCK_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_PARTITIONS,
  DEFAULT_PREFIX,
  DEFAULT_RECONNECT_MAX_DELAY_MS,
  DEFAULT_REDIS_URL,
  DEFAULT_SESSION_TIMEOUT_MS,
  DEFAULT_TRIM_CHECK_INTERVAL_MS,
  type RedisRetention,
  type RedisTransportOptions,
} from './options.js';
export {
  createRedisDedupStore,
  createRedisInboxStore,
  type RedisInboxStoreOptions,
} from './inbox/inbox-store.js';
export {
  createRedisFairSlotStore,
  type RedisFairSlotStore,
  type RedisFairSlotStoreOptions,
} from './fair-slots/fair-slot-store.js';
export { createRedisStateStore, type RedisStateStoreOptions } from './streams/state-store.js';
export { createRedisCoordination, type RedisCoordinationOptions } from './coordination/coordination.js';
