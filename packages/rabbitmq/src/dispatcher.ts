import { type MessageHandler, type ReceivedMessage } from '@eddy/core';
import { KeyedQueue, redeliveryDelayOf } from '@eddy/core/internal';

/** One message handed to the dispatcher, with the ways to settle it on the channel it came from. */
export interface Delivery {
  readonly partition: number;
  readonly message: ReceivedMessage;
  ack(): void;
  /**
   * Back to the queue now, after `deliveries` deliveries: a quorum queue counts it in
   * x-delivery-count, a classic queue gets a re-published copy that carries the count.
   */
  requeue(deliveries: number): void;
  /** Back to the queue at `dueAt`, through the delay ladder, after `priorDeliveries` deliveries. */
  postpone(dueAt: number, priorDeliveries: number): Promise<void>;
}

export interface DispatcherSettings {
  readonly handler: MessageHandler;
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
  readonly nackDelayMs: number;
}

/**
 * Runs handlers: at most `maxInFlight` at once, never two of one key at once, each key's messages in
 * arrival order (the scheduling is core's `KeyedQueue`). Settles each message by ack, requeue or
 * postpone, and counts work per partition so a partition is handed over only once it settled.
 *
 * A keyed message nacked for immediate redelivery is redelivered here, to the same handler, before
 * any later message of its key: a quorum queue puts returned messages behind those already fetched,
 * so a round trip through the broker would break the key's order. Unkeyed messages go back to the
 * queue, where the broker counts the redelivery.
 */
export class Dispatcher {
  private readonly queue: KeyedQueue<Delivery>;
  private readonly running = new Map<number, number>();
  private readonly background = new Map<number, number>();
  private idleWaiters: { partition: number | undefined; resolve: () => void }[] = [];
  /** Ack-timeout timers of running handlers, by the message each was handed, for `extendLease`. */
  private readonly deadlines = new WeakMap<ReceivedMessage, (ms: number) => void>();

  constructor(private readonly settings: DispatcherSettings) {
    this.queue = new KeyedQueue<Delivery>({
      concurrency: settings.maxInFlight,
      keyOf: (delivery) => delivery.message.key,
      start: (delivery) => void this.run(delivery),
    });
  }

  push(delivery: Delivery): void {
    this.queue.push(delivery);
  }

  /** Tracks work that settles a message outside a handler (sending it up the delay ladder). */
  track(partition: number, work: Promise<void>): void {
    this.bump(this.background, partition, 1);
    void work.finally(() => {
      this.bump(this.background, partition, -1);
      this.checkIdle();
    });
  }

  /** Forgets deliveries of partitions that are being handed over; their channel returns them to the queue. */
  drop(partition?: number): void {
    this.queue.drop((delivery) => partition === undefined || delivery.partition === partition);
  }

  inFlight(partition: number): number {
    return (this.running.get(partition) ?? 0) + (this.background.get(partition) ?? 0);
  }

  /** Resolves when no handler or settling work runs (for `partition`, or at all). */
  idle(partition?: number): Promise<void> {
    if (this.isIdle(partition)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push({ partition, resolve }));
  }

  private isIdle(partition: number | undefined): boolean {
    if (partition !== undefined) return this.inFlight(partition) === 0;
    for (const count of this.running.values()) if (count > 0) return false;
    for (const count of this.background.values()) if (count > 0) return false;
    return true;
  }

  /** Moves the ack timeout of a running handler of `message` to `ms` from now, if later. */
  extendLease(message: ReceivedMessage, ms: number): void {
    this.deadlines.get(message)?.(ms);
  }

  private checkIdle(): void {
    const waiting = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiting) {
      if (this.isIdle(waiter.partition)) waiter.resolve();
      else this.idleWaiters.push(waiter);
    }
  }

  private bump(counts: Map<number, number>, partition: number, by: number): void {
    counts.set(partition, (counts.get(partition) ?? 0) + by);
  }

  private async run(delivery: Delivery): Promise<void> {
    const { handler, ackTimeoutMs, nackDelayMs } = this.settings;
    const key = delivery.message.key;
    this.bump(this.running, delivery.partition, 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.bump(this.running, delivery.partition, -1);
      // Frees the slot and the key, which may start the next delivery at once.
      this.queue.done(delivery);
      this.checkIdle();
    };
    for (let deliveryCount = delivery.message.deliveryCount; ; deliveryCount += 1) {
      // RabbitMQ's consumer_timeout is broker-wide and minutes long, so the ack timeout is kept
      // here: the message goes back to the queue and whatever the handler does later is ignored.
      const expire = (): void => {
        delivery.requeue(deliveryCount);
        release();
      };
      let timer = setTimeout(expire, ackTimeoutMs);
      let deadline = Date.now() + ackTimeoutMs;
      let failure: { thrown: unknown } | undefined;
      const { message } = delivery;
      const handed = deliveryCount === message.deliveryCount ? message : { ...message, deliveryCount };
      this.deadlines.set(handed, (ms) => {
        if (released || Date.now() + ms <= deadline) return;
        deadline = Date.now() + ms;
        clearTimeout(timer);
        timer = setTimeout(expire, ms);
      });
      try {
        await handler(handed);
      } catch (thrown) {
        failure = { thrown };
      }
      clearTimeout(timer);
      this.deadlines.delete(handed);
      if (released) return;
      if (failure === undefined) {
        delivery.ack();
        break;
      }
      const delayMs = redeliveryDelayOf(failure.thrown, nackDelayMs);
      if (delayMs > 0) {
        await delivery.postpone(Date.now() + delayMs, deliveryCount);
        break;
      }
      if (key === undefined) {
        delivery.requeue(deliveryCount);
        break;
      }
      // Let other work run between immediate redeliveries of one message.
      await new Promise((resolve) => setImmediate(resolve));
    }
    release();
  }
}
