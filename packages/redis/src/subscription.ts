import { randomUUID } from 'node:crypto';

import { type MessageHandler, type Subscription } from '@eddy/core';
import type { ResolvedSubscribeOptions } from '@eddy/core/internal';
import type { Redis } from 'ioredis';

import { AckBatcher } from './ack-batcher.js';
import { Deliveries } from './deliveries.js';
import { toEddyError } from './errors.js';
import { RETRY_PAUSE_MS, startFetchLoop } from './fetch-loop.js';
import { compareStreamIds, type Tracked } from './in-flight.js';
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
} from './pending-list.js';

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
  const background = new Set<Promise<unknown>>();
  let closed: Promise<void> | undefined;

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
  const acks = new AckBatcher({
    redis,
    group,
    stream: (partition) => keys.stream(topic, partition),
    report,
  });

  // An entry this member tracks is reported by its own redelivery claim: not twice.
  const unknownTo = (partition: number, ids: readonly string[]): string[] =>
    ids.filter((id) => deliveries.inFlight.get(partition, id) === undefined);

  /** Takes over a partition: everything pending in it (earlier owners' work) goes first, in stream order. */
  const adopt = async (partition: number): Promise<void> => {
    const { inFlight } = deliveries;
    const stream = deliveries.target(partition);
    const { ids, trimmed, dueById } = await takeBacklog(
      stream,
      deliveries.delayedKey(partition),
      context.recreateGroup,
    );
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
      const entry = deliveries.toTrackedPending(partition, pending, true);
      if (entry === undefined) continue;
      entry.inDelayedSet = true;
      entry.dueAt = dueById.get(pending.id);
      entries.push(entry);
    }
    for (const pending of orphans.entries) {
      const entry = deliveries.toTrackedPending(partition, pending, false);
      if (entry !== undefined) entries.push(entry);
    }
    deliveries.admit(entries.sort((a, b) => compareStreamIds(a.id, b.id)));
    await losses.adopted(partition);
  };

  /** Gives a partition up: unstarted messages go back to the group, running handlers finish. */
  const drain = async (partition: number): Promise<void> => {
    const { inFlight, scheduled, slots, settleListeners } = deliveries;
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
      if (unhanded.length > 0) await returnUnhanded(deliveries.target(partition), unhanded);
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
        const { inFlight } = deliveries;
        for (const entry of inFlight.all()) {
          if (entry.state === 'queued' && inFlight.isHead(entry)) deliveries.startHead(entry);
        }
        deliveries.fetcher?.interrupt();
      },
      failed: report,
    },
  });

  const deliveries = new Deliveries({
    topic,
    group,
    memberId,
    handler: context.handler,
    maxInFlight,
    nackDelayMs,
    redis,
    keys,
    owned: leases.owned,
    acks,
    losses,
    report,
    track,
  });

  /** Ack timeout: handlers past it are abandoned and their message redelivered; lost reads are picked up. */
  const sweep = async (): Promise<void> => {
    const now = Date.now();
    for (const entry of deliveries.inFlight.all()) {
      if (
        entry.state !== 'handed' ||
        entry.handedAt + ackTimeoutMs > now ||
        !deliveries.owns(entry.partition)
      ) {
        continue;
      }
      deliveries.slots.free(entry);
      entry.needsClaim = true;
      deliveries.startHead(entry);
    }
    for (const partition of [...leases.owned]) {
      if (deliveries.closing) return;
      const target = deliveries.target(partition);
      const taken = await takePendingIds(target, ackTimeoutMs);
      losses.pendingTrimmed(partition, unknownTo(partition, taken.trimmed));
      const unknown = taken.ids.filter((id) => deliveries.inFlight.get(partition, id) === undefined);
      const claimed = await claimForRedelivery(target, unknown);
      losses.pendingTrimmed(partition, claimed.trimmed);
      const entries = claimed.entries.map((pending) =>
        deliveries.toTrackedPending(partition, pending, false),
      );
      deliveries.admit(entries.filter((entry): entry is Tracked => entry !== undefined));
    }
    if (!deliveries.closing) await losses.sweep([...leases.owned]);
  };
  let sweeping = false;
  const sweepTimer = setInterval(
    () => {
      if (sweeping || deliveries.closing) return;
      sweeping = true;
      sweep()
        .catch((error: unknown) => report(error, 'redelivering messages past their ack timeout'))
        .finally(() => (sweeping = false));
    },
    Math.min(1_000, Math.max(50, Math.floor(ackTimeoutMs / 4))),
  );

  await leases.start();
  deliveries.fetcher = await startFetchLoop({
    blocking: await context.openBlockingConnection(),
    redis,
    group,
    memberId,
    blockMs: settings.blockMs,
    generationKey: keys.generation(topic, group),
    owned: () => [...leases.owned].sort((a, b) => a - b).map((partition) => keys.stream(topic, partition)),
    capacity: () => deliveries.capacity(),
    accept: (reply) => deliveries.accept(reply),
    beforeRead: (connection) => acks.flushVia(connection),
    noteGeneration: (value) => leases.noteGeneration(value),
    advertiseClient: (clientId) => leases.advertiseClient(clientId),
    recreateGroup: context.recreateGroup,
    report,
  });

  return {
    async extendLease(message, ms) {
      const entry = deliveries.owns(message.partition)
        ? deliveries.inFlight.get(message.partition, streamIdOf(message.offset))
        : undefined;
      if (entry?.state !== 'handed' || entry.count !== message.deliveryCount) return;
      // The sweep redelivers at handedAt + ackTimeoutMs: moving handedAt moves that deadline.
      entry.handedAt = Math.max(entry.handedAt, Date.now() + ms - ackTimeoutMs);
      // And the server's idle time restarts, so no claim of idle entries takes it meanwhile.
      const { stream } = deliveries.target(message.partition);
      await redis.xclaim(stream, group, memberId, 0, entry.id, 'JUSTID');
    },
    close() {
      closed ??= (async () => {
        deliveries.closing = true;
        clearInterval(sweepTimer);
        await deliveries.fetcher?.stop();
        await leases.stop();
        const left = new Set(deliveries.inFlight.all().map((entry) => entry.partition));
        for (const partition of left) await drain(partition);
        await acks.flush();
        await Promise.all([...background]);
      })();
      return closed;
    },
  };
}
