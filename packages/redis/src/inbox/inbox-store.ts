import { type InboxClaim, type InboxStore } from '@eddy/core';
import { ClosedError } from '@eddy/core/internal';
import type { Redis } from 'ioredis';

import { connectRedis, describeTarget } from '../connection.js';
import { toEddyError } from '../errors.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_PREFIX,
  DEFAULT_RECONNECT_MAX_DELAY_MS,
  DEFAULT_REDIS_URL,
} from '../options.js';

const LEASED = 'leased';
const PROCESSED = 'processed';
// Drops a claim only while it is still a lease: a completed entry must survive a late release.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

export interface RedisInboxStoreOptions {
  /**
   * An ioredis client to use (the caller keeps owning it: `close()` leaves it open). Without one, the
   * store connects to `url` itself and closes that connection on `close()`.
   */
  readonly redis?: Redis;
  /** Used when `redis` is not given. Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** Prefix of the store's keys. Default `'eddy:'` (keys are `<prefix>inbox:<handler>:<eventId>`). */
  readonly prefix?: string;
}

/**
 * `InboxStore` on Redis: one string key per `(handler, eventId)` whose TTL is the lease or the dedup
 * window. `claim` is a single `SET key leased NX PX <leaseMs> GET` (Redis 7.0+), atomic across
 * processes. Redis expires entries itself, so `purgeExpired` has nothing to do and returns 0.
 * Dedup survives a Redis restart only when Redis persists (AOF); see docs/adapters/redis.md.
 */
export async function createRedisInboxStore(options: RedisInboxStoreOptions = {}): Promise<InboxStore> {
  const owned = options.redis === undefined;
  const redis =
    options.redis ??
    (await connectRedis({
      url: options.url ?? DEFAULT_REDIS_URL,
      redis: {},
      connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
      reconnectMaxDelayMs: DEFAULT_RECONNECT_MAX_DELAY_MS,
      connectionName: 'eddy-inbox',
    }));
  const where = describeTarget({ redis: redis.options });
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  // The handler name's length keeps `a:b` + `c` and `a` + `b:c` apart.
  const keyOf = (handler: string, eventId: string): string =>
    `${prefix}inbox:${handler.length}:${handler}:${eventId}`;
  let closed = false;

  const run = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    if (closed) throw new ClosedError('Redis inbox store');
    try {
      return await work();
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
  };

  return {
    claim(handler, eventId, { leaseMs }): Promise<InboxClaim> {
      return run('claiming an inbox entry', async () => {
        const previous = (await redis.call(
          'SET',
          keyOf(handler, eventId),
          LEASED,
          'NX',
          'PX',
          Math.max(1, Math.ceil(leaseMs)),
          'GET',
        )) as string | null;
        if (previous === null) return 'acquired';
        return previous === PROCESSED ? 'processed' : 'busy';
      });
    },
    complete(handler, eventId, { ttlMs }): Promise<void> {
      return run('completing an inbox entry', async () => {
        await redis.set(keyOf(handler, eventId), PROCESSED, 'PX', Math.max(1, Math.ceil(ttlMs)));
      });
    },
    release(handler, eventId): Promise<void> {
      return run('releasing an inbox entry', async () => {
        await redis.eval(RELEASE, 1, keyOf(handler, eventId), LEASED);
      });
    },
    purgeExpired(): Promise<number> {
      return run('purging the inbox', () => Promise.resolve(0));
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (owned) await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** The same store under the name the dedup middleware docs use: `SET key NX PX` dedup by event id. */
export const createRedisDedupStore = createRedisInboxStore;
