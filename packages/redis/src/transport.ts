import {
  type MessageHandler,
  type OutgoingMessage,
  type Position,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportCapabilities,
} from '@eddy/core';
import {
  ClosedError,
  InvalidOptionError,
  partitionForKey,
  resolveSubscribeOptions,
  validatePublish,
} from '@eddy/core/internal';

import { appendBatch } from './append-script.js';
import { encodeEntry } from './codec.js';
import { connectRedis, describeTarget, type ConnectSettings } from './connection.js';
import type { Redis } from 'ioredis';
import { toEddyError } from './errors.js';
import { detectServer } from './server-info.js';
import { keySpace } from './keys.js';
import { createRedisAdmin, type RedisAdmin } from './admin.js';
import { resolveRedisOptions, type RedisTransportOptions } from './options.js';
import { RETENTION_FIELD } from './loss-watch.js';
import { startRedisSubscription } from './subscription.js';
import { startIdsOf } from './start-ids.js';
import { offsetOf } from './stream-ids.js';
import { createCountedGroup } from './trim-loss.js';

/** The Redis Streams transport: the `Transport` contract plus what only this backend has. */
export interface RedisTransport extends Transport {
  readonly name: 'redis';
  /**
   * The ioredis client the transport publishes and reads through, for what Eddy does not wrap.
   * Blocking commands on it stall the transport; use `native.duplicate()` for those.
   */
  readonly native: Redis;
  /** The server's persistence settings as detected on connect, e.g. `appendonly=yes appendfsync=always`. */
  readonly persistence: string;
  /** Topics, groups, message ranges and replay (what the gateway, dashboard and CLI use). */
  readonly admin: RedisAdmin;
}

/**
 * Connects to Redis and returns a transport on Redis Streams: one stream per topic partition,
 * consumer groups with `XREADGROUP`, acks with `XACK`, redelivery from the pending list.
 * Rejects with `ConnectionError` (unreachable) or `AuthError` (credentials refused) at once.
 */
export async function createRedisTransport(options: RedisTransportOptions = {}): Promise<RedisTransport> {
  const settings = resolveRedisOptions(options);
  const keys = keySpace(settings.prefix);
  const where = describeTarget(settings);
  const connectSettings = (connectionName: string, blocking: boolean): ConnectSettings => ({
    url: settings.url,
    redis: settings.redis,
    connectTimeoutMs: settings.connectTimeoutMs,
    reconnectMaxDelayMs: settings.reconnectMaxDelayMs,
    connectionName,
    blocking,
  });
  const redis = await connectRedis(connectSettings('eddy-transport', false));
  let server: Awaited<ReturnType<typeof detectServer>>;
  try {
    server = await detectServer(redis);
  } catch (error) {
    redis.disconnect();
    throw error;
  }

  const capabilities: TransportCapabilities = {
    durable: server.durable,
    orderingPerKey: true,
    consumerGroups: true,
    replay: true,
    replayFromTime: true,
    delayedDelivery: true,
    nackDelay: true,
    filtering: false,
    supersede: false,
    maxMessageBytes: settings.maxMessageBytes,
    leaseExtension: true,
  };
  // Redis 7 counts each group's reads (entries-read), which is what trimming losses are told by.
  const countsReads = Number(server.version.split('.')[0]) >= 7;
  const topics = new Map<string, Promise<void>>();
  /** Topics this transport has marked as trimmed (see RETENTION_FIELD). */
  const markedTrimmed = new Set<string>();
  const subscriptions = new Set<Subscription>();
  let roundRobin = 0;
  let closed: Promise<void> | undefined;

  const assertOpen = (): void => {
    if (closed !== undefined) throw new ClosedError('Redis transport');
  };

  /** Records the topic's partition count on first use and refuses a transport configured differently. */
  const ensureTopic = (topic: string): Promise<void> => {
    let known = topics.get(topic);
    if (known === undefined) {
      known = (async () => {
        const meta = keys.topicMeta(topic);
        const replies = await redis
          .multi()
          .hsetnx(meta, 'partitions', settings.partitions)
          .hget(meta, 'partitions')
          .exec();
        const recorded = Number(replies?.[1]?.[1]);
        if (recorded !== settings.partitions) {
          throw new InvalidOptionError(
            `Topic "${topic}" has ${recorded} partitions in Redis but this transport is configured with ${settings.partitions}. ` +
              `Use partitions: ${recorded} for this topic (or a new topic name).`,
          );
        }
      })();
      topics.set(topic, known);
      known.catch(() => topics.delete(topic));
    }
    return known;
  };

  /** `XGROUP CREATE ... MKSTREAM` on every partition; a group that exists keeps its position. */
  const ensureGroup = async (topic: string, group: string, ids: readonly string[]): Promise<void> => {
    if (countsReads) {
      await Promise.all(
        ids.map((id, partition) => createCountedGroup(redis, keys.stream(topic, partition), group, id)),
      );
      return;
    }
    const pipeline = redis.pipeline();
    ids.forEach((id, partition) =>
      pipeline.xgroup('CREATE', keys.stream(topic, partition), group, id, 'MKSTREAM'),
    );
    for (const [error] of (await pipeline.exec()) ?? []) {
      if (error !== null && !/BUSYGROUP/.test(error.message)) throw error;
    }
  };

  const trimArgs = (): (string | number)[] => {
    const { maxLen, minAgeMs } = settings.retention;
    if (maxLen !== undefined) return ['MAXLEN', '~', maxLen];
    if (minAgeMs !== undefined) return ['MINID', '~', `${Date.now() - minAgeMs}-0`];
    return [];
  };

  return {
    name: 'redis',
    capabilities,
    native: redis,
    persistence: server.description,
    admin: createRedisAdmin({ redis, keys, settings, where, countsReads, ensureTopic, assertOpen }),

    async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<Position[]> {
      assertOpen();
      validatePublish(topic, messages, capabilities);
      if (messages.length === 0) return [];
      try {
        await ensureTopic(topic);
        const trim = trimArgs();
        const { maxLen, minAgeMs } = settings.retention;
        const partitions = messages.map((message) =>
          message.key === undefined
            ? roundRobin++ % settings.partitions
            : partitionForKey(message.key, settings.partitions),
        );
        const streams = partitions.map((partition) => keys.stream(topic, partition));
        const trimsByAge = maxLen !== undefined && minAgeMs !== undefined;
        // Once per topic: subscribers check only topics marked so for messages trimmed unread.
        const mark = trim.length > 0 && !markedTrimmed.has(topic);
        if (!trimsByAge && !mark) {
          // The common case: one script call appends the whole batch (see append-script.ts).
          const ids = await appendBatch(redis, streams, messages, trim);
          return ids.map((id, i) => ({ partition: partitions[i]!, offset: offsetOf(id) }));
        }
        // MULTI: a batch is appended whole or not at all, even when it spans partitions.
        const multi = redis.multi();
        messages.forEach((message, i) => {
          multi.xadd(streams[i]!, ...trim, '*', ...encodeEntry(message));
        });
        if (trimsByAge) {
          for (const partition of new Set(partitions)) {
            multi.xtrim(keys.stream(topic, partition), 'MINID', '~', `${Date.now() - minAgeMs}-0`);
          }
        }
        if (mark) multi.hset(keys.topicMeta(topic), RETENTION_FIELD, JSON.stringify(settings.retention));
        const replies = (await multi.exec()) ?? [];
        if (mark) markedTrimmed.add(topic);
        return messages.map((_, i) => {
          const [error, id] = replies[i] ?? [new Error('no reply'), null];
          if (error !== null) throw error;
          return { partition: partitions[i]!, offset: offsetOf(String(id)) };
        });
      } catch (error) {
        throw toEddyError(error, `publishing ${messages.length} message(s) to "${topic}"`, where);
      }
    },

    async subscribe(
      topic: string,
      options: SubscribeOptions,
      handler: MessageHandler,
    ): Promise<Subscription> {
      assertOpen();
      const resolved = resolveSubscribeOptions(topic, options, capabilities);
      const ids = startIdsOf(topic, settings.partitions, resolved.from);
      try {
        await ensureTopic(topic);
        await ensureGroup(topic, resolved.group, ids);
        const subscription = await startRedisSubscription({
          topic,
          options: resolved,
          handler,
          redis,
          openBlockingConnection: () => connectRedis(connectSettings(`eddy-sub-${resolved.group}`, true)),
          keys,
          settings,
          where,
          countsReads,
          recreateGroup: () =>
            ensureGroup(
              topic,
              resolved.group,
              ids.map(() => '0'),
            ),
        });
        const tracked: Subscription = {
          extendLease: (message, ms) => subscription.extendLease(message, ms),
          async close() {
            subscriptions.delete(tracked);
            await subscription.close();
          },
        };
        subscriptions.add(tracked);
        return tracked;
      } catch (error) {
        throw toEddyError(error, `subscribing group "${resolved.group}" to "${topic}"`, where);
      }
    },

    close(): Promise<void> {
      closed ??= (async () => {
        await Promise.all([...subscriptions].map((subscription) => subscription.close()));
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closed;
    },
  };
}
