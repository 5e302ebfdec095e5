import type { PublishBatchRequestEntry, SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type {
  MessageHandler,
  OutgoingMessage,
  Position,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportCapabilities,
} from '@eddy/core';
import { ClosedError, resolveSubscribeOptions, validatePublish } from '@eddy/core/internal';
import { encodeMessage, type EncodedMessage } from './codec.js';
import { SqsConnection } from './connection.js';
import { DelayTooLongError, MAX_DELAY_MS } from './errors.js';
import {
  MAX_RECEIVERS,
  resolveOptions,
  SNS_MAX_MESSAGE_BYTES,
  type ResolvedSqsOptions,
  type SqsTransportOptions,
} from './options.js';
import { SqsSubscription } from './subscription.js';

/** The AWS SDK clients behind an SQS transport. */
export interface SqsNative {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
}

/** The SQS/SNS transport: a `Transport` on one SNS client and one SQS client. */
export interface SqsTransport extends Transport {
  /**
   * The AWS SDK v3 clients, configured with the transport's region, endpoint and credentials, for
   * what Eddy does not wrap (`native.sqs.send(new GetQueueAttributesCommand(...))`). Closing the
   * transport destroys them.
   */
  readonly native: SqsNative;
}

/** SNS takes at most 10 messages per PublishBatch, 256 KiB in all. */
const PUBLISH_BATCH = 10;

class SqsTransportImpl implements SqsTransport {
  readonly name = 'sqs';
  readonly native: SqsNative;
  readonly capabilities: TransportCapabilities;
  readonly #subscriptions = new Set<SqsSubscription>();
  #closing: Promise<void> | undefined;

  constructor(
    private readonly options: ResolvedSqsOptions,
    private readonly connection: SqsConnection,
  ) {
    this.native = { sqs: connection.sqs, sns: connection.sns };
    this.capabilities = {
      durable: true,
      // FIFO topics and queues, MessageGroupId = key.
      orderingPerKey: options.fifo,
      consumerGroups: true,
      // A group's queue holds only what was published after the queue was subscribed.
      replay: false,
      replayFromTime: false,
      // Up to 15 minutes (MAX_DELAY_MS): the receiving member holds the message back until due.
      delayedDelivery: true,
      nackDelay: true,
      filtering: false,
      supersede: false,
      maxMessageBytes: options.maxMessageBytes,
      leaseExtension: true,
    };
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<Position[]> {
    validatePublish(topic, messages, this.capabilities);
    if (this.#closing !== undefined) throw new ClosedError('The SQS transport');
    if (messages.length === 0) return [];
    const now = Date.now();
    for (const message of messages) {
      if (message.deliverAt !== undefined && message.deliverAt - now > MAX_DELAY_MS) {
        throw new DelayTooLongError(message.deliverAt - now);
      }
    }
    // Encoded before anything is sent, so a message SNS would refuse rejects the whole batch.
    const encoded = messages.map((message) =>
      encodeMessage(message, now, this.options.cloudEventsMode, this.options.fifo),
    );
    await Promise.all(
      this.#lanes(messages, encoded).map(async (lane) => {
        for (const batch of this.#batches(lane)) await this.connection.publishBatch(topic, batch);
      }),
    );
    return encoded.map((message) => ({ partition: 0, offset: message.offset }));
  }

  /**
   * Spreads messages over `publishConcurrency` lanes that publish at the same time. Each lane gets
   * whole PublishBatch calls where the keys allow (100 messages on 4 lanes go 30/30/30/10, ten
   * calls, not 25 each, twelve calls of which four half empty): a key's messages all go to one lane,
   * the first with room for all of them, else the least loaded, and each lane publishes in order, so
   * SNS receives a key's messages in publish order (what a FIFO topic keeps). Calls to `publish`
   * that follow each other keep order as well; calls made at the same time promise no order.
   */
  #lanes(messages: readonly OutgoingMessage[], encoded: readonly EncodedMessage[]): EncodedMessage[][] {
    const calls = Math.ceil(messages.length / PUBLISH_BATCH);
    const count = Math.min(this.options.publishConcurrency, calls);
    const capacity = Math.ceil(calls / count) * PUBLISH_BATCH;
    const lanes: EncodedMessage[][] = Array.from({ length: count }, () => []);
    const perKey = new Map<string, number>();
    for (const message of messages) {
      if (message.key !== undefined) perKey.set(message.key, (perKey.get(message.key) ?? 0) + 1);
    }
    const laneOfKey = new Map<string, EncodedMessage[]>();
    const laneFor = (need: number): EncodedMessage[] =>
      lanes.find((lane) => lane.length + need <= capacity) ??
      lanes.reduce((least, lane) => (lane.length < least.length ? lane : least));
    messages.forEach((message, i) => {
      let lane = message.key === undefined ? undefined : laneOfKey.get(message.key);
      if (lane === undefined) {
        lane = laneFor(message.key === undefined ? 1 : perKey.get(message.key)!);
        if (message.key !== undefined) laneOfKey.set(message.key, lane);
      }
      lane.push(encoded[i]!);
    });
    return lanes.filter((lane) => lane.length > 0);
  }

  #batches(lane: readonly EncodedMessage[]): PublishBatchRequestEntry[][] {
    const batches: PublishBatchRequestEntry[][] = [];
    let current: PublishBatchRequestEntry[] = [];
    let bytes = 0;
    for (const message of lane) {
      if (
        current.length === PUBLISH_BATCH ||
        (current.length > 0 && bytes + message.bytes > SNS_MAX_MESSAGE_BYTES)
      ) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
      current.push({
        Id: String(current.length),
        Message: message.body,
        MessageAttributes: message.attributes,
        ...(this.options.fifo
          ? { MessageGroupId: message.groupId, MessageDeduplicationId: message.offset }
          : {}),
      });
      bytes += message.bytes;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  async subscribe(topic: string, options: SubscribeOptions, handler: MessageHandler): Promise<Subscription> {
    // Refuses replay from positions or a time (a group's queue holds only what came after it).
    const resolved = resolveSubscribeOptions(topic, options, this.capabilities);
    if (this.#closing !== undefined) throw new ClosedError('The SQS transport');
    const subscription = new SqsSubscription({
      connection: this.connection,
      topic,
      options: resolved,
      handler,
      fifo: this.options.fifo,
      receivers: this.options.receivers ?? Math.min(MAX_RECEIVERS, Math.ceil(resolved.maxInFlight / 10)),
      onError: this.options.onError,
      onClosed: (closed) => this.#subscriptions.delete(closed),
    });
    this.#subscriptions.add(subscription);
    try {
      await subscription.start();
    } catch (error) {
      await subscription.close();
      throw error;
    }
    return subscription;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
      this.connection.close();
    })();
    return this.#closing;
  }
}

/**
 * Returns a transport on Amazon SNS and SQS (or an emulator with their APIs). Nothing is called
 * until the first publish or subscribe: a wrong endpoint or credentials surface there, as
 * `ConnectionError` (`EDDY_CONNECTION_FAILED`) or `AuthError` (`EDDY_AUTH_FAILED`).
 */
export function createSqsTransport(options: SqsTransportOptions = {}): Promise<SqsTransport> {
  const resolved = resolveOptions(options);
  return Promise.resolve(new SqsTransportImpl(resolved, new SqsConnection(resolved)));
}
