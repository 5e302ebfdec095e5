import {
  redeliveryDelayOf,
  type MessageHandler,
  type ResolvedSubscribeOptions,
  type Subscription,
} from '@eddy/core';
import type { Consumer, ConsumerInfo, ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeMessage } from './codec.js';
import { Slots } from './slots.js';

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
  readonly handler: MessageHandler;
  readonly onError: (error: Error) => void;
  readonly onClosed: () => void;
}

// Pause before a pull loop tries again after its consumer became unreachable (lost connection,
// server restarting). The client reconnects on its own; this only paces the retries.
const RETRY_PAUSE_MS = 500;
// Pull requests expire and are renewed this often, so a dead request never holds messages long.
const PULL_EXPIRES_MS = 2_000;
// A closing member's pull requests stay registered on the server until they expire, and NATS 2.9
// may hand a message redelivered right away to one of them, where it would sit unseen until the
// ack timeout. What a closing member gives back is therefore redelivered only once those requests
// have expired.
const CLOSE_NAK_DELAY_MS = PULL_EXPIRES_MS + 100;

/**
 * One member of a group: a pull loop per partition consumer, handlers run with at most
 * `maxInFlight` at once. Ordering per key comes from the server side (`max_ack_pending` per
 * partition consumer), not from this class.
 */
export class NatsSubscription implements Subscription {
  private closing = false;
  private closed: Promise<void> | undefined;
  private readonly slots: Slots;
  private readonly pulls = new Set<ConsumerMessages>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly loops: Promise<void>[] = [];
  private readonly wakeups = new Set<() => void>();
  private readonly unhandled: JsMsg[] = [];

  constructor(private readonly settings: NatsSubscriptionSettings) {
    this.slots = new Slots(settings.options.maxInFlight);
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

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    for (const pull of this.pulls) pull.stop();
    for (const wake of this.wakeups) wake();
    this.slots.releaseAll();
    await Promise.all(this.loops);
    await Promise.allSettled([...this.inFlight]);
    for (const msg of this.unhandled) msg.nak(CLOSE_NAK_DELAY_MS);
    // Acks and nacks are fire-and-forget publishes: flush so they reach the server before close resolves.
    await this.flush();
    this.settings.onClosed();
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
          if (this.closing) messages.stop();
          for await (const msg of messages) {
            // The common case takes a free slot synchronously: no extra turn per message.
            if (!this.closing && !this.slots.tryAcquire()) await this.slots.acquire();
            if (this.closing) this.unhandled.push(msg);
            else this.dispatch(msg);
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
   * Runs the handler on a message that holds a slot, without waiting for it. A handler that returns
   * synchronously is settled at once; only asynchronous ones are tracked for close().
   */
  private dispatch(msg: JsMsg): void {
    const { topic, handler } = this.settings;
    let result: Promise<void> | void;
    try {
      result = handler(decodeMessage(topic, msg));
    } catch (error) {
      this.settle(msg, false, error);
      return;
    }
    if (!(result instanceof Promise)) {
      this.settle(msg, true, undefined);
      return;
    }
    const run: Promise<void> = result.then(
      () => this.settle(msg, true, undefined, run),
      (error: unknown) => this.settle(msg, false, error, run),
    );
    this.inFlight.add(run);
  }

  private settle(msg: JsMsg, ok: boolean, error: unknown, run?: Promise<void>): void {
    if (run !== undefined) this.inFlight.delete(run);
    this.slots.release();
    if (ok) {
      msg.ack();
      return;
    }
    const delayMs = redeliveryDelayOf(error, this.settings.options.nackDelayMs);
    if (this.closing) msg.nak(Math.max(delayMs, CLOSE_NAK_DELAY_MS));
    else if (delayMs > 0) msg.nak(delayMs);
    else msg.nak();
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
