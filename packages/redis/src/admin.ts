import {
  type AdminTopicOptions,
  type GroupPartitionInfo,
  type GroupSummary,
  type PartitionInfo,
  type ReadRangeOptions,
  type StartPosition,
  type StoredMessageView,
  type TopicSummary,
  type TransportAdmin,
} from '@eddy/core';
import { assertGroupName, assertTopicName, InvalidOptionError, NotSupportedError } from '@eddy/core/internal';
import type { Redis } from 'ioredis';

import { streamBytes, streamGroups, streamInfos } from './admin-reads.js';
import { decodeEntry, entryName } from './codec.js';
import { toEddyError } from './errors.js';
import { resetGroupOnStream } from './group-reset.js';
import type { KeySpace } from './keys.js';
import { RETENTION_FIELD } from './loss-watch.js';
import type { RedisRetention, ResolvedRedisOptions } from './options.js';
import { startIdsOf } from './start-ids.js';
import { idAfter, streamIdOf, timeOf } from './stream-ids.js';

/**
 * Topics, groups, message ranges and replay on Redis Streams (`transport.admin`). Offsets are stream
 * ids. What each field means here, and what is an estimate, is in docs/adapters/redis.md ("Admin").
 */
export interface RedisAdmin extends TransportAdmin {
  /** Topics with a metadata hash under the transport's prefix (found with `SCAN`), by name. */
  listTopics(): Promise<TopicSummary[]>;
  /**
   * Per partition: `lag` is pending (delivered, not acknowledged) plus undelivered entries;
   * `position` is the lowest pending id, or when nothing is pending the id just after the group's
   * last-delivered id; `owner` the member holding the partition lease; `behindRetention` is true
   * when trimming removed entries the group had not read and that were not reported yet (Redis 7;
   * always false on Redis 6, which does not count reads).
   */
  listGroups(topic?: string): Promise<GroupSummary[]>;
  readMessages(topic: string, options: ReadRangeOptions): Promise<StoredMessageView[]>;
  /**
   * Records a topic's partition count as the first publish does. Retention is per transport on
   * Redis (applied on `XADD`): a limit other than the transport's is rejected with `NotSupportedError`.
   */
  createTopic(name: string, options?: AdminTopicOptions): Promise<void>;
  /**
   * Moves the group on every partition (`XGROUP SETID`) and acknowledges its pending entries, so
   * nothing from the old position is redelivered; a group that does not exist is created at `to`.
   * Members that stay subscribed give their partitions up and take them back from the new position
   * within a heartbeat; they learn of the reset through Redis, so a message they held may still start
   * before they look, and a handler running meanwhile finishes (its ack may settle the replayed copy).
   */
  resetGroup(topic: string, group: string, to: StartPosition): Promise<void>;
  /**
   * Destroys the group on every partition stream (`XGROUP DESTROY`: its pending entries go with it)
   * and removes Eddy's keys of the group (members, leases, delayed messages). False when no
   * partition had the group.
   */
  deleteGroup(topic: string, group: string): Promise<boolean>;
}

export interface RedisAdminContext {
  readonly redis: Redis;
  readonly keys: KeySpace;
  readonly settings: ResolvedRedisOptions;
  /** The server, as error messages name it. */
  readonly where: string;
  readonly countsReads: boolean;
  /** The transport's first-use path: records the partition count, refuses a different one. */
  readonly ensureTopic: (topic: string) => Promise<void>;
  readonly assertOpen: () => void;
}

/** Escapes `SCAN MATCH` glob characters in a literal. */
const globLiteral = (text: string): string => text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);

export function createRedisAdmin(context: RedisAdminContext): RedisAdmin {
  const { redis, keys, settings } = context;
  const metaPrefix = keys.topicMeta('');

  const guarded = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    context.assertOpen();
    try {
      return await work();
    } catch (error) {
      throw toEddyError(error, doing, context.where);
    }
  };

  const topicNames = async (): Promise<string[]> => {
    const names = new Set<string>();
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${globLiteral(metaPrefix)}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of found) {
        const name = key.slice(metaPrefix.length);
        if (name !== '' && !name.includes(':')) names.add(name);
      }
    } while (cursor !== '0');
    return [...names].sort();
  };

  /** The topic's partition count, undefined when Eddy has no record of it. */
  const partitionsOf = async (topic: string): Promise<number | undefined> => {
    const recorded = await redis.hget(keys.topicMeta(topic), 'partitions');
    return recorded === null ? undefined : Number(recorded);
  };

  const requireTopic = async (topic: string): Promise<number> => {
    assertTopicName(topic);
    const partitions = await partitionsOf(topic);
    if (partitions === undefined) {
      throw new InvalidOptionError(`Topic "${topic}" does not exist. Publish to it or create it first.`);
    }
    return partitions;
  };

  const streamsOf = (topic: string, partitions: number): string[] =>
    Array.from({ length: partitions }, (_, partition) => keys.stream(topic, partition));

  const summarize = async (topic: string): Promise<TopicSummary | undefined> => {
    const [recorded, marker] = await redis.hmget(keys.topicMeta(topic), 'partitions', RETENTION_FIELD);
    if (recorded === null || recorded === undefined) return undefined; // deleted since the scan
    const partitions = Number(recorded);
    const streams = streamsOf(topic, partitions);
    const [infos, bytes] = await Promise.all([streamInfos(redis, streams), streamBytes(redis, streams)]);
    const partitionInfo: PartitionInfo[] = infos.map((info, partition) => ({
      partition,
      // Empty: any entry written next gets an id after the last one generated.
      firstOffset: info.firstId ?? idAfter(info.lastGeneratedId ?? '0-0'),
      lastOffset: info.lastId,
      messages: info.length,
      bytes: bytes[partition] ?? 0,
    }));
    // The marker holds the retention of the publisher that trims the topic; else this transport's.
    const retention =
      marker === null || marker === undefined ? settings.retention : (JSON.parse(marker) as RedisRetention);
    return {
      name: topic,
      partitions,
      messages: partitionInfo.reduce((sum, p) => sum + p.messages, 0),
      bytes: partitionInfo.reduce((sum, p) => sum + p.bytes, 0),
      retentionMs: retention.minAgeMs,
      retentionMessages: retention.maxLen,
      retentionBytes: undefined,
      partitionInfo,
    };
  };

  const groupsOf = async (topic: string, partitions: number): Promise<GroupSummary[]> => {
    const perPartition = await streamGroups(redis, streamsOf(topic, partitions));
    const names = [...new Set(perPartition.flatMap((p) => p.groups.map((g) => g.name)))].sort();
    if (names.length === 0) return [];
    const now = Date.now();
    const pipeline = redis.pipeline();
    for (const group of names) {
      pipeline.zcount(keys.members(topic, group), now, '+inf');
      for (let partition = 0; partition < partitions; partition++) {
        pipeline.get(keys.lease(topic, group, partition));
        pipeline.hget(keys.trimLoss(topic, group, partition), 'lost');
      }
    }
    const replies = ((await pipeline.exec()) ?? []).map(([error, value]) => {
      if (error !== null) throw error;
      return value as string | number | null;
    });
    let next = 0;
    return names.map((group) => {
      const members = Number(replies[next++] ?? 0);
      const infos: GroupPartitionInfo[] = perPartition.map(({ length, groups }, partition) => {
        const owner = replies[next++];
        const reported = Number(replies[next++] ?? 0);
        const info = groups.find((g) => g.name === group);
        // Created on every partition together; missing only if a stream was deleted since.
        if (info === undefined) {
          return { partition, position: '0-0', lag: length, owner: undefined, behindRetention: false };
        }
        return {
          partition,
          position: info.lowestPendingId ?? idAfter(info.lastDeliveredId),
          lag: info.pending + info.undelivered,
          owner: typeof owner === 'string' ? owner : undefined,
          behindRetention: info.trimmedUnread !== undefined && info.trimmedUnread > reported,
        };
      });
      return {
        topic,
        group,
        lag: infos.reduce((sum, p) => sum + p.lag, 0),
        members,
        partitions: infos,
      };
    });
  };

  /** A per-topic retention limit is accepted only where it is what the transport applies anyway. */
  const checkRetention = (name: string, options: AdminTopicOptions): void => {
    const limits: [keyof AdminTopicOptions, number | undefined, string][] = [
      ['retentionMs', settings.retention.minAgeMs, 'minAgeMs'],
      ['retentionMessages', settings.retention.maxLen, 'maxLen'],
      ['retentionBytes', undefined, ''],
    ];
    for (const [option, applied, redisOption] of limits) {
      const value = options[option];
      if (value === undefined) continue;
      if (!Number.isInteger(value) || value < 0) {
        throw new InvalidOptionError(
          `createTopic("${name}"): ${option} must be a non-negative integer, got ${value}.`,
        );
      }
      if (value === 0 || value === applied) continue;
      throw new NotSupportedError(
        option === 'retentionBytes'
          ? `createTopic("${name}"): Redis streams cannot be trimmed by size; drop retentionBytes and limit entries (retention.maxLen) or age (retention.minAgeMs) on createRedisTransport.`
          : `createTopic("${name}"): retention on Redis is per transport (applied on XADD), not per topic. Set retention: { ${redisOption}: ${value} } on createRedisTransport instead of ${option}.`,
      );
    }
  };

  /** Tells members to look at the group now: generation bump, then their blocking reads interrupted. */
  const nudgeMembers = async (topic: string, group: string): Promise<void> => {
    const generation = keys.generation(topic, group);
    await redis
      .multi()
      .incr(generation)
      .pexpire(generation, settings.sessionTimeoutMs * 6)
      .exec();
    const clients = await redis.hvals(keys.clients(topic, group));
    // Without CLIENT rights (managed Redis) members notice on their next heartbeat instead.
    await Promise.all(clients.map((clientId) => redis.client('UNBLOCK', clientId).catch(() => 0)));
  };

  return {
    listTopics: () =>
      guarded('listing topics', async () => {
        const summaries = await Promise.all((await topicNames()).map(summarize));
        return summaries.filter((summary): summary is TopicSummary => summary !== undefined);
      }),

    listGroups: (topic) =>
      guarded(`listing the groups${topic === undefined ? '' : ` of "${topic}"`}`, async () => {
        const names = topic === undefined ? await topicNames() : [topic];
        const all = await Promise.all(
          names.map(async (name) => {
            const partitions = await partitionsOf(name);
            return partitions === undefined ? [] : groupsOf(name, partitions);
          }),
        );
        return all.flat();
      }),

    readMessages: (topic, options) =>
      guarded(`reading messages of "${topic}"`, async () => {
        const partitions = await requireTopic(topic);
        const { partition } = options;
        if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
          throw new InvalidOptionError(
            `Topic "${topic}" has partitions 0..${partitions - 1}, got ${partition}.`,
          );
        }
        const limit = options.limit ?? 100;
        if (!Number.isInteger(limit) || limit < 1)
          throw new InvalidOptionError(`limit must be a positive integer, got ${limit}.`);
        const from = options.fromOffset === undefined ? '-' : streamIdOf(String(options.fromOffset));
        const stream = keys.stream(topic, partition);
        const rows = (await redis.callBuffer('XRANGE', stream, from, '+', 'COUNT', limit)) as [
          Buffer,
          Buffer[],
        ][];
        return rows.map(([rawId, fields]) => {
          const id = rawId.toString();
          const decoded = decodeEntry(fields, entryName, stream, id);
          return {
            topic,
            partition,
            offset: id,
            key: decoded.key,
            headers: decoded.headers,
            payload: decoded.payload,
            publishedAt: timeOf(id),
            deliverAt: decoded.deliverAt,
          };
        });
      }),

    createTopic: (name, options = {}) =>
      guarded(`creating topic "${name}"`, async () => {
        assertTopicName(name);
        checkRetention(name, options);
        const wanted = options.partitions;
        if (wanted !== undefined && (!Number.isInteger(wanted) || wanted < 1)) {
          throw new InvalidOptionError(
            `createTopic("${name}"): partitions must be a positive integer, got ${wanted}.`,
          );
        }
        const recorded = await partitionsOf(name);
        if (recorded !== undefined) {
          if (wanted !== undefined && wanted !== recorded) {
            throw new NotSupportedError(
              `Topic "${name}" already has ${recorded} partitions; the count cannot change because keys would move. Create a new topic instead.`,
            );
          }
          return;
        }
        if (wanted !== undefined && wanted !== settings.partitions) {
          throw new InvalidOptionError(
            `createTopic("${name}"): every topic of this Redis transport has ${settings.partitions} partitions. ` +
              `Create the transport with partitions: ${wanted} to make topics of ${wanted}.`,
          );
        }
        await context.ensureTopic(name);
      }),

    resetGroup: (topic, group, to) =>
      guarded(`resetting group "${group}" of "${topic}"`, async () => {
        const partitions = await requireTopic(topic);
        assertGroupName(group);
        const ids = startIdsOf(topic, partitions, to);
        await Promise.all(
          ids.map((id, partition) =>
            resetGroupOnStream(
              redis,
              {
                stream: keys.stream(topic, partition),
                delayed: keys.delayed(topic, group, partition),
                trimLoss: keys.trimLoss(topic, group, partition),
                lease: keys.lease(topic, group, partition),
              },
              group,
              id,
              context.countsReads,
            ),
          ),
        );
        await nudgeMembers(topic, group);
      }),

    deleteGroup: (topic, group) =>
      guarded(`deleting group "${group}" of "${topic}"`, async () => {
        const partitions = await requireTopic(topic);
        assertGroupName(group);
        const streams = streamsOf(topic, partitions);
        const destroyed = await Promise.all(
          streams.map(async (stream) =>
            Number(await redis.call('XGROUP', 'DESTROY', stream, group).catch(() => 0)),
          ),
        );
        const groupKeys = [
          keys.members(topic, group),
          keys.clients(topic, group),
          keys.generation(topic, group),
          ...streams.flatMap((_stream, partition) => [
            keys.lease(topic, group, partition),
            keys.delayed(topic, group, partition),
            keys.trimLoss(topic, group, partition),
          ]),
        ];
        await redis.del(...groupKeys);
        return destroyed.some((count) => count > 0);
      }),
  };
}
