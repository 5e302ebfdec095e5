import { type MessageHandler, type ReceivedMessage } from '@eddy/core';
import { redeliveryDelayOf } from '@eddy/core/internal';

/** One message handed to the dispatcher, with the ways to settle it on the channel it came from. */
export interface Delivery {
  readonly partition: number;
  readonly message: ReceivedMessage;
  ack(): void;
  /** Back to the queue now; the broker counts it in x-delivery-count. */
  requeue(): void;
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
 * arrival order. Settles each message by ack, requeue or postpone.
 *
 * A keyed message nacked for immediate redelivery is redelivered here, to the same handler, before
 * any later message of its key: a quorum queue puts returned messages behind those already fetched,
 * so a round trip through the broker would break the key's order. Unkeyed messages go back to the
 * queue, where the broker counts the redelivery.
 */
export class Dispatcher {
  private readonly pending: Delivery[] = [];
  private readonly busyKeys = new Set<string>();
  private readonly running = new Map<number, number>();
  private runningTotal = 0;
  private readonly background = new Map<number, number>();
  private idleWaiters: { partition: number | undefined; resolve: () => void }[] = [];

  constructor(private readonly settings: DispatcherSettings) {}

  push(delivery: Delivery): void {
    const key = delivery.message.key;
    if (
      this.pending.length === 0 &&
      this.runningTotal < this.settings.maxInFlight &&
      (key === undefined || !this.busyKeys.has(key))
    ) {
      void this.run(delivery);
      return;
    }
    this.pending.push(delivery);
    this.pump();
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
    for (let i = this.pending.length - 1; i >= 0; i -= 1) {
      if (partition === undefined || this.pending[i]!.partition === partition) this.pending.splice(i, 1);
    }
    this.pump();
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

  private pump(): void {
    // run() counts itself in runningTotal synchronously, before its first await.
    for (let i = 0; i < this.pending.length && this.runningTotal < this.settings.maxInFlight;) {
      const delivery = this.pending[i]!;
      const key = delivery.message.key;
      if (key !== undefined && this.busyKeys.has(key)) {
        i += 1;
        continue;
      }
      this.pending.splice(i, 1);
      void this.run(delivery);
    }
  }

  private async run(delivery: Delivery): Promise<void> {
    const { handler, ackTimeoutMs, nackDelayMs } = this.settings;
    const key = delivery.message.key;
    this.bump(this.running, delivery.partition, 1);
    this.runningTotal += 1;
    if (key !== undefined) this.busyKeys.add(key);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.bump(this.running, delivery.partition, -1);
      this.runningTotal -= 1;
      if (key !== undefined) this.busyKeys.delete(key);
      this.pump();
      this.checkIdle();
    };
    for (let deliveryCount = delivery.message.deliveryCount; ; deliveryCount += 1) {
      // RabbitMQ's consumer_timeout is broker-wide and minutes long, so the ack timeout is kept
      // here: the message goes back to the queue and whatever the handler does later is ignored.
      const timer = setTimeout(() => {
        delivery.requeue();
        release();
      }, ackTimeoutMs);
      let failure: { thrown: unknown } | undefined;
      try {
        const { message } = delivery;
        await handler(deliveryCount === message.deliveryCount ? message : { ...message, deliveryCount });
      } catch (thrown) {
        failure = { thrown };
      }
      clearTimeout(timer);
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
        delivery.requeue();
        break;
      }
      // Let other work run between immediate redeliveries of one message.
      await new Promise((resolve) => setImmediate(resolve));
    }
    release();
  }
}
