import type { FairSlotStore } from '@eddy/core';
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

// One sorted set per (scope, key): holders scored by their lease's end. Drops expired holders,
// counts the rest and adds the new one in one script, so concurrent members never exceed the
// limit; the set's own TTL (the longest lease) removes a key nobody uses any more.
// With a rate, KEYS[2] exists while the key must wait for its next start: it expires (PX) when
// the wait is over, so it needs no sweeping.
const TAKE = `
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[1])
if redis.call('zcard', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
if ARGV[6] ~= '0' then
  if redis.call('exists', KEYS[2]) == 1 then return 0 end
  redis.call('set', KEYS[2], '1', 'PX', ARGV[6])
end
redis.call('zadd', KEYS[1], ARGV[2], ARGV[4])
local ttl = redis.call('pttl', KEYS[1])
if ttl < tonumber(ARGV[5]) then redis.call('pexpire', KEYS[1], ARGV[5]) end
return 1`;

export interface RedisFairSlotStoreOptions {
  /**
   * An ioredis client to use (the caller keeps owning it: `close()` leaves it open). Without one, the
   * store connects to `url` itself and closes that connection on `close()`.
   */
  readonly redis?: Redis;
  /** Used when `redis` is not given. Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** Prefix of the store's keys. Default `'eddy:'` (keys are `<prefix>fair:{<scope>:<key>}`). */
  readonly prefix?: string;
}

/** A `FairSlotStore` on Redis; `close()` closes the connection when the store opened it. */
export interface RedisFairSlotStore extends FairSlotStore {
  close(): Promise<void>;
}

/**
 * `FairSlotStore` on Redis: a sorted set of holders per (scope, key), each scored by the end of its
 * lease, with a TTL, taken by one Lua script (atomic across processes). Lease ends are the server's
 * clock (`TIME`) so members with skewed clocks agree.
 */
export async function createRedisFairSlotStore(
  options: RedisFairSlotStoreOptions = {},
): Promise<RedisFairSlotStore> {
  const owned = options.redis === undefined;
  const redis =
    options.redis ??
    (await connectRedis({
      url: options.url ?? DEFAULT_REDIS_URL,
      redis: {},
      connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
      reconnectMaxDelayMs: DEFAULT_RECONNECT_MAX_DELAY_MS,
      connectionName: 'eddy-fair-slots',
    }));
  const where = describeTarget({ redis: redis.options });
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  // The scope's length keeps `a:b` + `c` and `a` + `b:c` apart. The braces are a Redis Cluster hash
  // tag: the take script touches the slots key and its `:rate` key, which must share a hash slot.
  const keyOf = (scope: string, key: string): string => `${prefix}fair:{${scope.length}:${scope}:${key}}`;
  let closed = false;
  const run = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    if (closed) throw new ClosedError('Redis fair-slot store');
    try {
      return await work();
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
  };

  return {
    tryAcquire: (scope, key, holder, limit, leaseMs, ratePerSecond) =>
      run('taking a fair-group slot', async () => {
        const [seconds, micros] = await redis.time();
        const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
        const lease = Math.max(1, Math.ceil(leaseMs));
        const waitMs = ratePerSecond === undefined ? 0 : Math.max(1, Math.round(1000 / ratePerSecond));
        const slots = keyOf(scope, key);
        const taken = await redis.eval(
          TAKE,
          2,
          slots,
          `${slots}:rate`,
          now,
          now + lease,
          limit,
          holder,
          lease,
          waitMs,
        );
        return taken === 1;
      }),
    release: (scope, key, holder) =>
      run('releasing a fair-group slot', async () => {
        await redis.zrem(keyOf(scope, key), holder);
      }),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (owned) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
