import {
  type MessageHandler,
  type OutgoingMessage,
  type Position,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportCapabilities,
} from '@eddy/core';
import {
  ClosedError,
  partitionForKey,
  resolveSubscribeOptions,
  validatePublish,
  type ResolvedSubscribeOptions,
} from '@eddy/core/internal';
import type { Admin, Kafka, Producer, SeekEntry } from 'kafkajs';
import { encodeRecord } from './codec.js';
import { closeConnection, describeTarget, openConnection, type KafkaConnection } from './connection.js';
import { toEddyError } from './errors.js';
import { resolveOptions, type KafkaTransportOptions, type ResolvedKafkaOptions } from './options.js';
import { KafkaSubscription } from './subscription.js';

/** The kafkajs clients behind a Kafka transport. */
export interface KafkaNative {
  /** The `Kafka` client the transport was made with: `native.kafka.consumer({ groupId })` for your own consumers. */
  readonly kafka: Kafka;
  /** The producer Eddy publishes through, connected. */
  readonly producer: Producer;
  /** The admin client Eddy creates topics with, connected. */
  readonly admin: Admin;
}

/** The Kafka transport: a `Transport` whose positions are Kafka partitions and offsets. */
export interface KafkaTransport extends Transport {
  readonly name: 'kafka';
  /**
   * The kafkajs clients, for what Eddy does not wrap. `createKafkaTransport` resolves once the
   * producer and the admin client are connected, so they are connected here; disconnecting them
   * breaks the transport.
   */
  readonly native: KafkaNative;
}

/**
 * Connects a producer and an admin client to the brokers and returns a transport. Rejects with
 * `ConnectionError` (`EDDY_CONNECTION_FAILED`) when no broker can be reached and `AuthError`
 * (`EDDY_AUTH_FAILED`) when the SASL credentials are refused.
 */
export async function createKafkaTransport(options: KafkaTransportOptions = {}): Promise<KafkaTransport> {
  const resolved = resolveOptions(options);
  return kafkaTransportOn(await openConnection(resolved), resolved);
}

/** The transport on clients already made (connected by `createKafkaTransport`, not here). */
export function kafkaTransportOn(connection: KafkaConnection, options: ResolvedKafkaOptions): KafkaTransport {
  return new KafkaTransportImpl(connection, options);
}

/** What a Kafka transport with these options declares (a function, so a test can pin it without a broker). */
export function kafkaCapabilities(options: ResolvedKafkaOptions): TransportCapabilities {
  return {
    durable: true,
    orderingPerKey: options.nackRedelivery === 'in-place',
    consumerGroups: true,
    replay: true,
    replayFromTime: true,
    delayedDelivery: false,
    nackDelay: true,
    filtering: false,
    supersede: false,
    maxMessageBytes: options.maxMessageBytes,
  };
}

class KafkaTransportImpl implements KafkaTransport {
  readonly name = 'kafka';
  readonly capabilities: TransportCapabilities;
  readonly native: KafkaNative;
  private readonly topics = new Map<string, Promise<number>>();
  private readonly subscriptions = new Set<KafkaSubscription>();
  private readonly admin: Admin;
  /** The brokers as error messages name them. */
  private readonly where: string;
  private nextPartition = 0;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly options: ResolvedKafkaOptions,
  ) {
    this.admin = connection.admin;
    this.native = { kafka: connection.kafka, producer: connection.producer, admin: connection.admin };
    this.where = describeTarget(options.brokers);
    this.capabilities = kafkaCapabilities(options);
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<Position[]> {
    this.assertOpen();
    validatePublish(topic, messages, this.capabilities);
    if (messages.length === 0) return [];
    const partitions = await this.ensureTopic(topic);
    const placed = messages.map((message) =>
      message.key === undefined
        ? (this.nextPartition = (this.nextPartition + 1) % partitions)
        : partitionForKey(message.key, partitions),
    );
    try {
      const results = await this.connection.producer.send({
        topic,
        acks: -1,
        messages: messages.map((message, i) => ({
          key: message.key ?? null,
          ...encodeRecord(message, this.options.cloudEventsMode),
          partition: placed[i]!,
        })),
      });
      // One result per partition; messages of a partition got consecutive offsets in input order.
      const nextOffset = new Map<number, bigint>();
      for (const result of results) nextOffset.set(result.partition, BigInt(result.baseOffset ?? '0'));
      return placed.map((partition) => {
        const offset = nextOffset.get(partition) ?? 0n;
        nextOffset.set(partition, offset + 1n);
        return { partition, offset: offset.toString() };
      });
    } catch (error) {
      throw toEddyError(error, `publishing to topic "${topic}"`, this.where);
    }
  }

  async subscribe(topic: string, options: SubscribeOptions, handler: MessageHandler): Promise<Subscription> {
    this.assertOpen();
    const resolved = resolveSubscribeOptions(topic, options, this.capabilities);
    const retryTopic = this.options.nackRedelivery === 'retry-topic' ? `${topic}.retry` : undefined;
    const consumer = this.connection.kafka.consumer({
      groupId: resolved.group,
      sessionTimeout: this.options.sessionTimeoutMs,
      allowAutoTopicCreation: false,
    });
    try {
      await this.ensureTopic(topic);
      if (retryTopic !== undefined) await this.ensureTopic(retryTopic);
      await this.startNewGroup(topic, retryTopic, resolved);
      await consumer.connect();
      await consumer.subscribe({
        topics: retryTopic === undefined ? [topic] : [topic, retryTopic],
        fromBeginning: true,
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw toEddyError(error, `subscribing group "${resolved.group}" to topic "${topic}"`, this.where);
    }
    const subscription: KafkaSubscription = new KafkaSubscription({
      consumer,
      producer: this.connection.producer,
      topic,
      retryTopic,
      options: resolved,
      kafka: this.options,
      handler,
      onClosed: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    await subscription.start();
    return subscription;
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await closeConnection(this.connection);
  }

  private assertOpen(): void {
    if (this.closed !== undefined) throw new ClosedError('The Kafka transport');
  }

  /** Creates the topic unless it exists; resolves with its partition count. */
  private ensureTopic(topic: string): Promise<number> {
    let ready = this.topics.get(topic);
    if (ready === undefined) {
      ready = (async () => {
        try {
          // Resolves false (no error) when the topic already exists.
          await this.admin.createTopics({
            waitForLeaders: true,
            topics: [
              {
                topic,
                numPartitions: this.options.partitions,
                replicationFactor: this.options.replicationFactor,
              },
            ],
          });
          const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
          return metadata.topics[0]?.partitions.length ?? this.options.partitions;
        } catch (error) {
          throw toEddyError(error, `creating topic "${topic}"`, this.where);
        }
      })();
      this.topics.set(topic, ready);
      ready.catch(() => this.topics.delete(topic));
    }
    return ready;
  }

  /**
   * A group that has committed nothing yet starts where `from` says: its offsets are set before
   * its first member joins. Kafka keeps committed offsets per group, so an existing group resumes
   * from its own position whatever `from` says.
   */
  private async startNewGroup(
    topic: string,
    retryTopic: string | undefined,
    options: ResolvedSubscribeOptions,
  ): Promise<void> {
    const committed = await this.admin.fetchOffsets({ groupId: options.group, topics: [topic] });
    const isNew = committed.every((entry) =>
      entry.partitions.every((partition) => partition.offset === '-1'),
    );
    if (!isNew) return;
    const watermarks = await this.admin.fetchTopicOffsets(topic);
    let start: SeekEntry[];
    const from = options.from;
    if (from === 'earliest') start = watermarks.map(({ partition, low }) => ({ partition, offset: low }));
    else if (from === 'latest')
      start = watermarks.map(({ partition, high }) => ({ partition, offset: high }));
    else if ('time' in from) start = await this.admin.fetchTopicOffsetsByTimestamp(topic, from.time);
    else {
      start = watermarks.map(({ partition, low }) => ({
        partition,
        offset: from.positions.find((position) => position.partition === partition)?.offset ?? low,
      }));
    }
    try {
      await this.admin.setOffsets({ groupId: options.group, topic, partitions: start });
      if (retryTopic !== undefined) {
        // A new group has no retries yet: skip what other groups left in the shared retry topic.
        const retryMarks = await this.admin.fetchTopicOffsets(retryTopic);
        await this.admin.setOffsets({
          groupId: options.group,
          topic: retryTopic,
          partitions: retryMarks.map(({ partition, high }) => ({ partition, offset: high })),
        });
      }
    } catch {
      // Another member joined first and the group is running: it has its start already.
    }
  }
}
