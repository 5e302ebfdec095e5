import {
  type BatchMessageHandler,
  type BatchSubscribeOptions,
  type MessageHandler,
  type OutgoingMessage,
  type Position,
  type PublishDedupeView,
  type StartPosition,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportCapabilities,
} from '@eddy/core';
import {
  ClosedError,
  DedupeCounters,
  InvalidOptionError,
  partitionForKey,
  resolveMaxBatchSize,
  resolveSubscribeOptions,
  type BatchTarget,
  validatePublish,
} from '@eddy/core/internal';
import type pg from 'pg';
import { createAdmin, type PostgresAdmin } from './admin.js';
import { encodeMessages, encodeSkipCondition } from './codec.js';
import { listDedupeKeys, publishDeduped } from './dedupe.js';
import { listenClient, openPool } from './connection.js';
import { toEddyError } from './errors.js';
import { channelFor, migrate, quoteIdent } from './migration.js';
import { NotifyListener } from './notify-listener.js';
import { resolvePostgresOptions, type PostgresTransportOptions } from './options.js';
import { hasRetention, Retention } from './retention.js';
import { PostgresSubscription } from './subscription.js';

/** The PostgreSQL transport, with the pool it runs on (shared with the application if it passed one). */
export interface PostgresTransport extends Transport {
  readonly pool: pg.Pool;
  /** The pg pool, for what Eddy does not wrap (the same object as `pool`). */
  readonly native: pg.Pool;
  /** Schema holding the log, groups and claims. */
  readonly schema: string;
  /**
   * Applies the retention limits now (waiting for a pass another process is running), whatever
   * `retentionIntervalMs` says; resolves with the number of messages removed.
   */
  applyRetention(): Promise<number>;
  /** Topics, groups, message ranges and group resets, for the gateway, the dashboard and the CLI. */
  readonly admin: PostgresAdmin;
  /** Publish-dedupe decisions of this transport and the live keys in the database. */
  readonly dedupe: PublishDedupeView;
  /** Offered: the rows of one claim reach one call of `handler` (see `Transport.subscribeBatch`). */
  subscribeBatch(
    topic: string,
    options: BatchSubscribeOptions,
    handler: BatchMessageHandler,
  ): Promise<Subscription>;
}

const OFFSET_PATTERN = /^\d{1,18}$/;

/**
 * A durable transport on PostgreSQL: a partitioned log table, per-group cursors and a claims table
 * with leases, claimed with FOR UPDATE SKIP LOCKED and woken by LISTEN/NOTIFY. Connects and runs the
 * idempotent migration before resolving, so a wrong URL or credentials fail here with
 * `EDDY_CONNECTION_FAILED` or `EDDY_AUTH_FAILED`.
 */
export async function createPostgresTransport(options: PostgresTransportOptions): Promise<PostgresTransport> {
  const resolved = resolvePostgresOptions(options);
  const connection = openPool(resolved, 'createPostgresTransport', {
    applicationName: resolved.applicationName,
    max: resolved.poolSize,
    connectTimeoutMs: resolved.connectTimeoutMs,
    onIdleError: (error) => report(error, 'holding an idle connection'),
  });
  const { pool, where } = connection;
  const report = (error: unknown, doing: string): void => resolved.onError(toEddyError(error, doing, where));

  const schema = quoteIdent(resolved.schema);
  const subscribersByTopic = new Map<string, Set<PostgresSubscription>>();
  const wakeAll = (): void => {
    for (const set of subscribersByTopic.values()) for (const subscriber of set) subscriber.wake();
  };
  const listener = new NotifyListener({
    createClient: () =>
      listenClient(pool, {
        application_name: resolved.applicationName,
        connectionTimeoutMillis: resolved.connectTimeoutMs,
      }),
    channel: channelFor(resolved.schema),
    onNotify: (topic) => {
      for (const subscriber of subscribersByTopic.get(topic) ?? []) subscriber.wake();
    },
    onReconnect: wakeAll,
    reconnectDelayMs: resolved.reconnectDelayMs,
    maxReconnectDelayMs: resolved.maxReconnectDelayMs,
    report,
  });

  try {
    await migrate(pool, resolved.schema);
    await listener.start();
  } catch (error) {
    await listener.close();
    await connection.close();
    throw toEddyError(error, 'connecting', where);
  }

  const capabilities: TransportCapabilities = {
    durable: true,
    orderingPerKey: true,
    consumerGroups: true,
    replay: true,
    replayFromTime: true,
    delayedDelivery: true,
    nackDelay: true,
    filtering: true,
    supersede: true,
    maxMessageBytes: resolved.maxMessageBytes,
    leaseExtension: true,
    publishDedupe: true,
  };
  const retention = new Retention({
    pool,
    schemaName: resolved.schema,
    schema,
    retention: resolved.retention,
    topics: resolved.topics,
    onLost: (error) => resolved.onError(error),
  });
  let retentionTimer: NodeJS.Timeout | undefined;
  if (resolved.retentionIntervalMs > 0 && hasRetention(resolved)) {
    retentionTimer = setInterval(() => {
      retention.run({ wait: false }).catch((error: unknown) => report(error, 'applying retention'));
    }, resolved.retentionIntervalMs);
    retentionTimer.unref();
  }
  const topicPartitions = new Map<string, Promise<number>>();
  const subscriptions = new Set<Subscription>();
  // Members subscribed through this instance, by topic and group: the admin counts them even when idle.
  const localMembers = new Map<string, number>();
  const memberKey = (topic: string, group: string): string => `${topic}\u0000${group}`;
  let roundRobin = 0;
  let closing: Promise<void> | undefined;

  const query = async <R extends pg.QueryResultRow>(
    text: string,
    values: unknown[],
    doing: string,
  ): Promise<pg.QueryResult<R>> => {
    try {
      return await pool.query<R>(text, values);
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
  };

  const partitionsOf = (topic: string): Promise<number> => {
    let known = topicPartitions.get(topic);
    if (known === undefined) {
      known = query<{ partitions: number }>(
        `SELECT ${schema}.ensure_topic($1, $2) AS partitions`,
        [topic, resolved.partitions],
        `creating topic "${topic}"`,
      ).then((result) => result.rows[0]?.partitions ?? resolved.partitions);
      topicPartitions.set(topic, known);
      known.catch(() => topicPartitions.delete(topic));
    }
    return known;
  };

  const assertOpen = (): void => {
    if (closing !== undefined) throw new ClosedError('This PostgreSQL transport');
  };

  const dedupeCounters = new DedupeCounters();
  const dedupe: PublishDedupeView = {
    decisions: () => dedupeCounters.snapshot(),
    keys: async (topic, limit) => {
      assertOpen();
      return listDedupeKeys(pool, schema, topic, limit);
    },
  };

  async function publish(topic: string, messages: readonly OutgoingMessage[]): Promise<Position[]> {
    assertOpen();
    validatePublish(topic, messages, capabilities);
    if (messages.length === 0) return [];
    const partitions = await partitionsOf(topic);
    // Keyless messages of one call share a partition (rotating per call): one lock, one index page.
    const spread = roundRobin++ % partitions;
    if (messages.some((message) => message.dedupe !== undefined)) {
      try {
        return await publishDeduped(
          {
            pool,
            schema,
            counters: dedupeCounters,
            partitionOf: (message) =>
              message.key === undefined ? spread : partitionForKey(message.key, partitions),
          },
          topic,
          messages,
        );
      } catch (error) {
        throw toEddyError(error, `publishing to topic "${topic}"`, where);
      }
    }
    const targets = messages.map((message) =>
      message.key === undefined ? spread : partitionForKey(message.key, partitions),
    );
    const counts = new Map<number, number>();
    const seqs = targets.map((partition) => {
      const seq = counts.get(partition) ?? 0;
      counts.set(partition, seq + 1);
      return seq;
    });
    const result = await query<{ out_partition: number; out_base: string }>(
      `SELECT out_partition, out_base FROM ${schema}.publish($1, $2, $3, $4, $5, $6, $7)`,
      [topic, targets, seqs, ...encodeMessages(messages)],
      `publishing to topic "${topic}"`,
    );
    const bases = new Map(result.rows.map((row) => [row.out_partition, BigInt(row.out_base)]));
    return targets.map((partition, i) => ({
      partition,
      offset: String((bases.get(partition) ?? 0n) + BigInt(seqs[i]!)),
    }));
  }

  async function createGroup(topic: string, group: string, from: StartPosition): Promise<void> {
    const insert = `INSERT INTO ${schema}.group_partitions (group_name, topic, partition, next_offset)`;
    const tail = `FROM ${schema}.partitions p WHERE p.topic = $2 ON CONFLICT DO NOTHING`;
    const doing = `creating group "${group}" on topic "${topic}"`;
    if (from === 'earliest') {
      // The oldest retained message: a new group has lost nothing to retention.
      await query(
        `${insert} SELECT $1, $2, p.partition, coalesce((SELECT min(m.log_offset) FROM ${schema}.messages m
           WHERE m.topic = p.topic AND m.partition = p.partition), p.next_offset) ${tail}`,
        [group, topic],
        doing,
      );
    } else if (from === 'latest') {
      await query(`${insert} SELECT $1, $2, p.partition, p.next_offset ${tail}`, [group, topic], doing);
    } else if ('time' in from) {
      await query(
        `${insert} SELECT $1, $2, p.partition, ${schema}.offset_at_time($2, p.partition, $3) ${tail}`,
        [group, topic, Math.floor(from.time)],
        doing,
      );
    } else {
      await query(
        `${insert} SELECT $1, $2, p.partition, coalesce((SELECT max(x.off) FROM unnest($3::integer[], $4::bigint[])
           AS x (part, off) WHERE x.part = p.partition), 0) ${tail}`,
        [
          group,
          topic,
          from.positions.map((position) => position.partition),
          from.positions.map((position) => position.offset),
        ],
        doing,
      );
    }
  }

  function checkStart(from: StartPosition, partitions: number): void {
    if (typeof from !== 'object' || !('positions' in from)) return;
    for (const position of from.positions) {
      if (
        !Number.isInteger(position.partition) ||
        position.partition < 0 ||
        position.partition >= partitions
      ) {
        throw new InvalidOptionError(
          `Start position partition ${position.partition} does not exist: the topic has partitions 0..${partitions - 1}.`,
        );
      }
      if (typeof position.offset !== 'string' || !OFFSET_PATTERN.test(position.offset)) {
        throw new InvalidOptionError(
          `Start position offset "${String(position.offset)}" is not a PostgreSQL transport offset; use one returned by publish().`,
        );
      }
    }
  }

  // `subscribe` and `subscribeBatch`: a batch member differs only in how it calls its handler.
  async function join(
    topic: string,
    options: SubscribeOptions | BatchSubscribeOptions,
    handler: MessageHandler | BatchMessageHandler,
    batched?: true,
  ): Promise<Subscription> {
    assertOpen();
    const settings = resolveSubscribeOptions(topic, options, capabilities);
    const target: MessageHandler | BatchTarget =
      batched === true
        ? {
            handler: handler as BatchMessageHandler,
            maxBatchSize: resolveMaxBatchSize(options, settings.maxInFlight),
          }
        : (handler as MessageHandler);
    const partitions = await partitionsOf(topic);
    checkStart(settings.from, partitions);
    await createGroup(topic, settings.group, settings.from);
    assertOpen();
    const subscriber = new PostgresSubscription(
      {
        pool,
        schema,
        pollIntervalMs: resolved.pollIntervalMs,
        reconnectDelayMs: resolved.reconnectDelayMs,
        maxReconnectDelayMs: resolved.maxReconnectDelayMs,
        skipCondition: encodeSkipCondition(options.filter),
        report,
      },
      topic,
      settings,
      target,
      partitions,
    );
    let set = subscribersByTopic.get(topic);
    if (set === undefined) {
      set = new Set();
      subscribersByTopic.set(topic, set);
    }
    set.add(subscriber);
    const member = memberKey(topic, settings.group);
    localMembers.set(member, (localMembers.get(member) ?? 0) + 1);
    subscriber.start();
    let closed: Promise<void> | undefined;
    const subscription: Subscription = {
      extendLease: (message, ms) => subscriber.extendLease(message, ms),
      close: () => {
        closed ??= subscriber.close().finally(() => {
          subscribersByTopic.get(topic)?.delete(subscriber);
          const left = (localMembers.get(member) ?? 1) - 1;
          if (left > 0) localMembers.set(member, left);
          else localMembers.delete(member);
          subscriptions.delete(subscription);
        });
        return closed;
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  function subscribe(
    topic: string,
    options: SubscribeOptions,
    handler: MessageHandler,
  ): Promise<Subscription> {
    return join(topic, options, handler);
  }

  function subscribeBatch(
    topic: string,
    options: BatchSubscribeOptions,
    handler: BatchMessageHandler,
  ): Promise<Subscription> {
    return join(topic, options, handler, true);
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      clearInterval(retentionTimer);
      await retention.stop();
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      await listener.close();
      await connection.close();
    })();
    return closing;
  }

  async function applyRetention(): Promise<number> {
    assertOpen();
    try {
      return await retention.run({ wait: true });
    } catch (error) {
      throw toEddyError(error, 'applying retention', where);
    }
  }

  const admin = createAdmin({
    pool,
    schema,
    channel: channelFor(resolved.schema),
    defaultPartitions: resolved.partitions,
    retention: resolved.retention,
    topics: resolved.topics,
    query,
    toError: (error, doing) => toEddyError(error, doing, where),
    assertOpen,
    localMembers: (topic, group) => localMembers.get(memberKey(topic, group)) ?? 0,
    checkStart,
    createGroup,
    applyRetention,
  });

  return {
    name: 'postgres',
    capabilities,
    pool,
    native: pool,
    dedupe,
    schema: resolved.schema,
    publish,
    subscribe,
    subscribeBatch,
    applyRetention,
    admin,
    close,
  };
}
