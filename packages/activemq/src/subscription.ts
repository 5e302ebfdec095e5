import { randomBytes } from 'node:crypto';
import type { IMessage } from '@stomp/stompjs';
import type { MessageHandler, ReceivedMessage, Subscription } from '@eddy/core';
import { KeyedQueue, redeliveryDelayOf, type ResolvedSubscribeOptions } from '@eddy/core/internal';
import { AVOID, decodeMessage, redeliveryHeaders } from './codec.js';
import type { ActiveMqConnection, Session, StompHeaders } from './connection.js';
import { groupDestination } from './destinations.js';

// A message that arrives this close to its due time is handed over rather than held back.
const DUE_TOLERANCE_MS = 5;

export interface SubscriptionSettings {
  readonly connection: ActiveMqConnection;
  readonly topic: string;
  readonly options: ResolvedSubscribeOptions;
  readonly handler: MessageHandler;
  readonly prefetch: number;
  readonly onClosed: (subscription: ActiveMqSubscription) => void;
}

/** One message as received on one session, with what settling it needs. */
interface Delivery {
  readonly session: Session;
  readonly subscriptionId: string;
  readonly ackId: string;
  readonly wire: StompHeaders;
  readonly message: ReceivedMessage;
  readonly dueAt: number | undefined;
}

type Attempt =
  { readonly outcome: 'acked' } | { readonly outcome: 'timed-out' } | { readonly thrown: unknown };

function ignore(): void {}

/**
 * One member of a consumer group: a STOMP subscription to the group's queue with client-individual
 * acks. The broker shares the queue among the group's members and, through message groups
 * (`JMSXGroupID` = key), gives all messages of a key to one member at a time, in queue order.
 *
 * ActiveMQ returns an unacknowledged message only when its consumer goes away, so redelivery is done
 * here: a nack or an ack timeout sends a copy back to the group's queue (scheduled for the nack
 * delay, counting the delivery) and acknowledges the original, both in one transaction. A keyed
 * message is retried in place instead (its later messages wait), which keeps the key's order.
 */
export class ActiveMqSubscription implements Subscription {
  /** Named in the copies this member makes while it leaves, which its selector then refuses. */
  readonly #memberId = randomBytes(8).toString('hex');
  readonly #queue: KeyedQueue<Delivery>;
  readonly #destination: string;
  /** Everything close() must wait for: runs, handlers still going after their ack timeout, copies. */
  readonly #work = new Set<Promise<unknown>>();
  #current: { session: Session; id: string } | undefined;
  #closing: Promise<void> | undefined;
  #wakeSleepers: (() => void)[] = [];
  #stopListening: () => void = ignore;

  constructor(private readonly settings: SubscriptionSettings) {
    this.#destination = groupDestination(settings.topic, settings.options.group);
    this.#queue = new KeyedQueue<Delivery>({
      concurrency: settings.options.maxInFlight,
      keyOf: (delivery) => delivery.message.key,
      start: (delivery) => this.#track(this.#run(delivery)),
      isLive: (delivery) => this.#closing === undefined && this.#isCurrent(delivery.session),
    });
  }

  /** Subscribes to the group's queue (creating it, so it receives from now on) and follows reconnects. */
  async start(): Promise<void> {
    const session = await this.settings.connection.ready();
    await this.#subscribe(session);
    this.#stopListening = this.settings.connection.onReconnected((next) => void this.#resubscribe(next));
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#stopListening();
    // Messages not handed out stay unacknowledged: unsubscribing returns them to the queue.
    this.#queue.drop(() => true);
    for (const wake of this.#wakeSleepers.splice(0)) wake();
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
    const current = this.#current;
    this.#current = undefined;
    if (current !== undefined && !current.session.closed) {
      await this.settings.connection
        .request(current.session, `leaving group "${this.settings.options.group}"`, (receipt) =>
          current.session.client.unsubscribe(current.id, { receipt }),
        )
        .catch(ignore);
    }
    this.settings.onClosed(this);
  }

  #subscribe(session: Session): Promise<void> {
    const { connection, options, prefetch, topic } = this.settings;
    const id = connection.nextId('sub');
    this.#current = { session, id };
    return connection
      .request(session, `subscribing group "${options.group}" to topic "${topic}"`, (receipt) => {
        session.client.subscribe(this.#destination, (frame) => this.#onMessage(session, id, frame), {
          id,
          receipt,
          ack: 'client-individual',
          'activemq.prefetchSize': String(prefetch),
          selector: `${AVOID} IS NULL OR ${AVOID} <> '${this.#memberId}'`,
        });
      })
      .catch((error: unknown) => {
        // A SUBSCRIBE whose receipt timed out may still be live: it must not hold messages unseen.
        try {
          if (!session.closed) session.client.unsubscribe(id);
        } catch {
          // Disconnected: the broker dropped the subscription with the connection.
        }
        throw error;
      });
  }

  async #resubscribe(session: Session): Promise<void> {
    // The broker returned every unacknowledged message with the old session; drop their copies here.
    this.#queue.drop((delivery) => delivery.session !== session);
    while (this.#closing === undefined && !session.closed) {
      try {
        await this.#subscribe(session);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  #isCurrent(session: Session): boolean {
    return !session.closed && this.#current?.session === session;
  }

  #track(work: Promise<unknown>): void {
    this.#work.add(work);
    void work.finally(() => this.#work.delete(work)).catch(ignore);
  }

  #onMessage(session: Session, subscriptionId: string, frame: IMessage): void {
    // Left unacknowledged while closing: the broker hands it to another member after UNSUBSCRIBE.
    if (this.#closing !== undefined || this.#current?.id !== subscriptionId) return;
    const ackId = frame.headers['ack'];
    if (ackId === undefined) return;
    const { message, dueAt } = decodeMessage(this.settings.topic, frame.headers, frame.binaryBody);
    this.#queue.push({ session, subscriptionId, ackId, wire: frame.headers, message, dueAt });
  }

  async #run(delivery: Delivery): Promise<void> {
    try {
      // Only a broker without schedulerSupport delivers early; then the member waits instead.
      if (delivery.dueAt !== undefined && delivery.dueAt - Date.now() > DUE_TOLERANCE_MS) {
        await this.#sleep(delivery.dueAt - Date.now());
        // Left unacknowledged for the next member when close() cut the wait short.
        if (this.#closing !== undefined) return;
      }
      const { nackDelayMs } = this.settings.options;
      for (let count = delivery.message.deliveryCount; ; count += 1) {
        const attempt = await this.#attempt(delivery, count);
        if ('outcome' in attempt) {
          if (attempt.outcome === 'acked') this.#ack(delivery);
          return;
        }
        const delayMs = redeliveryDelayOf(attempt.thrown, nackDelayMs);
        if (delivery.message.key === undefined || this.#closing !== undefined) {
          await this.#redeliver(delivery, count, delayMs);
          return;
        }
        // Keyed: retried here before any later message of its key, so the key's order holds.
        const dueAt = Date.now() + delayMs;
        if (delayMs > 0) await this.#sleep(delayMs);
        if (this.#closing !== undefined) {
          // Woken by close(): the copy waits the rest of the delay in the broker, for another member.
          await this.#redeliver(delivery, count, Math.max(0, dueAt - Date.now()));
          return;
        }
        if (!this.#isCurrent(delivery.session)) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.#queue.done(delivery);
    }
  }

  /** Runs the handler once, bounded by the ack timeout; a late outcome is ignored. */
  #attempt(delivery: Delivery, deliveryCount: number): Promise<Attempt> {
    const message =
      deliveryCount === delivery.message.deliveryCount
        ? delivery.message
        : { ...delivery.message, deliveryCount };
    return new Promise<Attempt>((resolve) => {
      let finished = false;
      const running = (async () => this.settings.handler(message))();
      const timer = setTimeout(() => {
        finished = true;
        resolve({ outcome: 'timed-out' });
        // The key and slot are free for the copy; close() still waits for the stuck handler.
        this.#queue.done(delivery);
        this.#track(running.catch(ignore));
        this.#track(this.#redeliver(delivery, deliveryCount, 0));
      }, this.settings.options.ackTimeoutMs);
      running.then(
        () => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          resolve({ outcome: 'acked' });
        },
        (thrown: unknown) => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          resolve({ thrown });
        },
      );
    });
  }

  #ack(delivery: Delivery): void {
    // On a session that is gone, the broker has already returned the message: nothing to settle.
    if (delivery.session.closed) return;
    try {
      delivery.session.client.ack(delivery.ackId, delivery.subscriptionId);
    } catch {
      // Disconnected under us: the broker redelivers, which at-least-once allows.
    }
  }

  /**
   * Replaces the message in the group's queue with a copy due in `delayMs` that counts
   * `deliveries` deliveries, and acknowledges the original: one transaction, so the broker holds
   * exactly one of them whatever happens. A leaving member marks the copy so it does not get it back.
   */
  async #redeliver(delivery: Delivery, deliveries: number, delayMs: number): Promise<void> {
    const { session } = delivery;
    if (session.closed) return;
    const { connection, options } = this.settings;
    const now = Date.now();
    const headers = redeliveryHeaders(delivery.wire, {
      priorDeliveries: deliveries,
      publishedAt: delivery.message.publishedAt,
      delayMs,
      now,
      avoid: this.#closing === undefined ? undefined : this.#memberId,
    });
    const transaction = connection.nextId('tx');
    try {
      session.client.begin(transaction);
      session.client.publish({
        destination: this.#destination,
        headers: { ...headers, transaction },
        binaryBody: delivery.message.payload,
      });
      session.client.ack(delivery.ackId, delivery.subscriptionId, { transaction });
      await connection.commit(session, transaction, `redelivering a message of group "${options.group}"`);
    } catch {
      // Nothing committed: the original stays unacknowledged, and the broker returns it to the
      // group when this member leaves or its connection drops.
      if (!session.closed) {
        try {
          session.client.abort(transaction);
        } catch {
          // Disconnected: the broker rolled the transaction back.
        }
      }
    }
  }

  /** Waits `ms`, or less when close() starts. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#wakeSleepers = this.#wakeSleepers.filter((sleeper) => sleeper !== wake);
        resolve();
      }, ms);
      this.#wakeSleepers.push(wake);
    });
  }
}
