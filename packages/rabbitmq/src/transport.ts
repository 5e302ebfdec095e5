import {
  type MessageHandler,
  type OutgoingMessage,
  type Position,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportCapabilities,
} from '@eddy/core';
import { ClosedError, partitionForKey, resolveSubscribeOptions, validatePublish } from '@eddy/core/internal';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { encodeMessage, nextOffset, priorityOf } from './codec.js';
import { ConnectionManager } from './connection.js';
import { DelayLadder } from './delay-ladder.js';
import { filterBindingOf } from './filter-bindings.js';
import { TopologyNames } from './names.js';
import { resolveOptions, type RabbitMqTransportOptions, type ResolvedRabbitMqOptions } from './options.js';
import { publishConfirmed, type AmqpPublish } from './publish-confirmed.js';
import { RabbitMqSubscription } from './subscription.js';
import { declareExchange, MAX_PRIORITY } from './topology.js';

/**
 * The amqplib objects behind a RabbitMQ transport, for what Eddy does not wrap. Functions, not
 * properties: the transport reconnects after a lost connection, and each reconnection makes new
 * objects, so ask again rather than keep one.
 */
export interface RabbitMqNative {
  /** The live connection (amqplib `ChannelModel`), waiting up to `operationTimeoutMs` while reconnecting. */
  connection(): Promise<ChannelModel>;
  /**
   * The confirm channel Eddy publishes through. A channel error (a publish to a missing exchange,
   * a failed passive declare) closes it for Eddy too, which then opens another; prefer a channel
   * of your own from `connection().createChannel()` for anything that may fail.
   */
  channel(): Promise<ConfirmChannel>;
}

/** The RabbitMQ transport: a `Transport` plus what it was configured with. */
export interface RabbitMqTransport extends Transport {
  readonly name: 'rabbitmq';
  /** Partition queues per consumer group, as configured. */
  readonly partitions: number;
  /** The amqplib connection and channel, for what Eddy does not wrap. */
  readonly native: RabbitMqNative;
}

class RabbitMqTransportImpl implements RabbitMqTransport {
  readonly name = 'rabbitmq';
  readonly capabilities: TransportCapabilities;
  readonly partitions: number;
  readonly native: RabbitMqNative;
  private readonly names: TopologyNames;
  private readonly ladder: DelayLadder;
  private readonly subscriptions = new Set<RabbitMqSubscription>();
  private readonly locks = new Map<string, RabbitMqSubscription>();
  private readonly exchanges = new Map<string, Promise<string>>();
  private exchangesGeneration = 0;
  private roundRobin = 0;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: ResolvedRabbitMqOptions,
    private readonly manager: ConnectionManager,
  ) {
    this.partitions = options.partitions;
    this.native = {
      connection: () => this.liveOrClosed(() => manager.ready()),
      channel: () => this.liveOrClosed(() => manager.confirmChannel()),
    };
    this.names = new TopologyNames(options.namePrefix);
    this.ladder = new DelayLadder(manager, this.names, options.baseDelayMs, options.operationTimeoutMs);
    this.capabilities = {
      durable: true,
      orderingPerKey: true,
      consumerGroups: true,
      // Classic and quorum queues only hold what arrived after they were declared.
      replay: false,
      replayFromTime: false,
      delayedDelivery: true,
      nackDelay: true,
      // The subscriber's filter runs in the transport, before the dispatcher: dropped messages
      // are acked there and never reach the handler's pipeline.
      filtering: true,
      supersede: false,
      maxMessageBytes: options.maxMessageBytes,
      leaseExtension: true,
      priority: options.priorityQueues,
    };
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<Position[]> {
    validatePublish(topic, messages, this.capabilities);
    if (this.closing !== undefined) throw new ClosedError('The RabbitMQ transport');
    if (messages.length === 0) return [];
    const channel = await this.manager.confirmChannel();
    const exchange = await this.exchange(topic);
    const now = Date.now();
    const positions: Position[] = [];
    const batch: AmqpPublish[] = messages.map((message) => {
      const partition =
        message.key === undefined
          ? (this.roundRobin = (this.roundRobin + 1) % this.partitions)
          : partitionForKey(message.key, this.partitions);
      const offset = nextOffset();
      positions.push({ partition, offset });
      const encoded = encodeMessage(message, offset, now, this.options.cloudEventsMode);
      const priority = this.options.priorityQueues ? priorityOf(message, MAX_PRIORITY) : undefined;
      if (priority !== undefined) encoded.properties.priority = priority;
      return { exchange, routingKey: String(partition), ...encoded };
    });
    await publishConfirmed(channel, batch, this.options.operationTimeoutMs);
    return positions;
  }

  async subscribe(topic: string, options: SubscribeOptions, handler: MessageHandler): Promise<Subscription> {
    const resolved = resolveSubscribeOptions(topic, options, this.capabilities);
    if (this.closing !== undefined) throw new ClosedError('The RabbitMQ transport');
    const subscription = new RabbitMqSubscription({
      manager: this.manager,
      names: this.names,
      ladder: this.ladder,
      topic,
      options: resolved,
      handler,
      partitions: this.partitions,
      prefetch: this.options.prefetch ?? resolved.maxInFlight,
      rebalanceIntervalMs: this.options.rebalanceIntervalMs,
      reconnectDelayMs: this.options.initialReconnectDelayMs,
      priorityQueues: this.options.priorityQueues,
      filterBinding: this.options.brokerFilters ? filterBindingOf(options.filter) : undefined,
      locks: this.locks,
      onClosed: (closed) => this.subscriptions.delete(closed),
    });
    await subscription.start();
    this.subscriptions.add(subscription);
    return subscription;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      await this.manager.close();
    })();
    return this.closing;
  }

  private liveOrClosed<T>(get: () => Promise<T>): Promise<T> {
    if (this.closing !== undefined) return Promise.reject(new ClosedError('The RabbitMQ transport'));
    return get();
  }

  /** Declares the topic's exchange once per connection: a deleted exchange comes back after a reconnect. */
  private exchange(topic: string): Promise<string> {
    if (this.exchangesGeneration !== this.manager.generation) {
      this.exchangesGeneration = this.manager.generation;
      this.exchanges.clear();
    }
    let declared = this.exchanges.get(topic);
    if (declared === undefined) {
      declared = this.manager
        .confirmChannel()
        .then((channel) => declareExchange(channel, this.names, topic))
        .catch((error: unknown) => {
          this.exchanges.delete(topic);
          throw error;
        });
      this.exchanges.set(topic, declared);
    }
    return declared;
  }
}

/**
 * Connects to RabbitMQ and returns a transport. Rejects with `AuthError` (`EDDY_AUTH_FAILED`) when
 * the broker refuses the credentials and `ConnectionError` (`EDDY_CONNECTION_FAILED`) when it cannot
 * be reached; once connected, a lost connection is re-established in the background.
 */
export async function createRabbitMqTransport(
  options: RabbitMqTransportOptions = {},
): Promise<RabbitMqTransport> {
  const resolved = resolveOptions(options);
  const manager = await ConnectionManager.open(resolved);
  return new RabbitMqTransportImpl(resolved, manager);
}
