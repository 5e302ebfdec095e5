import { type MessageHandler, type ReceivedMessage, type Subscription } from '@eddy/core';
import {
  DeliveryBatcher,
  KeyedQueue,
  redeliveryDelayOf,
  type BatchTarget,
  type ResolvedSubscribeOptions,
} from '@eddy/core/internal';
import type { Consumer, ConsumerInfo, ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection, Subscription as CoreSubscription } from '@nats-io/transport-node';
import { decodeMessage } from './codec.js';

export interface NatsSubscriptionSettings {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly topic: string;
  readonly stream: string;
  /** One durable consumer per partition, all of the same group. */
  readonly consumers: readonly ConsumerInfo[];
  readonly options: ResolvedSubscribeOptions;
  /** Messages requested per pull from one partition consumer. */
  readonly pullBatch: number;
  /** A `BatchTarget` for a batch subscription (`subscribeBatch`). */
  readonly handler: MessageHandler | BatchTarget;
  readonly onError: (error: Error) => void;
  readonly onClosed: () => void;
}

// Pause before a pull loop tries again after its consumer became unreachable (lost connection,
// server restarting). The client reconnects on its own; this only paces the retries.
const RETRY_PAUSE_MS = 500;
// Pull requests expire and are renewed this often, so a dead request never holds messages long.
const PULL_EXPIRES_MS = 2_000;
// What a closing member gives back is nacked with this delay. NATS 2.9.10 was seen to leave a
// message nacked for immediate redelivery during close pending on its consumer (counted against
// max_ack_pending, not handed to the next member's waiting pull) until the ack timeout; a delayed
// nak is redelivered by the server's redelivery timer instead, which does hand it on.
const CLOSE_NAK_DELAY_MS = PULL_EXPIRES_MS + 100;
// Bound on draining a pull's inbox at close. Draining waits for one round trip to the server; while
// the server is unreachable it cannot finish, and what was in flight then comes back after the ack
// timeout instead.
const CLOSE_DRAIN_TIMEOUT_MS = 5_000;

/** A message started for a batch subscription, waiting to go over with the others of its turn. */
interface BatchedDelivery {
  readonly msg: JsMsg;
  readonly received: ReceivedMessage;
}

/**
 * One member of a group: a pull loop per partition consumer, handlers run with at most
 * `maxInFlight` at once. Ordering per key comes from the server side (`max_ack_pending` per
 * partition consumer), not from this class, so the handler queue has no keys.
 */
export class NatsSubscription implements Subscription {
  private closing = false;
  private closed: Promise<void> | undefined;
  /**
   * Handlers running, at most `maxInFlight`. A pull loop that read a message waits here for room
   * before it reads the next one, so unread messages stay with the server.
   */
  private readonly handlers: KeyedQueue<JsMsg>;
  private readonly pulls = new Set<ConsumerMessages>();
  private readonly loops: Promise<void>[] = [];
  private readonly wakeups = new Set<() => void>();
  private readonly unhandled: JsMsg[] = [];
  /**
   * The server message of each delivery whose handler runs, for `extendLease`; removed when it
   * settles. A Map, not a WeakMap: a weak entry per delivery makes every young-generation GC
   * trace it as an ephemeron, which costs more than the explicit delete.
   */
  private readonly sources = new Map<ReceivedMessage, JsMsg>();
  /** Deliveries kept by `extendLease`, with the timer of their next "working" signal. */
  private readonly extended = new Map<JsMsg, NodeJS.Timeout>();
  /** Set for a batch subscription: what the pull loops start in one turn goes over together. */
  private readonly batch: DeliveryBatcher<BatchedDelivery> | undefined;

  constructor(private readonly settings: NatsSubscriptionSettings) {
    const { handler } = settings;
    if (typeof handler !== 'function') {
      this.batch = new DeliveryBatcher<BatchedDelivery>({
        ...handler,
        messageOf: (delivery) => delivery.received,
        settle: (delivery, failure) =>
          this.settle(delivery.msg, delivery.received, failure === undefined, failure?.error),
        // The pull loops take messages from their iterators a few microtasks apart, each loop from
        // its own partition: what one read from the socket brought is all taken within this turn.
        schedule: setImmediate,
      });
    }
    this.handlers = new KeyedQueue<JsMsg>({
      concurrency: settings.options.maxInFlight,
      start: (msg) => this.dispatch(msg),
    });
  }

  start(): void {
    for (const consumer of this.settings.consumers) this.loops.push(this.pullLoop(consumer));
  }

  /**
   * Restarts every pull loop. Called after the client reconnected: the client's own recovery waits
   * a full pull expiry between consumer checks while a restarted server is still loading JetStream,
   * whereas a fresh loop retries every RETRY_PAUSE_MS.
   */
  restartPulls(): void {
    for (const pull of this.pulls) pull.stop();
  }

  /**
   * Keeps a running delivery from redelivery for `ms`: JetStream's "working" signal restarts the
   * consumer's ack wait (`ackTimeoutMs`), so it is sent now and again before each wait runs out,
   * until `ms` is covered or the delivery settles.
   */
  extendLease(message: ReceivedMessage, ms: number): Promise<void> {
    const msg = this.sources.get(message);
    if (msg === undefined || this.closing) return Promise.resolve();
    const ackWaitMs = this.settings.options.ackTimeoutMs;
    const until = Date.now() + ms;
    clearTimeout(this.extended.get(msg));
    const beat = (): void => {
      this.extended.delete(msg);
      msg.working();
      const left = until - Date.now() - ackWaitMs;
      if (left > 0) this.extended.set(msg, setTimeout(beat, Math.min(left, Math.floor(ackWaitMs / 2))));
    };
    beat();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    for (const wake of this.wakeups) wake();
    this.handlers.wake();
    await Promise.all([...this.pulls].map((pull) => this.drainPull(pull)));
    await Promise.all(this.loops);
    await this.handlers.whenIdle();
    for (const msg of this.unhandled) msg.nak(CLOSE_NAK_DELAY_MS);
    // Acks and nacks are fire-and-forget publishes: flush so they reach the server before close resolves.
    await this.flush();
    this.settings.onClosed();
  }

  /**
   * Ends one pull without losing what the server already sent to it. Stopping a pull unsubscribes
   * its inbox at once, and a message the server had delivered to that inbox but the client had not
   * read yet would be dropped and stay pending on the consumer until the ack timeout, holding back
   * its partition (`max_ack_pending = 1`). Draining unsubscribes, then reads everything that arrives
   * until the server confirmed the unsubscribe; the pull loop hands those messages to `unhandled`.
   * Once the server has processed the unsubscribe it no longer delivers to the pull's outstanding
   * requests (a request whose inbox has no interest is discarded).
   */
  private async drainPull(pull: ConsumerMessages): Promise<void> {
    const inbox = inboxOf(pull);
    if (inbox !== undefined && !inbox.isClosed() && !this.settings.nc.isClosed()) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_DRAIN_TIMEOUT_MS);
      });
      await Promise.race([inbox.drain().catch(() => undefined), timeout]);
      clearTimeout(timer);
    }
    pull.stop();
  }

  private async flush(): Promise<void> {
    if (!this.settings.nc.isClosed()) await this.settings.nc.flush().catch(() => undefined);
  }

  private async pullLoop(info: ConsumerInfo): Promise<void> {
    const { js, stream, pullBatch, onError } = this.settings;
    // The first round uses the info from subscribe; later rounds look the consumer up again.
    let known: Consumer | undefined = js.consumers.getConsumerFromInfo(info);
    while (!this.closing) {
      try {
        const consumer = known ?? (await js.consumers.get(stream, info.name));
        known = undefined;
        if (this.closing) return;
        const messages = await consumer.consume({ max_messages: pullBatch, expires: PULL_EXPIRES_MS });
        this.pulls.add(messages);
        try {
          // Close began while this pull was being set up: shutdown did not see it, so drain it here.
          if (this.closing) void this.drainPull(messages);
          for await (const msg of messages) {
            // The common case finds room synchronously: no extra turn per message. Every loop
            // parked here wakes when a handler ends, so each checks again before taking the room.
            while (!this.closing && !this.handlers.hasRoom) await this.handlers.whenRoom();
            if (this.closing) this.unhandled.push(msg);
            else this.handlers.push(msg);
          }
        } finally {
          this.pulls.delete(messages);
        }
      } catch (error) {
        if (!this.closing) onError(error instanceof Error ? error : new Error(String(error)));
      }
      if (!this.closing) await this.pause(RETRY_PAUSE_MS);
    }
  }

  /**
   * Runs the handler on a message the queue started, without waiting for it. A handler that
   * returns synchronously is settled at once, without a promise.
   */
  private dispatch(msg: JsMsg): void {
    const { topic, handler } = this.settings;
    let received: ReceivedMessage | undefined;
    let result: Promise<void> | void;
    try {
      received = decodeMessage(topic, msg);
      this.sources.set(received, msg);
      if (typeof handler !== 'function') {
        this.batch?.add({ msg, received });
        return;
      }
      result = handler(received);
    } catch (error) {
      this.settle(msg, received, false, error);
      return;
    }
    if (!(result instanceof Promise)) {
      this.settle(msg, received, true, undefined);
      return;
    }
    const handed = received;
    void result.then(
      () => this.settle(msg, handed, true, undefined),
      (error: unknown) => this.settle(msg, handed, false, error),
    );
  }

  /**
   * Acks or nacks, then frees the handler's room, also when the ack throws (a closed connection):
   * `close` waits for every started handler to be done.
   */
  private settle(msg: JsMsg, received: ReceivedMessage | undefined, ok: boolean, error: unknown): void {
    if (received !== undefined) this.sources.delete(received);
    if (this.extended.size > 0) {
      clearTimeout(this.extended.get(msg));
      this.extended.delete(msg);
    }
    try {
      if (ok) {
        msg.ack();
        return;
      }
      const delayMs = redeliveryDelayOf(error, this.settings.options.nackDelayMs);
      if (this.closing) msg.nak(Math.max(delayMs, CLOSE_NAK_DELAY_MS));
      else if (delayMs > 0) msg.nak(delayMs);
      else msg.nak();
    } finally {
      this.handlers.done(msg);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakeups.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeups.add(wake);
    });
  }
}

/**
 * The core subscription behind a pull. nats.js keeps it as the `sub` field of its pull iterator and
 * offers no draining stop; reading it through this guard keeps a client change from breaking close
 * (without it, close falls back to a plain stop).
 */
function inboxOf(pull: ConsumerMessages): CoreSubscription | undefined {
  const sub: unknown = (pull as { sub?: unknown }).sub;
  if (typeof sub !== 'object' || sub === null) return undefined;
  const candidate = sub as Partial<CoreSubscription>;
  return typeof candidate.drain === 'function' && typeof candidate.isClosed === 'function'
    ? (sub as CoreSubscription)
    : undefined;
}
