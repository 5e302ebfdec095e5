import { redeliveryDelayOf } from '../errors/nack.js';
import type { ReceivedMessage } from '../transport/message.js';
import type { BatchMessageHandler, MessageHandler } from '../transport/transport.js';
import { Deque } from '../shared/deque.js';
import type { LogEntry, TopicLog } from './memory-log.js';
import { MinHeap } from './min-heap.js';
import { copyBytes } from './copy-bytes.js';

/** A message on its way through one group: the same object travels through every redelivery. */
interface Pending {
  readonly entry: LogEntry;
  deliveries: number;
  /** Bumped on every hand-out, so a late settle from a timed-out attempt is recognised and ignored. */
  attempt: number;
  /** True once this message holds its key's turn (see `MemoryGroup`). */
  ownsKey: boolean;
}

/** A delivery handed out and not yet passed to its handler. */
interface Delivery {
  readonly pending: Pending;
  readonly attempt: number;
  readonly message: ReceivedMessage;
}

/** How a member that takes batches (`subscribeBatch`) gets its messages. */
export interface BatchReceiver {
  readonly handler: BatchMessageHandler;
  readonly maxBatchSize: number;
  /** Handed out in this turn of the event loop, passed on together in a microtask. */
  readonly open: Delivery[];
}

/** One subscription's seat in a group. */
export interface GroupMember {
  readonly handler: MessageHandler;
  /** Set for a batch subscription: `handler` is then unused. */
  readonly batch?: BatchReceiver;
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
  readonly nackDelayMs: number;
  /** Handler calls that have not returned yet; capacity is counted on these. */
  running: number;
  /** Messages this member holds, with their ack deadline; insertion order is deadline order. */
  readonly inFlight: Map<Pending, number>;
  /** Some deadline was extended: `inFlight` is no longer in deadline order. */
  extended: boolean;
  /** Set by `close()`: no new messages, in-flight ones still settle. */
  closing: boolean;
  /** Called whenever one of this member's handler calls returns. */
  readonly onSettled: () => void;
}

// setTimeout overflows above this and fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The state of one consumer group on one topic, shared by all its members (across transports on
 * the same broker).
 *
 * Per-key ordering rule: a message with a key is not handed out while an earlier message with the
 * same key is in flight or waiting for redelivery in this group; it waits in that key's queue and
 * is released when the earlier one is acknowledged. Keyless messages have no such bound, so they
 * run as concurrently as `maxInFlight` allows. A message with `deliverAt` joins its key's order
 * when it becomes due.
 */
export class MemoryGroup {
  private readonly members: GroupMember[] = [];
  /** Next unread offset per partition. */
  private readonly cursors: number[];
  /** Redeliveries and released key waiters, handed out before unread messages. */
  private readonly ready = new Deque<Pending>();
  /** Nacked with a delay, or published with a future `deliverAt`. */
  private readonly delayed = new MinHeap<Pending>();
  /** Keys whose turn is taken, with the messages waiting for it. */
  private readonly keyed = new Map<string, Deque<Pending>>();
  private nextMember = 0;
  private nextPartition = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;

  constructor(
    private readonly log: TopicLog,
    startOffsets: readonly number[],
  ) {
    this.cursors = [...startOffsets];
  }

  join(member: GroupMember): void {
    this.members.push(member);
    this.rearm();
    this.dispatch();
  }

  /** Removes a drained member; stops the group's timer when nobody is left to deliver to. */
  leave(member: GroupMember): void {
    const index = this.members.indexOf(member);
    if (index >= 0) this.members.splice(index, 1);
    if (this.members.length === 0) this.stopTimer();
    else this.dispatch();
  }

  /** Hands out messages to members with spare capacity, one each in turn. */
  dispatch(): void {
    const members = this.members;
    if (members.length === 0) return;
    const now = Date.now();
    let idle = 0;
    while (idle < members.length) {
      const member = members[this.nextMember % members.length]!;
      this.nextMember = (this.nextMember + 1) % members.length;
      if (member.closing || member.running >= member.maxInFlight) {
        idle += 1;
        continue;
      }
      const pending = this.nextDeliverable(now);
      if (pending === undefined) return;
      this.handOut(member, pending, now);
      idle = 0;
    }
  }

  private nextDeliverable(now: number): Pending | undefined {
    for (;;) {
      const pending = this.ready.shift() ?? this.readUnread(now);
      if (pending === undefined) return undefined;
      const key = pending.entry.key;
      if (pending.ownsKey || key === undefined) return pending;
      const waiting = this.keyed.get(key);
      if (waiting !== undefined) {
        waiting.push(pending);
        continue;
      }
      this.keyed.set(key, new Deque());
      pending.ownsKey = true;
      return pending;
    }
  }

  /** Next unread entry, partitions taken in turn; parks entries whose `deliverAt` is in the future. */
  private readUnread(now: number): Pending | undefined {
    const partitions = this.log.partitions;
    let exhausted = 0;
    while (exhausted < partitions.length) {
      const partition = this.nextPartition;
      this.nextPartition = (partition + 1) % partitions.length;
      const entries = partitions[partition]!;
      const cursor = this.cursors[partition]!;
      if (cursor >= entries.length) {
        exhausted += 1;
        continue;
      }
      exhausted = 0;
      this.cursors[partition] = cursor + 1;
      const entry = entries[cursor]!;
      const pending: Pending = { entry, deliveries: 0, attempt: 0, ownsKey: false };
      if (entry.deliverAt !== undefined && entry.deliverAt > now) {
        this.delay(pending, entry.deliverAt);
        continue;
      }
      return pending;
    }
    return undefined;
  }

  private handOut(member: GroupMember, pending: Pending, now: number): void {
    pending.deliveries += 1;
    pending.attempt += 1;
    const attempt = pending.attempt;
    const deadline = now + member.ackTimeoutMs;
    member.inFlight.set(pending, deadline);
    member.running += 1;
    this.arm(deadline);
    const { entry } = pending;
    const message: ReceivedMessage = {
      topic: entry.topic,
      partition: entry.partition,
      offset: String(entry.offset),
      key: entry.key,
      // Copies per delivery: a handler that mutates its message must not change what others see.
      headers: { ...entry.headers },
      payload: copyBytes(entry.payload),
      publishedAt: entry.publishedAt,
      deliveryCount: pending.deliveries,
    };
    // Never call a handler synchronously from publish() or from another handler's settle.
    const { batch } = member;
    if (batch === undefined) {
      queueMicrotask(() => void this.run(member, pending, attempt, message));
      return;
    }
    // What one dispatch hands this member goes over in one call (several if past maxBatchSize).
    batch.open.push({ pending, attempt, message });
    if (batch.open.length === 1) queueMicrotask(() => this.flushBatch(member, batch));
  }

  private flushBatch(member: GroupMember, batch: BatchReceiver): void {
    const open = batch.open.splice(0);
    for (let from = 0; from < open.length; from += batch.maxBatchSize) {
      void this.runBatch(member, batch.handler, open.slice(from, from + batch.maxBatchSize));
    }
  }

  private async runBatch(
    member: GroupMember,
    handler: BatchMessageHandler,
    deliveries: readonly Delivery[],
  ): Promise<void> {
    let thrown: { error: unknown } | undefined;
    let failed: ReadonlyMap<ReceivedMessage, unknown> | undefined;
    // Replaced by a later message of its dedupe key while it waited: settled unseen.
    const messages: ReceivedMessage[] = [];
    for (const delivery of deliveries)
      if (!delivery.pending.entry.superseded) messages.push(delivery.message);
    try {
      if (messages.length > 0) failed = (await handler(messages))?.failed;
    } catch (error) {
      thrown = { error };
    }
    member.running -= deliveries.length;
    for (const { pending, attempt, message } of deliveries) {
      if (!member.inFlight.has(pending) || pending.attempt !== attempt) continue;
      member.inFlight.delete(pending);
      const failure = thrown ?? (failed?.has(message) === true ? { error: failed.get(message) } : undefined);
      if (failure === undefined) this.acknowledge(pending);
      else this.redeliver(pending, redeliveryDelayOf(failure.error, member.nackDelayMs));
    }
    member.onSettled();
    this.dispatch();
  }

  private async run(
    member: GroupMember,
    pending: Pending,
    attempt: number,
    message: ReceivedMessage,
  ): Promise<void> {
    let failure: { error: unknown } | undefined;
    try {
      // Replaced by a later message of its dedupe key while it waited: settled unseen.
      if (!pending.entry.superseded) await member.handler(message);
    } catch (error) {
      failure = { error };
    }
    member.running -= 1;
    // A settle after the ack timeout already handed the message on belongs to a stale attempt.
    if (member.inFlight.has(pending) && pending.attempt === attempt) {
      member.inFlight.delete(pending);
      if (failure === undefined) this.acknowledge(pending);
      else this.redeliver(pending, redeliveryDelayOf(failure.error, member.nackDelayMs));
    }
    member.onSettled();
    this.dispatch();
  }

  private acknowledge(pending: Pending): void {
    const key = pending.entry.key;
    if (key === undefined) return;
    const waiting = this.keyed.get(key);
    const next = waiting?.shift();
    if (next === undefined) {
      this.keyed.delete(key);
      return;
    }
    next.ownsKey = true;
    this.ready.push(next);
  }

  private redeliver(pending: Pending, delayMs: number): void {
    if (delayMs <= 0) this.ready.unshift(pending);
    else this.delay(pending, Date.now() + delayMs);
  }

  private delay(pending: Pending, at: number): void {
    this.delayed.push(at, pending);
    this.arm(at);
  }

  /** Makes sure the timer fires no later than `at`. One timer per group, never one per message. */
  private arm(at: number): void {
    if (this.members.length === 0) return;
    if (this.timer !== undefined && this.timerAt <= at) return;
    this.stopTimer();
    this.timerAt = at;
    this.timer = setTimeout(() => this.onTimer(), Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())));
  }

  /**
   * Pushes the ack deadline of `member`'s delivery of `message` to `now + ms` (never earlier than
   * it is). The in-flight map then no longer runs in deadline order, so the timer scans it whole.
   */
  extend(member: GroupMember, message: ReceivedMessage, ms: number): void {
    for (const [pending, deadline] of member.inFlight) {
      const { entry } = pending;
      if (entry.partition !== message.partition || String(entry.offset) !== message.offset) continue;
      if (pending.deliveries !== message.deliveryCount) return; // a later delivery holds it now
      member.inFlight.set(pending, Math.max(deadline, Date.now() + ms));
      member.extended = true;
      return;
    }
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private onTimer(): void {
    this.timer = undefined;
    const now = Date.now();
    for (const member of this.members) {
      for (const [pending, deadline] of member.inFlight) {
        if (deadline > now) {
          if (member.extended) continue;
          break;
        }
        // Ack timeout: the message goes to whichever member is free next; it keeps its key's turn.
        member.inFlight.delete(pending);
        this.ready.unshift(pending);
      }
    }
    while ((this.delayed.peekAt() ?? Infinity) <= now) this.ready.push(this.delayed.pop()!);
    this.dispatch();
    this.rearm();
  }

  /** Arms the timer for the earliest ack deadline or delayed message, if any. */
  private rearm(): void {
    let next = this.delayed.peekAt() ?? Infinity;
    for (const member of this.members) {
      for (const deadline of member.inFlight.values()) {
        next = Math.min(next, deadline);
        if (!member.extended) break;
      }
    }
    if (next !== Infinity) this.arm(next);
  }
}
