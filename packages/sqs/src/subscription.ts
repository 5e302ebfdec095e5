import type { Message } from '@aws-sdk/client-sqs';
import type { EddyError, MessageHandler, ReceivedMessage, Subscription } from '@eddy/core';
import {
  backoffDelayMs,
  KeyedQueue,
  redeliveryDelayOf,
  type ResolvedSubscribeOptions,
} from '@eddy/core/internal';
import { decodeMessage, DUE_TOLERANCE_MS } from './codec.js';
import type { SqsConnection } from './connection.js';
import { Settler } from './settler.js';

/** SQS receives at most 10 messages per call. */
const RECEIVE_BATCH = 10;
/** Longest visibility timeout SQS allows, seconds (12 hours). */
const MAX_VISIBILITY_SECONDS = 43_200;
const RETRY_DELAYS = { baseDelayMs: 100, maxDelayMs: 5_000 };

export interface SubscriptionSettings {
  readonly connection: SqsConnection;
  readonly topic: string;
  readonly options: ResolvedSubscribeOptions;
  readonly handler: MessageHandler;
  /** FIFO queue: per-key order is kept, here and by SQS's message groups. */
  readonly fifo: boolean;
  /** ReceiveMessage calls in flight at once. */
  readonly receivers: number;
  /** Told about receive failures; the subscription retries them with backoff. */
  readonly onError: (error: EddyError) => void;
  readonly onClosed: (subscription: SqsSubscription) => void;
}

/** One received message and what settling it needs. */
interface Delivery {
  readonly receiptHandle: string;
  readonly message: ReceivedMessage;
  readonly receivedAt: number;
}

type Attempt =
  { readonly outcome: 'acked' } | { readonly outcome: 'timed-out' } | { readonly thrown: unknown };

function ignore(): void {}

/** Whole seconds SQS can count, for a delay in ms: rounded up, within what SQS allows. */
export function visibilitySeconds(ms: number): number {
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(ms / 1000)));
}

/**
 * One member of a consumer group: long polls of the group's SQS queue. SQS shares the queue among
 * the group's members; a received message stays invisible to the others for the ack timeout (its
 * visibility timeout), an ack deletes it, a nack makes it visible again after the nack delay, and
 * a member that dies or a handler that hangs lets the timeout run out, after which SQS hands the
 * message out again with a higher receive count (Eddy's deliveryCount).
 *
 * On a FIFO queue SQS hands out a message group (a key) to one receiver at a time, in order; here
 * the key's messages run one after the other, and a nacked message takes the later messages of its
 * key that this member holds back with it, so they are redelivered after it.
 */
export class SqsSubscription implements Subscription {
  readonly #queue: KeyedQueue<Delivery>;
  readonly #doing: string;
  readonly #visibilitySeconds: number;
  /** Everything close() must wait for: receives, runs, handlers still going after their ack timeout. */
  readonly #work = new Set<Promise<unknown>>();
  #settler: Settler | undefined;
  #queueUrl = '';
  /** Messages received and not finished (running or waiting here), plus those asked for. */
  #held = 0;
  #roomWaiters: (() => void)[] = [];
  #closing: Promise<void> | undefined;
  /** How to push back the ack timeout of each running handler, by the message it was handed. */
  readonly #deadlines = new WeakMap<ReceivedMessage, (ms: number) => void>();

  constructor(private readonly settings: SubscriptionSettings) {
    const { options, topic, fifo } = settings;
    this.#doing = `receiving group "${options.group}" of topic "${topic}"`;
    this.#visibilitySeconds = Math.max(1, visibilitySeconds(options.ackTimeoutMs));
    this.#queue = new KeyedQueue<Delivery>({
      concurrency: options.maxInFlight,
      ...(fifo ? { keyOf: (delivery: Delivery) => delivery.message.key } : {}),
      start: (delivery) => this.#track(this.#run(delivery)),
    });
  }

  /** Creates the group's queue if needed (it receives from now on) and starts polling it. */
  async start(): Promise<void> {
    const { connection, topic, options, receivers } = this.settings;
    this.#queueUrl = await connection.groupQueue(topic, options.group);
    this.#settler = new Settler(connection, this.#queueUrl, `settling messages of group "${options.group}"`);
    for (let i = 0; i < receivers; i++) this.#track(this.#poll());
  }

  /**
   * Keeps a running delivery: the message's visibility timeout is changed to `ms` from now
   * (`ChangeMessageVisibility`, whole seconds, at most 12 hours after it was received, as SQS
   * allows), and this member's own ack timeout moves with it.
   */
  extendLease(message: ReceivedMessage, ms: number): Promise<void> {
    this.#deadlines.get(message)?.(ms);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    for (const wake of this.#roomWaiters.splice(0)) wake();
    // Messages not handed to the handler go back to the queue at once, for the other members.
    for (const delivery of this.#queue.drop(() => true)) this.#release(delivery, 0);
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
    await this.#settler?.drain();
    this.settings.onClosed(this);
  }

  #track(work: Promise<unknown>): void {
    this.#work.add(work);
    void work.finally(() => this.#work.delete(work)).catch(ignore);
  }

  #room(): number {
    return this.settings.options.maxInFlight - this.#held;
  }

  #waitForRoom(): Promise<void> {
    if (this.#room() > 0 || this.#closing !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  #finished(): void {
    this.#held -= 1;
    const wake = this.#roomWaiters.shift();
    wake?.();
  }

  async #poll(): Promise<void> {
    const { connection } = this.settings;
    let failures = 0;
    while (this.#closing === undefined) {
      await this.#waitForRoom();
      if (this.#closing !== undefined) return;
      const max = Math.min(RECEIVE_BATCH, this.#room());
      if (max <= 0) continue;
      this.#held += max;
      let messages: Message[];
      try {
        messages = await connection.receive(this.#queueUrl, max, this.#visibilitySeconds, this.#doing);
        failures = 0;
      } catch (error) {
        this.#held -= max;
        // connection.receive only throws typed errors.
        this.settings.onError(error as EddyError);
        failures += 1;
        await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(failures, RETRY_DELAYS)));
        continue;
      }
      // Room asked for and not filled is free again.
      this.#held -= max - messages.length;
      this.#accept(messages);
      for (let i = messages.length; i < max; i++) this.#roomWaiters.shift()?.();
    }
  }

  #accept(messages: readonly Message[]): void {
    const now = Date.now();
    // Keys whose earlier message in this batch is held back: their later ones wait with it.
    const heldKeys = new Map<string, number>();
    for (const wire of messages) {
      const receiptHandle = wire.ReceiptHandle;
      if (receiptHandle === undefined) {
        this.#finished();
        continue;
      }
      const { message, dueAt } = decodeMessage(this.settings.topic, wire);
      const delivery: Delivery = { receiptHandle, message, receivedAt: now };
      const key = this.settings.fifo ? message.key : undefined;
      const behind = key === undefined ? undefined : heldKeys.get(key);
      if (this.#closing !== undefined) {
        this.#release(delivery, 0);
      } else if (behind !== undefined) {
        this.#release(delivery, behind);
      } else if (dueAt !== undefined && dueAt - now > DUE_TOLERANCE_MS) {
        // Not due yet (deliverAt): invisible until it is, without counting as a delivery.
        const seconds = visibilitySeconds(dueAt - now);
        this.#release(delivery, seconds);
        if (key !== undefined) heldKeys.set(key, seconds);
      } else {
        this.#queue.push(delivery);
      }
    }
  }

  /** Gives a message back to the queue, visible again in `seconds`; it is no longer this member's. */
  #release(delivery: Delivery, seconds: number): void {
    this.#settler?.changeVisibility(delivery.receiptHandle, seconds);
    this.#finished();
  }

  async #run(delivery: Delivery): Promise<void> {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      this.#queue.done(delivery);
      this.#finished();
    };
    try {
      // It waited here for its key or a slot long enough for SQS to hand it out again soon: a
      // fresh visibility timeout gives the handler its whole ack timeout.
      const waitedMs = Date.now() - delivery.receivedAt;
      if (waitedMs > (this.#visibilitySeconds * 1000) / 2) {
        this.#settler?.changeVisibility(delivery.receiptHandle, this.#visibilitySeconds);
      }
      const attempt = await this.#attempt(delivery, finish);
      if ('outcome' in attempt) {
        if (attempt.outcome === 'acked') this.#settler?.ack(delivery.receiptHandle);
        return;
      }
      const seconds = visibilitySeconds(redeliveryDelayOf(attempt.thrown, this.settings.options.nackDelayMs));
      this.#settler?.changeVisibility(delivery.receiptHandle, seconds);
      // Later messages of the key that wait here go back with it, so they stay behind it.
      this.#releaseLaterOfKey(delivery, seconds);
    } finally {
      finish();
    }
  }

  #releaseLaterOfKey(delivery: Delivery, seconds: number): void {
    const key = delivery.message.key;
    if (!this.settings.fifo || key === undefined) return;
    for (const later of this.#queue.drop((waiting) => waiting.message.key === key))
      this.#release(later, seconds);
  }

  /** Runs the handler once, bounded by the ack timeout; a late outcome is ignored. */
  #attempt(delivery: Delivery, finish: () => void): Promise<Attempt> {
    return new Promise<Attempt>((resolve) => {
      let settled = false;
      const expire = (): void => {
        settled = true;
        resolve({ outcome: 'timed-out' });
        // SQS hands the message out again when its visibility timeout ends; on a FIFO queue its
        // group stays locked in SQS until then. Later messages of its key held here go back, so
        // that nothing overtakes it once the key is free here.
        this.#releaseLaterOfKey(delivery, 0);
        finish();
        this.#track(running.catch(ignore));
      };
      let timer = setTimeout(expire, this.settings.options.ackTimeoutMs);
      let deadline = Date.now() + this.settings.options.ackTimeoutMs;
      this.#deadlines.set(delivery.message, (ms) => {
        if (settled || Date.now() + ms <= deadline) return;
        deadline = Date.now() + ms;
        this.#settler?.changeVisibility(delivery.receiptHandle, visibilitySeconds(ms));
        clearTimeout(timer);
        timer = setTimeout(expire, ms);
      });
      // Started after the extension is in place: a handler may extend before its first await.
      const running = (async () => this.settings.handler(delivery.message))();
      running.then(
        () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ outcome: 'acked' });
        },
        (thrown: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ thrown });
        },
      );
    });
  }
}
