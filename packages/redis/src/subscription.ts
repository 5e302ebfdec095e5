import { randomUUID } from 'node:crypto';

import { type MessageHandler, type Subscription } from '@eddy/core';
import { redeliveryDelayOf, type ResolvedSubscribeOptions } from '@eddy/core/internal';
import type { Redis } from 'ioredis';

import { createAckBatcher } from './ack-batcher.js';
import { toEddyError } from './errors.js';
import { startFetchLoop, type FetchLoop, type ReadReply } from './fetch-loop.js';
import { createHandlerSlots, type HandlerFailure } from './handler-slots.js';
import { compareStreamIds, createInFlight, trackEntry, type Tracked } from './in-flight.js';
import { streamIdOf } from './stream-ids.js';
import type { KeySpace } from './keys.js';
import { createLossWatch } from './loss-watch.js';
import type { ResolvedRedisOptions } from './options.js';
import { createPartitionLeases } from './partition-leases.js';
import {
  claimForRedelivery,
  readPending,
  returnUnhanded,
  takeBacklog,
  takePendingIds,
  type GroupStream,
  type PendingEntry,
} from './pending-list.js';

/** Pause after a failed read before the next one, ms. */
const RETRY_PAUSE_MS = 200;

export interface RedisSubscriptionContext {
  readonly topic: string;
  readonly options: ResolvedSubscribeOptions;
  readonly handler: MessageHandler;
  /** The transport's shared connection: acks, claims, leases. */
  readonly redis: Redis;
  /** Opens this subscription's own connection for `XREADGROUP BLOCK`. */
  readonly openBlockingConnection: () => Promise<Redis>;
  readonly keys: KeySpace;
  readonly settings: ResolvedRedisOptions;
  /** The server, as error messages name it. */
  readonly where: string;
  /** The server counts groups' reads (Redis 7+), so trimming losses can be detected. */
  readonly countsReads: boolean;
  /** Creates the group on streams where it is missing (after Redis lost its data), from the start. */
  readonly recreateGroup: () => Promise<void>;
}

/** Starts a group member: fetches from the partitions it leases and runs the handler with per-key order. */
export async function startRedisSubscription(
  context: RedisSubscriptionContext,
): Promise<Required<Subscription>> {
  const { topic, redis, keys, settings } = context;
  const { group, maxInFlight, ackTimeoutMs, nackDelayMs } = context.options;
  const memberId = randomUUID();
  const target = (partition: number): GroupStream => ({
    redis,
    stream: keys.stream(topic, partition),
    group,
    memberId,
  });
  const delayedKey = (partition: number): string => keys.delayed(topic, group, partition);
  const inFlight = createInFlight();
  /** Scheduled messages waiting for their `deliverAt`; they do not count against the read capacity. */
  const scheduled = new Set<Tracked>();
  const background = new Set<Promise<unknown>>();
  const settleListeners = new Set<() => void>();
  let closing = false;
  let closed: Promise<void> | undefined;
  // Assigned once the leases are taken; settlements before that have nothing to wake.
  let fetcher: FetchLoop | undefined = undefined;

  const report = (error: unknown, doing: string): void => {
    settings.onError(toEddyError(error, `${doing} (topic "${topic}", group "${group}")`, context.where));
  };
  const track = (work: Promise<unknown>, doing: string): void => {
    const guarded = work.catch((error: unknown) => report(error, doing));
    background.add(guarded);
    void guarded.finally(() => background.delete(guarded));
  };
  const losses = createLossWatch({
    redis,
    keys,
    topic,
    group,
    countsReads: context.countsReads,
    intervalMs: settings.trimCheckIntervalMs,
    onError: settings.onError,
    report,
  });
  const acks = createAckBatcher({
    redis,
    group,
    stream: (partition) => keys.stream(topic, partition),
    report,
  });

  const settled = (): void => {
    if (settleListeners.size > 0) for (const listener of settleListeners) listener();
    fetcher?.wake();
  };

  const owns = (partition: number): boolean => !closing && leases.owned.has(partition);

  const finish = (entry: Tracked): void => {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    if (scheduled.size > 0) scheduled.delete(entry);
    const next = inFlight.remove(entry);
    settled();
    if (next !== undefined) startHead(next);
  };

  const slots = createHandlerSlots({
    topic,
    maxInFlight,
    handler: context.handler,
    isTracked: (entry) => inFlight.get(entry.partition, entry.id) === entry,
    owns,
    settled: (entry, attempt, failure) => onSettled(entry, attempt, failure),
  });

  const onSettled = (entry: Tracked, attempt: number, failure: HandlerFailure): void => {
    const current = inFlight.get(entry.partition, entry.id) === entry && entry.attempt === attempt;
    if (!current || entry.state !== 'handed') return; // an attempt abandoned after its ack timeout
    if (failure === undefined) {
      acks.add(entry.partition, entry.id);
      finish(entry);
      return;
    }
    const delayMs = redeliveryDelayOf(failure.error, nackDelayMs);
    if (delayMs > 0) {
      entry.dueAt = Date.now() + delayMs;
      entry.inDelayedSet = true;
      // The delay lives in Redis too, so another owner honours it after a crash or a rebalance.
      track(
        redis.zadd(delayedKey(entry.partition), entry.dueAt, entry.id),
        'scheduling a delayed redelivery',
      );
    }
    entry.needsClaim = true;
    if (!owns(entry.partition)) {
      finish(entry); // stays pending in Redis: the next owner redelivers it
      return;
    }
    startHead(entry);
  };

  /** Starts the first message of a key (or an unkeyed one): after its delay, claiming it back if needed. */
  function startHead(entry: Tracked): void {
    if (!owns(entry.partition)) {
      entry.state = 'queued'; // drain() gives it back
      return;
    }
    const waitMs = entry.dueAt === undefined ? 0 : entry.dueAt - Date.now();
    if (waitMs > 0) {
      entry.state = 'waiting';
      if (entry.deferred) scheduled.add(entry);
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        entry.dueAt = undefined;
        scheduled.delete(entry);
        startHead(entry);
      }, waitMs);
      return;
    }
    if (entry.needsClaim) void redeliver(entry);
    else slots.hand(entry);
  }

  const redeliver = async (entry: Tracked): Promise<void> => {
    entry.state = 'claiming';
    try {
      const { entries, trimmed } = await claimForRedelivery(
        target(entry.partition),
        [entry.id],
        entry.deferred ? entry.count : undefined,
      );
      const claimed = entries[0];
      losses.pendingTrimmed(entry.partition, trimmed);
      entry.deferred = false;
      if (entry.inDelayedSet) await redis.zrem(delayedKey(entry.partition), entry.id);
      entry.inDelayedSet = false;
      entry.needsClaim = false;
      entry.dueAt = undefined;
      if (claimed === undefined) {
        finish(entry); // trimmed away or acknowledged elsewhere meanwhile
        return;
      }
      entry.count = claimed.count;
      if (owns(entry.partition)) slots.hand(entry);
      else entry.state = 'queued';
    } catch (error) {
      report(error, 'claiming a message back for redelivery');
      entry.state = 'queued';
      entry.dueAt = Date.now() + RETRY_PAUSE_MS;
      startHead(entry);
    }
  };

  const toTracked = (
    partition: number,
    id: string,
    fields: readonly Buffer[],
    count: number,
    needsClaim: boolean,
    stream: string,
  ): Tracked | undefined => {
    try {
      return trackEntry(partition, id, count, fields, needsClaim, stream);
    } catch (error) {
      report(error, 'decoding a stream entry');
      acks.add(partition, id); // an entry nobody can read would block its partition forever
      return undefined;
    }
  };
  const toTrackedPending = (
    partition: number,
    pending: PendingEntry,
    needsClaim: boolean,
  ): Tracked | undefined =>
    toTracked(
      partition,
      pending.id,
      pending.fields,
      pending.count,
      needsClaim,
      keys.stream(topic, partition),
    );

  // An entry this member tracks is reported by its own redelivery claim: not twice.
  const unknownTo = (partition: number, ids: readonly string[]): string[] =>
    ids.filter((id) => inFlight.get(partition, id) === undefined);

  const admit = (entries: readonly Tracked[]): void => {
    for (const entry of entries) if (inFlight.add(entry)) startHead(entry);
  };

  /** Takes over a partition: everything pending in it (earlier owners' work) goes first, in stream order. */
  const adopt = async (partition: number): Promise<void> => {
    const stream = target(partition);
    const { ids, trimmed, dueById } = await takeBacklog(stream, delayedKey(partition), context.recreateGroup);
    losses.pendingTrimmed(partition, unknownTo(partition, trimmed));
    const fresh = ids.filter((id) => inFlight.get(partition, id) === undefined);
    const parked = await readPending(
      stream,
      fresh.filter((id) => dueById.has(id)),
    );
    const orphans = await claimForRedelivery(
      stream,
      fresh.filter((id) => !dueById.has(id)),
    );
    losses.pendingTrimmed(partition, orphans.trimmed);
    const entries: Tracked[] = [];
    for (const pending of parked) {
      const entry = toTrackedPending(partition, pending, true);
      if (entry === undefined) continue;
      entry.inDelayedSet = true;
      entry.dueAt = dueById.get(pending.id);
      entries.push(entry);
    }
    for (const pending of orphans.entries) {
      const entry = toTrackedPending(partition, pending, false);
      if (entry !== undefined) entries.push(entry);
    }
    admit(entries.sort((a, b) => compareStreamIds(a.id, b.id)));
    await losses.adopted(partition);
  };

  /** Gives a partition up: unstarted messages go back to the group, running handlers finish. */
  const drain = async (partition: number): Promise<void> => {
    for (;;) {
      const mine = inFlight.all().filter((entry) => entry.partition === partition);
      const unhanded: Tracked[] = [];
      let deadline = Number.POSITIVE_INFINITY;
      for (const entry of mine) {
        if (entry.state === 'queued' || entry.state === 'ready' || entry.state === 'waiting') {
          if (entry.timer !== undefined) clearTimeout(entry.timer);
          scheduled.delete(entry);
          inFlight.remove(entry);
          if (!entry.needsClaim || entry.deferred) unhanded.push(entry);
        } else if (entry.state === 'handed') {
          const due = entry.handedAt + ackTimeoutMs;
          if (due <= Date.now()) {
            slots.free(entry); // past its ack timeout: the entry stays pending for the next owner
            inFlight.remove(entry);
          } else deadline = Math.min(deadline, due);
        }
      }
      if (unhanded.length > 0) await returnUnhanded(target(partition), unhanded);
      if (!inFlight.all().some((entry) => entry.partition === partition)) break;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          settleListeners.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Number.isFinite(deadline) ? deadline - Date.now() : RETRY_PAUSE_MS);
        settleListeners.add(done);
      });
    }
    await acks.flush();
  };

  const leases = createPartitionLeases({
    redis,
    keys,
    topic,
    group,
    memberId,
    partitions: settings.partitions,
    heartbeatIntervalMs: settings.heartbeatIntervalMs,
    sessionTimeoutMs: settings.sessionTimeoutMs,
    handlers: {
      adopt,
      drain,
      changed: () => {
        for (const entry of inFlight.all()) {
          if (entry.state === 'queued' && inFlight.isHead(entry)) startHead(entry);
        }
        fetcher?.interrupt();
      },
      failed: report,
    },
  });

  /** Ack timeout: handlers past it are abandoned and their message redelivered; lost reads are picked up. */
  const sweep = async (): Promise<void> => {
    const now = Date.now();
    for (const entry of inFlight.all()) {
      if (entry.state !== 'handed' || entry.handedAt + ackTimeoutMs > now || !owns(entry.partition)) continue;
      slots.free(entry);
      entry.needsClaim = true;
      startHead(entry);
    }
    for (const partition of [...leases.owned]) {
      if (closing) return;
      const taken = await takePendingIds(target(partition), ackTimeoutMs);
      losses.pendingTrimmed(partition, unknownTo(partition, taken.trimmed));
      const unknown = taken.ids.filter((id) => inFlight.get(partition, id) === undefined);
      const claimed = await claimForRedelivery(target(partition), unknown);
      losses.pendingTrimmed(partition, claimed.trimmed);
      const entries = claimed.entries.map((pending) => toTrackedPending(partition, pending, false));
      admit(entries.filter((entry): entry is Tracked => entry !== undefined));
    }
    if (!closing) await losses.sweep([...leases.owned]);
  };
  let sweeping = false;
  const sweepTimer = setInterval(
    () => {
      if (sweeping || closing) return;
      sweeping = true;
      sweep()
        .catch((error: unknown) => report(error, 'redelivering messages past their ack timeout'))
        .finally(() => (sweeping = false));
    },
    Math.min(1_000, Math.max(50, Math.floor(ackTimeoutMs / 4))),
  );

  const accept = (reply: ReadReply): void => {
    for (const [streamKey, rows] of reply) {
      const name = streamKey.toString();
      const partition = Number(name.slice(name.lastIndexOf(':') + 1));
      if (!owns(partition)) {
        // Read just as the partition moved away: give the entries back uncounted.
        const unread = rows.map(([id, fields]) => ({ id: id.toString(), fields, count: 1 }));
        track(returnUnhanded(target(partition), unread), 'returning unread messages');
        continue;
      }
      for (const [id, fields] of rows) {
        const entry = toTracked(partition, id.toString(), fields, 1, false, name);
        if (entry !== undefined && inFlight.add(entry)) startHead(entry);
      }
    }
  };

  await leases.start();
  fetcher = await startFetchLoop({
    blocking: await context.openBlockingConnection(),
    redis,
    group,
    memberId,
    blockMs: settings.blockMs,
    generationKey: keys.generation(topic, group),
    owned: () => [...leases.owned].sort((a, b) => a - b).map((partition) => keys.stream(topic, partition)),
    capacity: () => maxInFlight - (inFlight.size - scheduled.size),
    accept,
    beforeRead: (connection) => acks.flushVia(connection),
    noteGeneration: (value) => leases.noteGeneration(value),
    advertiseClient: (clientId) => leases.advertiseClient(clientId),
    recreateGroup: context.recreateGroup,
    report,
  });

  return {
    async extendLease(message, ms) {
      const entry = owns(message.partition)
        ? inFlight.get(message.partition, streamIdOf(message.offset))
        : undefined;
      if (entry?.state !== 'handed' || entry.count !== message.deliveryCount) return;
      // The sweep redelivers at handedAt + ackTimeoutMs: moving handedAt moves that deadline.
      entry.handedAt = Math.max(entry.handedAt, Date.now() + ms - ackTimeoutMs);
      // And the server's idle time restarts, so no claim of idle entries takes it meanwhile.
      const { stream } = target(message.partition);
      await redis.xclaim(stream, group, memberId, 0, entry.id, 'JUSTID');
    },
    close() {
      closed ??= (async () => {
        closing = true;
        clearInterval(sweepTimer);
        await fetcher?.stop();
        await leases.stop();
        const left = new Set(inFlight.all().map((entry) => entry.partition));
        for (const partition of left) await drain(partition);
        await acks.flush();
        await Promise.all([...background]);
      })();
      return closed;
    },
  };
}
