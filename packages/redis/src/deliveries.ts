import type { MessageHandler } from '@eddy/core';
import { redeliveryDelayOf } from '@eddy/core/internal';
import type { Redis } from 'ioredis';

import type { AckBatcher } from './ack-batcher.js';
import { RETRY_PAUSE_MS, type FetchLoop, type ReadReply } from './fetch-loop.js';
import { HandlerSlots, type HandlerFailure, type SlotOwner } from './handler-slots.js';
import { InFlight, trackEntry, type Tracked } from './in-flight.js';
import type { KeySpace } from './keys.js';
import type { LossWatch } from './loss-watch.js';
import { claimForRedelivery, returnUnhanded, type GroupStream, type PendingEntry } from './pending-list.js';

export interface DeliveriesOptions {
  readonly topic: string;
  readonly group: string;
  readonly memberId: string;
  readonly handler: MessageHandler;
  readonly maxInFlight: number;
  readonly nackDelayMs: number;
  /** The transport's shared connection: claims and delayed sets. */
  readonly redis: Redis;
  readonly keys: KeySpace;
  /** The partitions this member leases now. */
  readonly owned: ReadonlySet<number>;
  readonly acks: AckBatcher;
  readonly losses: LossWatch;
  readonly report: (error: unknown, doing: string) => void;
  /** Runs background work whose failure is only reported. */
  readonly track: (work: Promise<unknown>, doing: string) => void;
}

/**
 * A subscription's messages from read to settlement: per-key gating, handler slots, acks, nacks
 * with their delays and claims for redelivery. This is the per-message path, kept in one class so
 * that every subscription runs the same optimised methods (see `InFlight`); taking partitions over,
 * giving them up and the ack-timeout sweep work on its state from subscription.ts.
 */
export class Deliveries implements SlotOwner {
  readonly inFlight = new InFlight();
  /** Scheduled messages waiting for their `deliverAt`; they do not count against the read capacity. */
  readonly scheduled = new Set<Tracked>();
  /** Called on every settlement, e.g. by a drain waiting for its partition's handlers. */
  readonly settleListeners = new Set<() => void>();
  readonly slots: HandlerSlots;
  closing = false;
  /** Assigned once the leases are taken; settlements before that have nothing to wake. */
  fetcher: FetchLoop | undefined = undefined;
  readonly #options: DeliveriesOptions;

  constructor(options: DeliveriesOptions) {
    this.#options = options;
    this.slots = new HandlerSlots({
      topic: options.topic,
      maxInFlight: options.maxInFlight,
      handler: options.handler,
      owner: this,
    });
  }

  target(partition: number): GroupStream {
    const { redis, keys, topic, group, memberId } = this.#options;
    return { redis, stream: keys.stream(topic, partition), group, memberId };
  }

  delayedKey(partition: number): string {
    const { keys, topic, group } = this.#options;
    return keys.delayed(topic, group, partition);
  }

  owns(partition: number): boolean {
    return !this.closing && this.#options.owned.has(partition);
  }

  isTracked(entry: Tracked): boolean {
    return this.inFlight.get(entry.partition, entry.id) === entry;
  }

  /** How many more messages the fetch loop may read now. */
  capacity(): number {
    return this.#options.maxInFlight - (this.inFlight.size - this.scheduled.size);
  }

  /** Takes in one read's entries; those of a partition that just moved away go back to the group. */
  accept(reply: ReadReply): void {
    for (const [streamKey, rows] of reply) {
      const name = streamKey.toString();
      const partition = Number(name.slice(name.lastIndexOf(':') + 1));
      if (!this.owns(partition)) {
        // Read just as the partition moved away: give the entries back uncounted.
        const unread = rows.map(([id, fields]) => ({ id: id.toString(), fields, count: 1 }));
        this.#options.track(returnUnhanded(this.target(partition), unread), 'returning unread messages');
        continue;
      }
      for (const [id, fields] of rows) {
        const entry = this.toTracked(partition, id.toString(), fields, 1, false, name);
        if (entry !== undefined && this.inFlight.add(entry)) this.startHead(entry);
      }
    }
  }

  /** Tracks entries taken over or claimed back; those first in their key start. */
  admit(entries: readonly Tracked[]): void {
    for (const entry of entries) if (this.inFlight.add(entry)) this.startHead(entry);
  }

  toTracked(
    partition: number,
    id: string,
    fields: readonly Buffer[],
    count: number,
    needsClaim: boolean,
    stream: string,
  ): Tracked | undefined {
    try {
      return trackEntry(partition, id, count, fields, needsClaim, stream);
    } catch (error) {
      this.#options.report(error, 'decoding a stream entry');
      this.#options.acks.add(partition, id); // an entry nobody can read would block its partition forever
      return undefined;
    }
  }

  toTrackedPending(partition: number, pending: PendingEntry, needsClaim: boolean): Tracked | undefined {
    const { keys, topic } = this.#options;
    return this.toTracked(
      partition,
      pending.id,
      pending.fields,
      pending.count,
      needsClaim,
      keys.stream(topic, partition),
    );
  }

  /** Starts the first message of a key (or an unkeyed one): after its delay, claiming it back if needed. */
  startHead(entry: Tracked): void {
    if (!this.owns(entry.partition)) {
      entry.state = 'queued'; // drain() gives it back
      return;
    }
    const waitMs = entry.dueAt === undefined ? 0 : entry.dueAt - Date.now();
    if (waitMs > 0) {
      entry.state = 'waiting';
      if (entry.deferred) this.scheduled.add(entry);
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        entry.dueAt = undefined;
        this.scheduled.delete(entry);
        this.startHead(entry);
      }, waitMs);
      return;
    }
    if (entry.needsClaim) void this.#redeliver(entry);
    else this.slots.hand(entry);
  }

  /** An attempt ended (see `SlotOwner`): ack, or schedule the redelivery. */
  settled(entry: Tracked, attempt: number, failure: HandlerFailure): void {
    const current = this.isTracked(entry) && entry.attempt === attempt;
    if (!current || entry.state !== 'handed') return; // an attempt abandoned after its ack timeout
    if (failure === undefined) {
      this.#options.acks.add(entry.partition, entry.id);
      this.#finish(entry);
      return;
    }
    const delayMs = redeliveryDelayOf(failure.error, this.#options.nackDelayMs);
    if (delayMs > 0) {
      entry.dueAt = Date.now() + delayMs;
      entry.inDelayedSet = true;
      // The delay lives in Redis too, so another owner honours it after a crash or a rebalance.
      this.#options.track(
        this.#options.redis.zadd(this.delayedKey(entry.partition), entry.dueAt, entry.id),
        'scheduling a delayed redelivery',
      );
    }
    entry.needsClaim = true;
    if (!this.owns(entry.partition)) {
      this.#finish(entry); // stays pending in Redis: the next owner redelivers it
      return;
    }
    this.startHead(entry);
  }

  #finish(entry: Tracked): void {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    if (this.scheduled.size > 0) this.scheduled.delete(entry);
    const next = this.inFlight.remove(entry);
    if (this.settleListeners.size > 0) for (const listener of this.settleListeners) listener();
    this.fetcher?.wake();
    if (next !== undefined) this.startHead(next);
  }

  async #redeliver(entry: Tracked): Promise<void> {
    entry.state = 'claiming';
    try {
      const { entries, trimmed } = await claimForRedelivery(
        this.target(entry.partition),
        [entry.id],
        entry.deferred ? entry.count : undefined,
      );
      const claimed = entries[0];
      this.#options.losses.pendingTrimmed(entry.partition, trimmed);
      entry.deferred = false;
      if (entry.inDelayedSet) await this.#options.redis.zrem(this.delayedKey(entry.partition), entry.id);
      entry.inDelayedSet = false;
      entry.needsClaim = false;
      entry.dueAt = undefined;
      if (claimed === undefined) {
        this.#finish(entry); // trimmed away or acknowledged elsewhere meanwhile
        return;
      }
      entry.count = claimed.count;
      if (this.owns(entry.partition)) this.slots.hand(entry);
      else entry.state = 'queued';
    } catch (error) {
      this.#options.report(error, 'claiming a message back for redelivery');
      entry.state = 'queued';
      entry.dueAt = Date.now() + RETRY_PAUSE_MS;
      this.startHead(entry);
    }
  }
}
