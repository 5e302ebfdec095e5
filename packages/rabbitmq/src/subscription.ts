import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import {
  redeliveryDelayOf,
  type MessageHandler,
  type ReceivedMessage,
  type ResolvedSubscribeOptions,
  type Subscription,
} from '@eddy/core';
import { decode, type DecodedMessage } from './codec.js';
import type { ConnectionManager } from './connection.js';
import type { DelayLadder } from './delay-ladder.js';
import type { TopologyNames } from './names.js';
import { declareGroupQueues } from './topology.js';

// A delayed message that comes back this close to its due time is handed over rather than sent up
// the ladder again for a few milliseconds.
const DUE_TOLERANCE_MS = 5;

export interface SubscriptionSettings {
  readonly manager: ConnectionManager;
  readonly names: TopologyNames;
  readonly ladder: DelayLadder;
  readonly topic: string;
  readonly options: ResolvedSubscribeOptions;
  readonly handler: MessageHandler;
  readonly partitions: number;
  readonly prefetch: number;
  readonly reconnectDelayMs: number;
  readonly onClosed: (subscription: RabbitMqSubscription) => void;
}

interface Delivery {
  readonly channel: Channel;
  readonly message: ConsumeMessage;
  readonly queue: string;
  readonly partition: number;
  readonly decoded: DecodedMessage;
}

function ignore(): void {}

/**
 * One member of a consumer group: consumes every partition queue of the group on its own channel
 * (single active consumer decides which member receives each partition), runs at most
 * `maxInFlight` handlers at once and never two of the same key, and settles each message by hand.
 */
export class RabbitMqSubscription implements Subscription {
  private channel: Channel | undefined;
  private consumerTags: string[] = [];
  private readonly pending: Delivery[] = [];
  private readonly busyKeys = new Set<string>();
  private running = 0;
  private readonly background = new Set<Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly settings: SubscriptionSettings) {}

  /** Declares the group's queues and starts consuming; rejects if the broker refuses. */
  async start(): Promise<void> {
    await this.attach(await this.settings.manager.ready());
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const channel = this.channel;
    if (channel !== undefined) {
      for (const tag of this.consumerTags) await channel.cancel(tag).catch(ignore);
    }
    // Never handed to the handler: left unacked, so closing the channel returns them to the queue.
    this.pending.length = 0;
    await this.idle();
    this.channel = undefined;
    if (channel !== undefined) await channel.close().catch(ignore);
    this.settings.onClosed(this);
  }

  private idle(): Promise<void> {
    if (this.running === 0 && this.background.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private checkIdle(): void {
    if (this.running !== 0 || this.background.size !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async attach(connection: ChannelModel): Promise<void> {
    const { names, topic, options, partitions, prefetch } = this.settings;
    const channel = await connection.createChannel();
    channel.on('error', ignore);
    try {
      // Per-consumer prefetch: quorum queues refuse a channel-wide (global) limit.
      await channel.prefetch(prefetch, false);
      const queues = await declareGroupQueues(channel, names, topic, options.group, partitions);
      this.channel = channel;
      this.consumerTags = [];
      channel.once('close', () => this.onChannelClosed(channel));
      for (const [partition, queue] of queues.entries()) {
        const { consumerTag } = await channel.consume(
          queue,
          (message) => this.onMessage(channel, queue, partition, message),
          { noAck: false },
        );
        this.consumerTags.push(consumerTag);
      }
    } catch (error) {
      if (this.channel === channel) this.channel = undefined;
      await channel.close().catch(ignore);
      throw error;
    }
  }

  private onChannelClosed(channel: Channel): void {
    if (this.channel !== channel) return;
    this.channel = undefined;
    this.consumerTags = [];
    // The broker has returned every unacked message of the dead channel to its queue.
    this.pending.length = 0;
    if (this.closing === undefined) void this.reattach();
  }

  private async reattach(): Promise<void> {
    const { manager, reconnectDelayMs } = this.settings;
    while (this.closing === undefined && !manager.isClosed) {
      try {
        await this.attach(await manager.ready());
        if (this.closing !== undefined) await this.channel?.close().catch(ignore);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs));
      }
    }
  }

  private onMessage(
    channel: Channel,
    queue: string,
    partition: number,
    message: ConsumeMessage | null,
  ): void {
    if (message === null) {
      // The broker cancelled the consumer (queue deleted): re-declare through a fresh channel.
      if (this.channel === channel) void channel.close().catch(ignore);
      return;
    }
    if (this.channel !== channel || this.closing !== undefined) return;
    const decoded = decode(message);
    const delivery: Delivery = { channel, message, queue, partition, decoded };
    if (decoded.dueAt !== undefined && decoded.dueAt - Date.now() > DUE_TOLERANCE_MS) {
      // Not due yet (deliverAt, or back early from a delay step): not a delivery, so not counted.
      this.track(this.postpone(delivery, decoded.dueAt, decoded.deliveryCount - 1));
      return;
    }
    this.pending.push(delivery);
    this.pump();
  }

  private track(work: Promise<void>): void {
    this.background.add(work);
    void work.finally(() => {
      this.background.delete(work);
      this.checkIdle();
    });
  }

  private pump(): void {
    const { maxInFlight } = this.settings.options;
    for (let i = 0; i < this.pending.length && this.running < maxInFlight;) {
      const delivery = this.pending[i]!;
      const key = delivery.decoded.key;
      if (key !== undefined && this.busyKeys.has(key)) {
        i += 1;
        continue;
      }
      this.pending.splice(i, 1);
      void this.run(delivery);
    }
  }

  private async run(delivery: Delivery): Promise<void> {
    const { handler, options, topic } = this.settings;
    const key = delivery.decoded.key;
    this.running += 1;
    if (key !== undefined) this.busyKeys.add(key);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.running -= 1;
      if (key !== undefined) this.busyKeys.delete(key);
      this.pump();
      this.checkIdle();
    };
    // RabbitMQ's consumer_timeout is broker-wide and minutes long, so the ack timeout is kept here:
    // the message goes back to the queue and whatever the handler does later is ignored.
    const timer = setTimeout(() => {
      this.requeue(delivery);
      release();
    }, options.ackTimeoutMs);
    const received: ReceivedMessage = {
      topic,
      partition: delivery.partition,
      offset: delivery.decoded.offset,
      key,
      headers: delivery.decoded.headers,
      payload: delivery.message.content,
      publishedAt: delivery.decoded.publishedAt,
      deliveryCount: delivery.decoded.deliveryCount,
    };
    let failure: { thrown: unknown } | undefined;
    try {
      await handler(received);
    } catch (thrown) {
      failure = { thrown };
    }
    clearTimeout(timer);
    if (released) return;
    if (failure === undefined) this.ack(delivery);
    else await this.nack(delivery, redeliveryDelayOf(failure.thrown, options.nackDelayMs));
    release();
  }

  private ack(delivery: Delivery): void {
    // A delivery of a channel that died was already returned to the queue by the broker.
    if (delivery.channel !== this.channel) return;
    try {
      delivery.channel.ack(delivery.message);
    } catch {
      // The channel closed under us: the broker redelivers, which at-least-once allows.
    }
  }

  private requeue(delivery: Delivery): void {
    if (delivery.channel !== this.channel) return;
    try {
      delivery.channel.nack(delivery.message, false, true);
    } catch {
      // As in ack(): a closed channel has already returned the message.
    }
  }

  private async nack(delivery: Delivery, delayMs: number): Promise<void> {
    if (delayMs <= 0) {
      this.requeue(delivery);
      return;
    }
    await this.postpone(delivery, Date.now() + delayMs, delivery.decoded.deliveryCount);
  }

  private async postpone(delivery: Delivery, dueAt: number, priorDeliveries: number): Promise<void> {
    try {
      await this.settings.ladder.send(delivery.queue, delivery.message, dueAt, priorDeliveries);
      this.ack(delivery);
    } catch {
      // No confirmed copy in the delay queue: keep the original rather than risk losing it.
      this.requeue(delivery);
    }
  }
}
