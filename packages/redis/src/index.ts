export { createRedisTransport, type RedisTransport } from './redis-transport.js';
export type { RedisAdmin } from './redis-admin.js';
export { DEFAULT_REDIS_URL, type RedisRetention, type RedisTransportOptions } from './options.js';
export {
  createRedisDedupStore,
  createRedisInboxStore,
  type RedisInboxStoreOptions,
} from './redis-inbox-store.js';
