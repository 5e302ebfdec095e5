import { PubSubLink, type Coordination, type LeaderLease } from '@eddy/core/internal';
import type { Redis } from 'ioredis';
import { connectRedis, describeTarget } from '../connection.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_PREFIX,
  DEFAULT_RECONNECT_MAX_DELAY_MS,
  DEFAULT_REDIS_URL,
} from '../options.js';

/** Where the leases and mailboxes live. */
export interface RedisCoordinationOptions {
  /** Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** Prefix of the lease keys and channels. Default `eddy:`. */
  readonly prefix?: string;
  /** Receives failures to answer a request (the asker times out). Default: ignored. */
  readonly onError?: (error: unknown, doing: string) => void;
}

// Renewal and release must only touch a lease this holder has: GET and compare in one step.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1]) else return 0 end`;

function redisLeaderLease(client: Redis, prefix: string): LeaderLease {
  const key = (name: string): string => `${prefix}leader:${name}`;
  return {
    async acquire(name, holder, ttlMs) {
      // Expiry is kept by the server (PX), so holders never compare clocks.
      const taken = await client.set(key(name), holder, 'PX', ttlMs, 'NX');
      if (taken === 'OK') return true;
      return (await client.eval(RENEW, 1, key(name), holder, ttlMs)) === 1;
    },
    async release(name, holder) {
      await client.eval(RELEASE, 1, key(name), holder);
    },
  };
}

/**
 * What several gateways on one Redis share: leader leases (`SET NX PX`, renewed by a compare-and-
 * expire script) and request/reply between instances over pub/sub (at most once). `close()` ends
 * both connections.
 */
export async function createRedisCoordination(options: RedisCoordinationOptions = {}): Promise<Coordination> {
  const url = options.url ?? DEFAULT_REDIS_URL;
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const settings = {
    url,
    redis: {},
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    reconnectMaxDelayMs: DEFAULT_RECONNECT_MAX_DELAY_MS,
  };
  const commands = await connectRedis({ ...settings, connectionName: 'eddy-coordination' });
  let subscriber: Redis;
  try {
    // A subscribed connection can run nothing else, so the mailboxes get their own.
    subscriber = await connectRedis({ ...settings, connectionName: 'eddy-coordination-sub', blocking: true });
  } catch (error) {
    commands.disconnect();
    throw error;
  }
  const report = options.onError ?? (() => undefined);
  const links = new Map<string, PubSubLink>();
  const channelOf = (instance: string): string => `${prefix}instance:${instance}`;
  subscriber.on('message', (channel: string, payload: string) => links.get(channel)?.receive(payload));
  return {
    leader: redisLeaderLease(commands, prefix),
    channel: {
      async join(instance, handler) {
        const channel = channelOf(instance);
        const link = new PubSubLink({
          instance,
          handler,
          post: async (to, payload) => {
            await commands.publish(channelOf(to), payload);
          },
          onClose: async () => {
            links.delete(channel);
            await subscriber.unsubscribe(channel).catch(() => undefined);
          },
          report: (error) => report(error, `answering a request to ${describeTarget({ url })}`),
        });
        links.set(channel, link);
        await subscriber.subscribe(channel);
        return link;
      },
    },
    async close() {
      await Promise.all([commands.quit().catch(() => undefined), subscriber.quit().catch(() => undefined)]);
    },
  };
}
