import {
  type BatchMessageHandler,
  type BatchSubscribeOptions,
  type MessageHandler,
  type OutgoingMessage,
  type Position,
  type PublishDedupe,
  type PublishDedupeView,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportCapabilities,
} from '@eddy/core';
import {
  ClosedError,
  DedupeCounters,
  dedupeKeysLimit,
  messageSizeBytes,
  resolveMaxBatchSize,
  resolveSubscribeOptions,
  validatePublish,
  type DedupeDecision,
} from '@eddy/core/internal';
import { formatOffset } from './offsets.js';
import { createAdmin, type SqliteAdmin } from './admin.js';
import { CheckpointThreshold } from './checkpoint-threshold.js';
import { Checkpointer } from './checkpointer.js';
import { describeTarget, openLogDatabase, type SqliteDatabase } from './connection.js';
import { toEddyError } from './errors.js';
import { GroupCommit } from './group-commit.js';
import { GroupStore } from './group-store.js';
import { bytesOf, LogStore, type AppendRequest, type TopicInfo } from './log-store.js';
import {
  appendedPartitions,
  joinFile,
  notifyAppended,
  notifyGroupChanged,
  watchWrites,
  type NotifierListener,
} from './notifier.js';
import { resolveSqliteOptions, type SqliteTransportOptions } from './options.js';
import { Retention } from './retention.js';
import { SqliteSubscription } from './subscription.js';
import { WalSync } from './wal-sync.js';
import { WokenOffsets } from './woken-offsets.js';

const CHECKPOINT_INTERVAL_MS = 100;

/** The SQLite transport: a `Transport` plus the admin reads and actions of the log. */
export interface SqliteTransport extends Transport {
  readonly admin: SqliteAdmin;
  /**
   * The better-sqlite3 connection the log is written through, for what Eddy does not wrap (a
   * query, a pragma). Writing to Eddy's own tables behind its back voids its guarantees.
   */
  readonly native: SqliteDatabase;
  /** Publish-dedupe decisions of this transport and the live keys in the file. */
  readonly dedupe: PublishDedupeView;
  /** Offered: what one fetch or settle makes ready reaches one call of `handler` (see `Transport.subscribeBatch`). */
  subscribeBatch(
    topic: string,
    options: BatchSubscribeOptions,
    handler: BatchMessageHandler,
  ): Promise<Subscription>;
}

interface DedupeKeyRow {
  dedupe_key: string;
  partition: number;
  log_offset: number;
  first_at: number;
  expires_at: number;
  deliver_at: number | null;
}

/**
 * Opens (creating if needed) an Eddy log in a SQLite file. Several transports, in one process or
 * in several, may share the file; see docs/adapters/sqlite.md for the guarantees.
 */
export function createSqliteTransport(input: SqliteTransportOptions): SqliteTransport {
  const options = resolveSqliteOptions(input);
  const where = describeTarget(options.path);
  const db = openLogDatabase(options);
  // Group state (acks, leases) and retention use a second connection that commits without fsync:
  // losing the last of those commits to a power cut only means redelivery, never loss, and the
  // frequent ack commits then cost no disk flush. Publishes keep the configured mode.
  const stateDb = options.path === ':memory:' ? db : openLogDatabase(options, 'normal');
  const checkpointer =
    options.path === ':memory:'
      ? undefined
      : new Checkpointer({
          path: options.path,
          busyTimeoutMs: options.busyTimeoutMs,
          intervalMs: CHECKPOINT_INTERVAL_MS,
          onError: (error) => options.onError(toEddyError(error, 'checkpointing the write-ahead log', where)),
        });
  const log = new LogStore(db);
  const groups = new GroupStore(stateDb);
  const retention = new Retention(stateDb);
  const capabilities: TransportCapabilities = {
    durable: options.path !== ':memory:',
    orderingPerKey: true,
    consumerGroups: true,
    replay: true,
    replayFromTime: true,
    delayedDelivery: true,
    nackDelay: true,
    filtering: true,
    supersede: true,
    maxMessageBytes: options.maxMessageBytes,
    leaseExtension: true,
    publishDedupe: true,
  };
  const byTopic = new Map<number, Set<SqliteSubscription>>();
  const subscriptions = new Set<SqliteSubscription>();
  let closed: Promise<void> | undefined;

  const woken = new WokenOffsets();
  const listener: NotifierListener = {
    appended(appended) {
      woken.record(appended);
      for (const [topicId, partitions] of appended)
        for (const subscription of byTopic.get(topicId) ?? []) subscription.wake(partitions.keys());
    },
    groupChanged(groupId) {
      for (const subscription of subscriptions)
        if (subscription.groupId === groupId) subscription.scheduleTick();
    },
  };
  const leaveFile = joinFile(options.path, listener);

  // With `synchronous: 'full'`, publish batches commit without the fsync and flush the WAL on the
  // thread pool before resolving: as durable, but the event loop serves requests during the flush
  // (which costs milliseconds) and the batches committed meanwhile share the next one. Every other
  // write of this connection keeps FULL.
  const walSync =
    options.synchronous === 'full' && options.path !== ':memory:' && options.path !== ''
      ? new WalSync(options.path)
      : undefined;
  // `exec`, not prepared statements: SQLite applies `PRAGMA synchronous = …` when the statement is
  // prepared, not when it runs, so a prepared FULL left the connection at FULL whatever the mode.
  const setSynchronous = (mode: 'NORMAL' | 'FULL'): void => void db.exec(`PRAGMA synchronous = ${mode}`);
  const appendBatch = db.transaction((requests: readonly AppendRequest[]) =>
    log.appendAll(requests, Date.now()),
  );
  const checkpointThreshold =
    walSync === undefined
      ? undefined
      : new CheckpointThreshold((pages) => void db.pragma(`wal_autocheckpoint = ${pages}`));
  const writer = new GroupCommit({
    windowMs: options.groupCommitWindowMs,
    maxBatchMessages: options.maxBatchMessages,
    where,
    commit: (requests) => {
      if (walSync === undefined) return appendBatch.immediate(requests);
      setSynchronous('NORMAL');
      let positions: Position[][];
      try {
        positions = appendBatch.immediate(requests);
      } finally {
        setSynchronous('FULL');
      }
      checkpointThreshold?.committed(bytesOf(requests));
      return positions;
    },
    sync: walSync === undefined ? undefined : () => walSync.sync(),
    afterCommit: (requests, results) =>
      notifyAppended(
        options.path,
        listener,
        appendedPartitions(
          requests.map((request) => request.topic.id),
          results,
        ),
      ),
  });

  // Other processes' commits are invisible to in-process notification; data_version changes
  // whenever another connection commits, so polling it is a cheap, bounded wake-up. It also
  // changes on this transport's own ack commits (a second connection), so only the topics that
  // got new batches are woken: an urgent publish wakes its lane, not every lane's partitions. And
  // only for batches past those this process has woken its subscriptions for already (its own
  // commits, see `WokenOffsets`).
  // Prepared once: subscriptions also run this check between deliveries (see `checkCommits`).
  const dataVersionOf = db.prepare<[], number>('PRAGMA data_version').pluck();
  let dataVersion = dataVersionOf.get();
  let lastBatch = log.appendedSince(Number.MAX_SAFE_INTEGER).last;
  const checkVersion = (): void => {
    if (closed !== undefined) return;
    try {
      const version = dataVersionOf.get();
      if (version === dataVersion) return;
      dataVersion = version;
      const appended = log.appendedSince(lastBatch);
      if (appended.last < lastBatch) {
        for (const subscription of subscriptions) subscription.wake();
      } else {
        const unseen = woken.unseen(appended.appended);
        if (unseen.size > 0) listener.appended(unseen);
      }
      lastBatch = appended.last;
    } catch (error) {
      options.onError(toEddyError(error, 'checking for commits of other processes', where));
    }
  };
  const poll = setInterval(checkVersion, options.pollIntervalMs);
  poll.unref();
  // Wakes on another process's commit within a turn of the event loop, not up to a poll later.
  const unwatch = watchWrites(options.path, checkVersion);

  const retentionTimer = setInterval(() => {
    retention
      .run()
      .catch((error: unknown) => options.onError(toEddyError(error, 'applying retention', where)));
  }, options.retentionIntervalMs);
  retentionTimer.unref();

  const topicFor = (name: string) =>
    log.ensure(name, options.topics[name] ?? {}, options.partitions, options.retention);
  const groupChanged = (groupId: number) => notifyGroupChanged(options.path, listener, groupId);

  // Dedupe reads and writes the key's record with the append: its own transaction, off the group
  // commit, after what is queued there (a replaced message must be in the log first).
  const publishDeduped = async (request: AppendRequest): Promise<Position[]> => {
    await writer.drained();
    const decided: [PublishDedupe, DedupeDecision][] = [];
    const positions = db
      .transaction(() => {
        decided.length = 0;
        return log.appendDeduped(request, Date.now(), (dedupe, decision) => decided.push([dedupe, decision]));
      })
      .immediate();
    for (const [dedupe, decision] of decided) dedupeCounters.count(request.topic.name, dedupe, decision);
    notifyAppended(options.path, listener, appendedPartitions([request.topic.id], [positions]));
    return positions;
  };

  const dedupeCounters = new DedupeCounters();
  const dedupeKeysStmt = db.prepare<[string, number, number], DedupeKeyRow>(
    `SELECT d.dedupe_key, d.partition, d.log_offset, d.first_at, d.expires_at, d.deliver_at
     FROM eddy_publish_dedupe d JOIN eddy_topics t USING (topic_id)
     WHERE t.name = ? AND d.expires_at > ?
     ORDER BY COALESCE(d.deliver_at, d.expires_at), d.dedupe_key LIMIT ?`,
  );
  const dedupe: PublishDedupeView = {
    decisions: () => dedupeCounters.snapshot(),
    keys: (topic, limit) =>
      dedupeKeysStmt.all(topic, Date.now(), dedupeKeysLimit(limit)).map((row) => ({
        key: row.dedupe_key,
        partition: row.partition,
        offset: formatOffset(row.log_offset),
        firstAt: row.first_at,
        dueAt: row.deliver_at ?? undefined,
        expiresAt: row.expires_at,
      })),
  };

  const admin = createAdmin({
    db,
    log,
    groups,
    retention,
    defaultPartitions: options.partitions,
    groupChanged,
  });

  // `subscribe` and `subscribeBatch`: a batch member differs only in how it calls its handler.
  async function join(
    topic: string,
    subscribeOptions: SubscribeOptions | BatchSubscribeOptions,
    handler: MessageHandler | BatchMessageHandler,
    batched?: true,
  ): Promise<Subscription> {
    if (closed !== undefined) throw new ClosedError('This SQLite transport');
    const resolved = resolveSubscribeOptions(topic, subscribeOptions, capabilities);
    const target =
      batched === true
        ? {
            handler: handler as BatchMessageHandler,
            maxBatchSize: resolveMaxBatchSize(subscribeOptions, resolved.maxInFlight),
          }
        : (handler as MessageHandler);
    let info: TopicInfo;
    let groupId: number;
    try {
      info = topicFor(topic);
      groupId = groups.ensure(info, resolved.group, resolved.from);
    } catch (error) {
      throw toEddyError(error, `subscribing group "${resolved.group}" to "${topic}"`, where);
    }
    const subscription = new SqliteSubscription(
      {
        log,
        groups,
        options,
        where,
        groupChanged,
        checkCommits: checkVersion,
        onClosed: (closedSubscription) => {
          subscriptions.delete(closedSubscription);
          byTopic.get(info.id)?.delete(closedSubscription);
        },
      },
      info,
      groupId,
      resolved,
      target,
    );
    subscriptions.add(subscription);
    let set = byTopic.get(info.id);
    if (set === undefined) {
      set = new Set();
      byTopic.set(info.id, set);
    }
    set.add(subscription);
    subscription.start();
    groupChanged(groupId);
    return Promise.resolve(subscription);
  }

  return {
    name: 'sqlite',
    capabilities,
    admin,
    native: db,
    dedupe,

    // Not async: one promise per publish instead of two, which shows at a thousand concurrent publishes.
    publish(topic: string, messages: readonly OutgoingMessage[]): Promise<Position[]> {
      try {
        if (closed !== undefined) throw new ClosedError('This SQLite transport');
        validatePublish(topic, messages, capabilities);
        if (messages.length === 0) return Promise.resolve([]);
        const info = topicFor(topic);
        const request = { topic: info, messages, sizes: messages.map(messageSizeBytes) };
        if (messages.some((message) => message.dedupe !== undefined)) return publishDeduped(request);
        return writer.enqueue(request);
      } catch (error) {
        return Promise.reject(toEddyError(error, `publishing to "${topic}"`, where));
      }
    },

    subscribe(
      topic: string,
      subscribeOptions: SubscribeOptions,
      handler: MessageHandler,
    ): Promise<Subscription> {
      return join(topic, subscribeOptions, handler);
    },

    subscribeBatch(
      topic: string,
      subscribeOptions: BatchSubscribeOptions,
      handler: BatchMessageHandler,
    ): Promise<Subscription> {
      return join(topic, subscribeOptions, handler, true);
    },
    close(): Promise<void> {
      closed ??= (async () => {
        await Promise.all([...subscriptions].map((subscription) => subscription.close()));
        await writer.drained();
        await walSync?.close();
        clearInterval(poll);
        unwatch();
        clearInterval(retentionTimer);
        leaveFile();
        await retention.idle();
        if (stateDb !== db) stateDb.close();
        db.close();
        await checkpointer?.stop();
      })();
      return closed;
    },
  };
}
