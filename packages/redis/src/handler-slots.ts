import type { MessageHandler, ReceivedMessage } from '@eddy/core';
import { KeyedQueue, type KeyedQueueOptions } from '@eddy/core/internal';

import type { Tracked } from './in-flight.js';
import { offsetOf, timeOf } from './stream-ids.js';

/** How a handler attempt ended: `undefined` for success, else the error it threw or rejected with. */
export type HandlerFailure = { readonly error: unknown } | undefined;

/** What the slots ask of the subscription they run handlers for. */
export interface SlotOwner {
  /** True while `entry` is still the tracked message of its stream id (not settled or dropped). */
  isTracked(entry: Tracked): boolean;
  /** True while this member owns the partition. */
  owns(partition: number): boolean;
  /** An attempt ended; runs after its slot is freed (when the attempt is still the current one). */
  settled(entry: Tracked, attempt: number, failure: HandlerFailure): void;
}

export interface HandlerSlotsOptions {
  readonly topic: string;
  readonly maxInFlight: number;
  readonly handler: MessageHandler;
  readonly owner: SlotOwner;
}

/**
 * Runs handlers for at most `maxInFlight` messages at a time; the rest wait in hand-over order.
 * This is the per-message hot path of a subscription, so it avoids a closure, an object or a
 * microtask per message where it can, and it is a class so that every subscription shares one
 * optimised copy of it (see `InFlight`). It is its queue's options too, so the queue calls these
 * shared methods rather than closures made per subscription.
 */
export class HandlerSlots implements KeyedQueueOptions<Tracked> {
  readonly concurrency: number;
  readonly #topic: string;
  readonly #handler: MessageHandler;
  readonly #owner: SlotOwner;
  // Only slots, no keys: the per-key order is kept before a message is handed over (in-flight.ts).
  readonly #slots: KeyedQueue<Tracked>;
  // Synchronous handlers settle together in one microtask: a batch of a few hundred would
  // otherwise cost as many closures and microtasks. Parallel arrays: no object per message. They
  // are reused from batch to batch (emptying an array with `length = 0` drops its storage, which
  // the next batch would allocate and grow again), so a slot is cleared once settled instead.
  readonly #doneEntries: (Tracked | undefined)[] = [];
  readonly #doneAttempts: number[] = [];
  readonly #doneFailures: HandlerFailure[] = [];
  #doneCount = 0;
  readonly #settleSynchronous: () => void;

  constructor(options: HandlerSlotsOptions) {
    this.#topic = options.topic;
    this.#handler = options.handler;
    this.#owner = options.owner;
    this.concurrency = options.maxInFlight;
    this.#slots = new KeyedQueue<Tracked>(this);
    this.#settleSynchronous = () => this.#settleAll();
  }

  /** Runs the handler for `entry` now, or queues it (state `ready`) until a slot frees up. */
  hand(entry: Tracked): void {
    entry.state = 'ready'; // until a slot takes it; start() marks it handed
    this.#slots.push(entry);
  }

  /** A handler finished or was abandoned (ack timeout, partition given up): starts the oldest ready message. */
  free(entry: Tracked): void {
    this.#slots.done(entry);
  }

  /**
   * For the queue: asked when a waiting message's turn comes. One settled or dropped meanwhile is
   * skipped; one whose partition was handed over is skipped too but stays `queued`, for the drain
   * to give back.
   */
  isLive(entry: Tracked): boolean {
    if (entry.state !== 'ready' || !this.#owner.isTracked(entry)) return false;
    if (this.#owner.owns(entry.partition)) return true;
    entry.state = 'queued';
    return false;
  }

  #done(entry: Tracked, attempt: number, failure: HandlerFailure): void {
    if (entry.attempt === attempt) this.#slots.done(entry);
    this.#owner.settled(entry, attempt, failure);
  }

  #settleAll(): void {
    // Settling can start more handlers, which add to the lists: run until they are empty.
    for (let i = 0; i < this.#doneCount; i++) {
      const entry = this.#doneEntries[i]!;
      const failure = this.#doneFailures[i];
      this.#doneEntries[i] = undefined; // holds no message (and its payload) past its settlement
      this.#doneFailures[i] = undefined;
      this.#done(entry, this.#doneAttempts[i]!, failure);
    }
    this.#doneCount = 0;
  }

  #doneSoon(entry: Tracked, attempt: number, failure: HandlerFailure): void {
    const at = this.#doneCount;
    this.#doneEntries[at] = entry;
    this.#doneAttempts[at] = attempt;
    this.#doneFailures[at] = failure;
    this.#doneCount = at + 1;
    if (at === 0) queueMicrotask(this.#settleSynchronous);
  }

  /** For the queue: runs the handler in a slot it took. Callers use `hand`. */
  start(entry: Tracked): void {
    entry.state = 'handed';
    entry.attempt += 1;
    entry.handedAt = Date.now();
    const attempt = entry.attempt;
    const message: ReceivedMessage = {
      topic: this.#topic,
      partition: entry.partition,
      offset: offsetOf(entry.id),
      key: entry.key,
      headers: entry.headers,
      payload: entry.payload,
      publishedAt: timeOf(entry.id),
      deliveryCount: entry.count,
    };
    // No async wrapper per message: a synchronous handler settles in a microtask, a promise when it settles.
    const handler = this.#handler; // called as a plain function, as the handler expects
    let result: unknown;
    try {
      result = handler(message);
    } catch (error) {
      this.#doneSoon(entry, attempt, { error });
      return;
    }
    if (isPromiseLike(result)) {
      result.then(
        () => this.#done(entry, attempt, undefined),
        (error: unknown) => this.#done(entry, attempt, { error }),
      );
    } else this.#doneSoon(entry, attempt, undefined);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
