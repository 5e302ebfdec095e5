import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { MessageHandler, ReceivedMessage, Subscription } from '@eddy/core';
import type { ResolvedSubscribeOptions } from '@eddy/core/internal';
import { ChannelAcks } from './channel-acks.js';
import { decode } from './codec.js';
import type { ConnectionManager } from './connection.js';
import type { DelayLadder } from './delay-ladder.js';
import type { FilterBinding } from './filter-bindings.js';
import { Dispatcher, type Delivery } from './dispatcher.js';
import { GroupMembership } from './group-membership.js';
import type { TopologyNames } from './names.js';
import { declareGroupQueues } from './topology.js';

// A delayed message that comes back this close to its due time is handed over rather than sent up
// the ladder again for a few milliseconds.
const DUE_TOLERANCE_MS = 5;
// subscribe() waits at most this long for the other members to hand this one its first partition.
const JOIN_WAIT_MS = 2_000;

export interface SubscriptionSettings {
  readonly manager: ConnectionManager;
  readonly names: TopologyNames;
  readonly ladder: DelayLadder;
  readonly topic: string;
  readonly options: ResolvedSubscribeOptions;
  readonly handler: MessageHandler;
  readonly partitions: number;
  readonly prefetch: number;
  readonly rebalanceIntervalMs: number;
  readonly reconnectDelayMs: number;
  /** Classic priority queues, which keep no delivery count: Eddy carries it (see `requeue`). */
  readonly priorityQueues: boolean;
  /** Headers a broker-side filter binding tests, or undefined when the queues take everything. */
  readonly filterBinding: FilterBinding | undefined;
  /**
   * Partition locks held by members in this process. RabbitMQ's exclusive queues only keep other
   * connections out, and every member of one transport shares its connection.
   */
  readonly locks: Map<string, RabbitMqSubscription>;
  readonly onClosed: (subscription: RabbitMqSubscription) => void;
}

interface Slot {
  state: 'free' | 'acquiring' | 'owned' | 'releasing';
  channel: Channel | undefined;
  acks: ChannelAcks | undefined;
  consumerTag: string | undefined;
}

function ignore(): void {}

/**
 * One member of a consumer group. Partitions of the group are shared out among its members: a
 * member owns a partition while it holds the partition's lock (an exclusive queue, released by
 * RabbitMQ when the member's connection dies), and only the owner consumes that partition queue.
 * Members rebalance to an even share when one joins or leaves, handing a partition over only after
 * its in-flight messages settled, so a key is never handled by two members at once.
 */
export class RabbitMqSubscription implements Subscription {
  private readonly dispatcher: Dispatcher;
  private readonly membership: GroupMembership;
  private readonly slots: Slot[];
  private connection: ChannelModel | undefined;
  private closing: Promise<void> | undefined;
  private rebalancing: Promise<void> | undefined;
  private rebalanceAgain = false;
  /** The next rebalance also takes free partitions beyond this member's share (set by the timer). */
  private sweepRequested = false;
  private ticker: NodeJS.Timeout | undefined;
  private ownershipWaiters: (() => void)[] = [];
  /** Stops listening to the connection this member is attached to. */
  private detach: () => void = ignore;

  constructor(private readonly settings: SubscriptionSettings) {
    const { options, handler, names, topic } = settings;
    this.dispatcher = new Dispatcher({
      handler,
      maxInFlight: options.maxInFlight,
      ackTimeoutMs: options.ackTimeoutMs,
      nackDelayMs: options.nackDelayMs,
    });
    this.membership = new GroupMembership({
      names,
      topic,
      group: options.group,
      onNotice: () => void this.rebalance(),
      onLost: () => {
        if (this.connection !== undefined && this.closing === undefined) {
          void this.membership.join(this.connection).catch(ignore);
        }
      },
    });
    this.slots = Array.from({ length: settings.partitions }, () => ({
      state: 'free',
      channel: undefined,
      acks: undefined,
      consumerTag: undefined,
    }));
  }

  /** Declares the group's queues, joins the group and takes a share of its partitions. */
  async start(): Promise<void> {
    await this.attach(await this.settings.manager.ready());
    this.ticker = setInterval(() => {
      this.sweepRequested = true;
      void this.rebalance();
    }, this.settings.rebalanceIntervalMs);
    this.ticker.unref();
    if (this.owned().length === 0 && (await this.membership.size()) <= this.settings.partitions) {
      await this.waitForOwnership(JOIN_WAIT_MS);
    }
  }

  /**
   * Moves the delivery's ack timeout, which this member keeps itself; the broker needs nothing
   * (its own `consumer_timeout`, 30 minutes by default, still bounds any delivery).
   */
  extendLease(message: ReceivedMessage, ms: number): Promise<void> {
    this.dispatcher.extendLease(message, ms);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.ticker);
    await this.rebalancing;
    await Promise.all(this.owned().map((partition) => this.release(partition)));
    await this.dispatcher.idle();
    await this.membership.leave();
    this.detach();
    this.settings.onClosed(this);
  }

  private owned(): number[] {
    return this.slots.flatMap((slot, partition) => (slot.state === 'owned' ? [partition] : []));
  }

  private waitForOwnership(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.ownershipWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async attach(connection: ChannelModel): Promise<void> {
    const { names, topic, options, partitions } = this.settings;
    const channel = await connection.createChannel();
    channel.on('error', ignore);
    try {
      await declareGroupQueues(
        channel,
        names,
        topic,
        options.group,
        partitions,
        this.settings.priorityQueues,
        this.settings.filterBinding,
      );
    } finally {
      await channel.close().catch(ignore);
    }
    await this.membership.join(connection);
    if (this.closing !== undefined) {
      // close() ran while this member was reconnecting: it must not stay counted in the group.
      await this.membership.leave();
      throw new Error('closed while attaching');
    }
    this.connection = connection;
    const onClose = (): void => this.onConnectionLost(connection);
    connection.once('close', onClose);
    this.detach = () => connection.off('close', onClose);
    this.membership.notify();
    await this.rebalance();
  }

  private onConnectionLost(connection: ChannelModel): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    // RabbitMQ returned every unacked message and dropped this connection's partition locks.
    for (const slot of this.slots)
      Object.assign(slot, { state: 'free', channel: undefined, acks: undefined, consumerTag: undefined });
    this.dispatcher.drop();
    if (this.closing === undefined) void this.reattach();
  }

  private async reattach(): Promise<void> {
    const { manager, reconnectDelayMs } = this.settings;
    while (this.closing === undefined && !manager.isClosed) {
      try {
        await this.attach(await manager.ready());
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs));
      }
    }
  }

  /** Runs one rebalance at a time; a request during a run schedules exactly one more run. */
  private rebalance(): Promise<void> {
    if (this.rebalancing !== undefined) {
      this.rebalanceAgain = true;
      return this.rebalancing;
    }
    const loop = async (): Promise<void> => {
      try {
        do {
          this.rebalanceAgain = false;
          await this.rebalanceOnce().catch(ignore);
        } while (this.rebalanceAgain && this.closing === undefined);
      } finally {
        this.rebalancing = undefined;
      }
    };
    this.rebalancing = loop();
    return this.rebalancing;
  }

  private async rebalanceOnce(): Promise<void> {
    const connection = this.connection;
    if (connection === undefined || this.closing !== undefined) return;
    const { partitions } = this.settings;
    const sweep = this.sweepRequested;
    this.sweepRequested = false;
    const fair = Math.ceil(partitions / (await this.membership.size()));
    const owned = this.owned();
    if (owned.length > fair && !sweep) {
      // Hand over the partitions with the least work in flight: they settle soonest.
      const surplus = owned
        .sort((a, b) => this.dispatcher.inFlight(a) - this.dispatcher.inFlight(b))
        .slice(0, owned.length - fair);
      await Promise.all(surplus.map((partition) => this.release(partition)));
      this.membership.notify();
      return;
    }
    // Start at a random partition so members joining together do not all race for the same one.
    // A sweep goes past the share: a partition nobody holds, whoever is to blame (a member that
    // counts in the group but cannot take partitions), must still be consumed. Locks keep a sweep
    // from taking anything another member holds; the surplus goes back on the next join.
    const start = Math.floor(Math.random() * partitions);
    const target = sweep ? partitions : fair;
    let count = owned.length;
    for (let i = 0; i < partitions && count < target && this.connection === connection; i += 1) {
      const partition = (start + i) % partitions;
      if (this.slots[partition]!.state !== 'free') continue;
      // Someone consumes it: trying its lock would only fail, and fill the broker log with errors.
      const queue = this.settings.names.queue(this.settings.topic, this.settings.options.group, partition);
      if ((await this.membership.consumers(queue)) > 0) continue;
      if (await this.acquire(connection, partition)) count += 1;
    }
  }

  private async acquire(connection: ChannelModel, partition: number): Promise<boolean> {
    const { names, topic, options, prefetch, locks } = this.settings;
    const slot = this.slots[partition]!;
    const lock = names.partitionLock(topic, options.group, partition);
    const holder = locks.get(lock);
    if (holder !== undefined && holder !== this) return false;
    locks.set(lock, this);
    slot.state = 'acquiring';
    let channel: Channel | undefined;
    try {
      channel = await connection.createChannel();
      channel.on('error', ignore);
      // Another connection holding the lock makes RabbitMQ refuse (RESOURCE_LOCKED) and close the channel.
      await channel.assertQueue(lock, {
        exclusive: true,
        durable: false,
      });
      // Per-consumer prefetch: quorum queues refuse a channel-wide (global) limit.
      await channel.prefetch(prefetch, false);
      if (this.connection !== connection || this.closing !== undefined) throw new Error('detached');
      const owner = channel;
      slot.channel = owner;
      slot.acks = new ChannelAcks(owner);
      slot.state = 'owned';
      owner.once('close', () => this.onPartitionChannelClosed(partition, owner));
      const queue = names.queue(topic, options.group, partition);
      const { consumerTag } = await owner.consume(
        queue,
        (message) => this.onMessage(partition, owner, queue, message),
        {
          noAck: false,
        },
      );
      slot.consumerTag = consumerTag;
      const waiters = this.ownershipWaiters;
      this.ownershipWaiters = [];
      for (const resolve of waiters) resolve();
      return true;
    } catch {
      if (slot.channel === channel)
        Object.assign(slot, { channel: undefined, acks: undefined, consumerTag: undefined });
      slot.state = 'free';
      if (locks.get(lock) === this) locks.delete(lock);
      await channel?.close().catch(ignore);
      return false;
    }
  }

  /** Lets go of a partition once its in-flight messages settled, returning the unhandled ones first. */
  private async release(partition: number): Promise<void> {
    const { names, topic, options, locks } = this.settings;
    const slot = this.slots[partition]!;
    if (slot.state !== 'owned') return;
    const lock = names.partitionLock(topic, options.group, partition);
    slot.state = 'releasing';
    this.dispatcher.drop(partition);
    const channel = slot.channel;
    const acks = slot.acks;
    if (channel !== undefined && slot.consumerTag !== undefined)
      await channel.cancel(slot.consumerTag).catch(ignore);
    await this.dispatcher.idle(partition);
    slot.channel = undefined;
    slot.acks = undefined;
    slot.consumerTag = undefined;
    if (channel !== undefined) {
      try {
        // Unhandled messages go back before the lock does, so the next owner sees them in order.
        acks?.requeueAll();
        await channel.deleteQueue(lock);
      } catch {
        // The channel or connection died: RabbitMQ returned the messages and dropped the lock itself.
      }
      await channel.close().catch(ignore);
    }
    if (locks.get(lock) === this) locks.delete(lock);
    slot.state = 'free';
  }

  private onPartitionChannelClosed(partition: number, channel: Channel): void {
    const slot = this.slots[partition]!;
    if (slot.channel !== channel) return;
    Object.assign(slot, { state: 'free', channel: undefined, acks: undefined, consumerTag: undefined });
    this.dispatcher.drop(partition);
    // The lock still belongs to this connection, so taking the partition again succeeds.
    if (this.closing === undefined && this.connection !== undefined) void this.rebalance();
  }

  private onMessage(
    partition: number,
    channel: Channel,
    queue: string,
    message: ConsumeMessage | null,
  ): void {
    const slot = this.slots[partition]!;
    if (message === null) {
      // The broker cancelled the consumer (queue deleted): give the partition up; attach re-declares.
      if (slot.channel === channel) void channel.close().catch(ignore);
      return;
    }
    const acks = slot.acks;
    if (slot.channel !== channel || slot.state !== 'owned' || acks === undefined) return;
    acks.delivered(message);
    const decoded = decode(message);
    const settle = (action: (live: ChannelAcks) => void): void => {
      // A delivery of a channel that died was already returned to the queue by the broker.
      if (slot.acks !== acks) return;
      try {
        action(acks);
      } catch {
        // Closed under us: the broker redelivers, which at-least-once allows.
      }
    };
    const returnToQueue = (): void => settle((live) => live.requeue(message));
    const requeue = !this.settings.priorityQueues
      ? returnToQueue
      : (deliveries: number): void => {
          // A classic queue would redeliver it uncounted, so retries would never run out: a copy
          // carrying the count goes back instead, and the original is acked once it is confirmed.
          const work = this.settings.ladder
            .sendNow(queue, message, deliveries)
            .then(() => settle((live) => live.ack(message)), returnToQueue);
          this.dispatcher.track(partition, work);
        };
    const postpone = async (dueAt: number, priorDeliveries: number): Promise<void> => {
      try {
        await this.settings.ladder.send(queue, message, dueAt, priorDeliveries);
        settle((live) => live.ack(message));
      } catch {
        // No confirmed copy in the delay queue: keep the original rather than risk losing it.
        returnToQueue();
      }
    };
    const { filter, onFiltered } = this.settings.options;
    if (filter !== undefined && !filter(decoded.headers)) {
      // Settled for the whole group, never redelivered: every member runs the same filter.
      settle((live) => live.ack(message));
      onFiltered(decoded.headers);
      return;
    }
    if (decoded.dueAt !== undefined && decoded.dueAt - Date.now() > DUE_TOLERANCE_MS) {
      // Not due yet (deliverAt, or back early from a delay step): not a delivery, so not counted.
      this.dispatcher.track(partition, postpone(decoded.dueAt, decoded.deliveryCount - 1));
      return;
    }
    const delivery: Delivery = {
      partition,
      message: {
        topic: this.settings.topic,
        partition,
        offset: decoded.offset,
        key: decoded.key,
        headers: decoded.headers,
        payload: message.content,
        publishedAt: decoded.publishedAt,
        deliveryCount: decoded.deliveryCount,
      },
      ack: () => settle((live) => live.ack(message)),
      requeue,
      postpone,
    };
    this.dispatcher.push(delivery);
  }
}
