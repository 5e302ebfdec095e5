import {
  type BatchMessageHandler,
  type BatchSubscribeOptions,
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
  InvalidOptionError,
  MessageTooLargeError,
  partitionForKey,
  resolveMaxBatchSize,
  resolveSubscribeOptions,
  validatePublish,
  type BatchTarget,
  type ResolvedSubscribeOptions,
} from '@eddy/core/internal';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { encodeHeaders, toWireMessage, wireSizeBytes } from './codec.js';
import { closeConnection, describeTarget, openConnection } from './connection.js';
import { toEddyError } from './errors.js';
import { consumerName, offsetOf, partitionSubject, sequenceOf, streamName, topicSubjects } from './names.js';
import { resolveOptions, type NatsTransportOptions, type ResolvedNatsOptions } from './options.js';
import { NatsSubscription } from './subscription.js';

// Room left under the server's max_payload for the NATS header framing Eddy's size count leaves out.
const HEADER_FRAMING_RESERVE_BYTES = 1024;

/** The NATS JetStream transport: a `Transport` plus what it was configured with. */
export interface NatsTransport extends Transport {
  readonly name: 'nats';
  /** Partitions (subjects) per topic, as configured. */
  readonly partitions: number;
  /**
   * The official client's connection, for what Eddy does not wrap (`jetstream(native)`, key-value
   * buckets, request-reply). Closing it closes the transport's connection too.
   */
  readonly native: NatsConnection;
  /**
   * Offered: what the pull loops take in one turn of the event loop reaches one call of `handler`
   * (see `Transport.subscribeBatch`).
   */
  subscribeBatch(
    topic: string,
    options: BatchSubscribeOptions,
    handler: BatchMessageHandler,
  ): Promise<Subscription>;
}

/**
 * Connects to NATS, checks that JetStream is enabled and returns a transport. Rejects with
 * `ConnectionError` (`EDDY_CONNECTION_FAILED`) when no server can be reached, `AuthError`
 * (`EDDY_AUTH_FAILED`) when the credentials are refused and `BackendError` (`EDDY_BACKEND`) when
 * JetStream is not enabled.
 */
export async function createNatsTransport(options: NatsTransportOptions = {}): Promise<NatsTransport> {
  const resolved = resolveOptions(options);
  const nc = await openConnection(resolved);
  try {
    const jsm = await jetstreamManager(nc, { timeout: resolved.requestTimeoutMs });
    return new NatsTransportImpl(nc, jsm, resolved);
  } catch (error) {
    await nc.close().catch(() => undefined);
    throw toEddyError(error, 'checking that JetStream is enabled', describeTarget(resolved.servers));
  }
}

class NatsTransportImpl implements NatsTransport {
  readonly name = 'nats';
  readonly capabilities: TransportCapabilities;
  readonly partitions: number;
  /** The servers as error messages name them. */
  private readonly where: string;
  private readonly js: JetStreamClient;
  private readonly streams = new Map<string, Promise<void>>();
  private readonly subscriptions = new Set<NatsSubscription>();
  private readonly maxWireBytes: number;
  private nextPartition = 0;
  private closed: Promise<void> | undefined;

  get native(): NatsConnection {
    return this.nc;
  }

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly options: ResolvedNatsOptions,
  ) {
    this.partitions = options.partitions;
    this.where = describeTarget(options.servers);
    this.js = jetstream(nc, { timeout: options.requestTimeoutMs });
    void this.watchStatus();
    this.maxWireBytes = nc.info?.max_payload ?? 1024 * 1024;
    this.capabilities = {
      durable: options.storage === 'file',
      orderingPerKey: options.maxAckPendingPerPartition === 1,
      consumerGroups: true,
      replay: true,
      replayFromTime: true,
      // NATS 2.9 has no scheduled delivery; nak with a delay is supported.
      delayedDelivery: false,
      nackDelay: true,
      filtering: false,
      supersede: false,
      maxMessageBytes: this.maxWireBytes - HEADER_FRAMING_RESERVE_BYTES,
      leaseExtension: true,
    };
  }

  async publish(topic: string, originals: readonly OutgoingMessage[]): Promise<Position[]> {
    this.assertOpen();
    validatePublish(topic, originals, this.capabilities);
    const messages = originals.map((message) => toWireMessage(message, this.options.cloudEventsMode));
    for (const message of messages) {
      const size = wireSizeBytes(message);
      if (size > this.maxWireBytes) throw new MessageTooLargeError(size, this.maxWireBytes);
    }
    if (messages.length === 0) return [];
    await this.ensureStream(topic);
    const { prefix, partitions } = this.options;
    try {
      return await Promise.all(
        messages.map(async (message) => {
          const partition =
            message.key === undefined
              ? (this.nextPartition = (this.nextPartition + 1) % partitions)
              : partitionForKey(message.key, partitions);
          const headers = encodeHeaders(message);
          const ack = await this.js.publish(
            partitionSubject(prefix, topic, partition),
            message.payload,
            headers === undefined ? {} : { headers },
          );
          return { partition, offset: offsetOf(ack.seq) };
        }),
      );
    } catch (error) {
      // The stream may have been deleted behind this process's back: look it up again next time.
      this.streams.delete(topic);
      throw toEddyError(error, `publishing to topic "${topic}"`, this.where);
    }
  }

  subscribe(topic: string, options: SubscribeOptions, handler: MessageHandler): Promise<Subscription> {
    return this.join(topic, options, handler);
  }

  subscribeBatch(
    topic: string,
    options: BatchSubscribeOptions,
    handler: BatchMessageHandler,
  ): Promise<Subscription> {
    return this.join(topic, options, handler, true);
  }

  // `subscribe` and `subscribeBatch`: a batch member differs only in how it calls its handler.
  private async join(
    topic: string,
    options: SubscribeOptions | BatchSubscribeOptions,
    handler: MessageHandler | BatchMessageHandler,
    batched?: true,
  ): Promise<Subscription> {
    this.assertOpen();
    const resolved = resolveSubscribeOptions(topic, options, this.capabilities);
    const target: MessageHandler | BatchTarget =
      batched === true
        ? {
            handler: handler as BatchMessageHandler,
            maxBatchSize: resolveMaxBatchSize(options, resolved.maxInFlight),
          }
        : (handler as MessageHandler);
    await this.ensureStream(topic);
    const stream = streamName(this.options.prefix, topic);
    let consumers: ConsumerInfo[];
    try {
      consumers = await Promise.all(
        Array.from({ length: this.options.partitions }, (_, partition) =>
          this.ensureConsumer(topic, stream, partition, resolved),
        ),
      );
    } catch (error) {
      throw toEddyError(
        error,
        `creating consumers of group "${resolved.group}" on topic "${topic}"`,
        this.where,
      );
    }
    this.assertOpen();
    const subscription: NatsSubscription = new NatsSubscription({
      nc: this.nc,
      js: this.js,
      topic,
      stream,
      consumers,
      options: resolved,
      pullBatch: Math.min(resolved.maxInFlight, Math.max(16, this.options.maxAckPendingPerPartition)),
      handler: target,
      onError: this.options.onError,
      onClosed: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  /** Ends with the connection (the status stream completes on close). */
  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'reconnect') {
        for (const subscription of this.subscriptions) subscription.restartPulls();
      }
    }
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await closeConnection(this.nc);
  }

  private assertOpen(): void {
    if (this.closed !== undefined || this.nc.isClosed()) throw new ClosedError('The NATS transport');
  }

  private ensureStream(topic: string): Promise<void> {
    let ready = this.streams.get(topic);
    if (ready === undefined) {
      ready = this.createStream(topic);
      this.streams.set(topic, ready);
      ready.catch(() => this.streams.delete(topic));
    }
    return ready;
  }

  private async createStream(topic: string): Promise<void> {
    const { prefix, partitions } = this.options;
    const name = streamName(prefix, topic);
    const description = `Eddy topic "${topic}", partitions=${partitions}`;
    try {
      const info = await this.jsm.streams.info(name);
      const existing = /partitions=(\d+)/.exec(info.config.description ?? '')?.[1];
      if (existing !== undefined && Number(existing) !== partitions) {
        throw new InvalidOptionError(
          `Topic "${topic}" was created with ${existing} partitions, this transport uses ${partitions}. ` +
            `Use partitions: ${existing}, or a new topic: a key's partition must not move while a topic lives.`,
        );
      }
      return;
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) {
        throw toEddyError(error, `looking up the stream of topic "${topic}"`, this.where);
      }
    }
    try {
      // Adding a stream with an identical config is idempotent, so concurrent creators agree.
      await this.jsm.streams.add({
        name,
        description,
        subjects: [topicSubjects(prefix, topic)],
        storage: this.options.storage === 'file' ? StorageType.File : StorageType.Memory,
        num_replicas: this.options.replicas,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        max_age: nanos(this.options.maxAgeMs),
        max_bytes: this.options.maxBytes,
        max_msgs: this.options.maxMessages,
      });
    } catch (error) {
      throw toEddyError(error, `creating the stream of topic "${topic}"`, this.where);
    }
  }

  /**
   * Creates the durable consumer of one (group, partition) pair unless it exists. An existing
   * consumer keeps its config: the first subscriber of a group sets its ack timeout and start.
   */
  private async ensureConsumer(
    topic: string,
    stream: string,
    partition: number,
    options: ResolvedSubscribeOptions,
  ): Promise<ConsumerInfo> {
    const name = consumerName(options.group, partition);
    const existing = await this.jsm.consumers.info(stream, name).catch(() => undefined);
    if (existing !== undefined) return existing;
    const config: Partial<ConsumerConfig> = {
      durable_name: name,
      filter_subject: partitionSubject(this.options.prefix, topic, partition),
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(options.ackTimeoutMs),
      max_ack_pending: this.options.maxAckPendingPerPartition,
      max_deliver: this.options.maxDeliver,
      ...startOf(options, partition),
    };
    try {
      return await this.jsm.consumers.add(stream, config);
    } catch (error) {
      // Another member created it first with its own settings: join that one.
      const raced = await this.jsm.consumers.info(stream, name).catch(() => undefined);
      if (raced === undefined) throw error;
      return raced;
    }
  }
}

function startOf(options: ResolvedSubscribeOptions, partition: number): Partial<ConsumerConfig> {
  const from = options.from;
  if (from === 'earliest') return { deliver_policy: DeliverPolicy.All };
  if (from === 'latest') return { deliver_policy: DeliverPolicy.New };
  if ('time' in from) {
    return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(from.time).toISOString() };
  }
  const position = from.positions.find((candidate) => candidate.partition === partition);
  if (position === undefined) return { deliver_policy: DeliverPolicy.All };
  const sequence = sequenceOf(position.offset);
  if (sequence === undefined) {
    throw new InvalidOptionError(
      `Offset "${position.offset}" of partition ${partition} is not a NATS stream sequence: pass an offset this transport returned.`,
    );
  }
  return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: sequence };
}
