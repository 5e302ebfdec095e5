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
import type { Client } from '@stomp/stompjs';
import { encodeSendFrame, nextOffset } from './codec.js';
import { ActiveMqConnection } from './connection.js';
import { ConnectionLost, toEddyError } from './errors.js';
import { topicDestination } from './destinations.js';
import { resolveOptions, type ActiveMqTransportOptions, type ResolvedActiveMqOptions } from './options.js';
import { ActiveMqSubscription } from './subscription.js';

/**
 * The STOMP client behind an ActiveMQ transport, for what Eddy does not wrap. A function, not a
 * property: the transport reconnects after a lost connection with a new client, so ask again
 * rather than keep one.
 */
export interface ActiveMqNative {
  /** The connected `@stomp/stompjs` `Client`, waiting up to `operationTimeoutMs` while reconnecting. */
  client(): Promise<Client>;
}

/** The ActiveMQ transport: a `Transport` on one STOMP connection. */
export interface ActiveMqTransport extends Transport {
  /** The STOMP client, for what Eddy does not wrap. */
  readonly native: ActiveMqNative;
}

class ActiveMqTransportImpl implements ActiveMqTransport {
  readonly name = 'activemq';
  readonly native: ActiveMqNative = {
    client: async () => {
      if (this.#closing !== undefined) throw new ClosedError('The ActiveMQ transport');
      return (await this.connection.ready()).client;
    },
  };
  readonly capabilities: TransportCapabilities;
  readonly #subscriptions = new Set<ActiveMqSubscription>();
  #closing: Promise<void> | undefined;

  constructor(
    private readonly options: ResolvedActiveMqOptions,
    private readonly connection: ActiveMqConnection,
  ) {
    this.capabilities = {
      durable: true,
      orderingPerKey: true,
      consumerGroups: true,
      // A group's queue holds only what was published after the queue was created.
      replay: false,
      replayFromTime: false,
      delayedDelivery: true,
      nackDelay: true,
      filtering: false,
      supersede: false,
      maxMessageBytes: options.maxMessageBytes,
    };
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<Position[]> {
    validatePublish(topic, messages, this.capabilities);
    if (this.#closing !== undefined) throw new ClosedError('The ActiveMQ transport');
    if (messages.length === 0) return [];
    const now = Date.now();
    // Encoded before anything is sent, so a header the broker would refuse rejects the whole batch.
    const frames = messages.map((message) => {
      const offset = nextOffset();
      return { offset, ...encodeSendFrame(message, offset, now, this.options.cloudEventsMode) };
    });
    const session = await this.connection.ready();
    const destination = topicDestination(topic);
    const doing = `publishing to topic "${topic}"`;
    const { client } = session;
    if (frames.length === 1) {
      const [frame] = frames as [(typeof frames)[number]];
      // A persistent SEND with a receipt is answered once the message is stored.
      await this.connection.request(session, doing, (receipt) =>
        client.publish({ destination, headers: { ...frame.headers, receipt }, binaryBody: frame.body }),
      );
    } else {
      // One transaction per batch: all of it or nothing is stored, with one disk sync.
      const transaction = this.connection.nextId('tx');
      try {
        client.begin(transaction);
        for (const frame of frames) {
          client.publish({ destination, headers: { ...frame.headers, transaction }, binaryBody: frame.body });
        }
      } catch (error) {
        // The connection dropped mid-batch: the broker rolls the open transaction back.
        throw toEddyError(new ConnectionLost(error), doing, this.connection.where);
      }
      await this.connection.commit(session, transaction, doing);
    }
    return frames.map((frame) => ({ partition: 0, offset: frame.offset }));
  }

  async subscribe(topic: string, options: SubscribeOptions, handler: MessageHandler): Promise<Subscription> {
    const resolved = resolveSubscribeOptions(topic, options, this.capabilities);
    if (this.#closing !== undefined) throw new ClosedError('The ActiveMQ transport');
    const subscription = new ActiveMqSubscription({
      connection: this.connection,
      topic,
      options: resolved,
      handler,
      prefetch: this.options.prefetch ?? resolved.maxInFlight,
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
      await this.connection.close();
    })();
    return this.#closing;
  }
}

/**
 * Connects to ActiveMQ's STOMP connector and returns a transport. Rejects with `AuthError`
 * (`EDDY_AUTH_FAILED`) when the broker refuses the credentials, `ConnectionError`
 * (`EDDY_CONNECTION_FAILED`) when it cannot be reached and `TimeoutError` (`EDDY_TIMEOUT`) when the
 * handshake does not finish; once connected, a lost connection is re-established in the background.
 */
export async function createActiveMqTransport(
  options: ActiveMqTransportOptions = {},
): Promise<ActiveMqTransport> {
  const resolved = resolveOptions(options);
  const connection = await ActiveMqConnection.open(resolved);
  return new ActiveMqTransportImpl(resolved, connection);
}
