import type { MessageHandler, ReceivedMessage } from '@eddy/core';
import { KeyedQueue } from '@eddy/core/internal';

import type { Tracked } from './in-flight.js';
import { offsetOf, timeOf } from './stream-ids.js';

/** How a handler attempt ended: `undefined` for success, else the error it threw or rejected with. */
export type HandlerFailure = { readonly error: unknown } | undefined;

export interface HandlerSlotsOptions {
  readonly topic: string;
  readonly maxInFlight: number;
  readonly handler: MessageHandler;
  /** True while `entry` is still the tracked message of its stream id (not settled or dropped). */
  isTracked(entry: Tracked): boolean;
  /** True while this member owns the partition. */
  owns(partition: number): boolean;
  /** An attempt ended; runs after its slot is freed (when the attempt is still the current one). */
  settled(entry: Tracked, attempt: number, failure: HandlerFailure): void;
}

/**
 * Runs handlers for at most `maxInFlight` messages at a time; the rest wait in hand-over order.
 * This is the per-message hot path of a subscription, so it avoids a closure, an object or a
 * microtask per message where it can.
 */
export interface HandlerSlots {
  /** Runs the handler for `entry` now, or queues it (state `ready`) until a slot frees up. */
  hand(entry: Tracked): void;
  /** A handler finished or was abandoned (ack timeout, partition given up): starts the oldest ready message. */
  free(entry: Tracked): void;
}

export function createHandlerSlots(options: HandlerSlotsOptions): HandlerSlots {
  const { topic, handler } = options;
  // Synchronous handlers settle together in one microtask: a batch of a few hundred would
  // otherwise cost as many closures and microtasks. Parallel arrays: no object per message. They
  // are reused from batch to batch (emptying an array with `length = 0` drops its storage, which
  // the next batch would allocate and grow again), so a slot is cleared once settled instead.
  const doneEntries: (Tracked | undefined)[] = [];
  const doneAttempts: number[] = [];
  const doneFailures: HandlerFailure[] = [];
  let doneCount = 0;

  /**
   * Asked when a waiting message's turn comes. One settled or dropped meanwhile is skipped; one
   * whose partition was handed over is skipped too but stays `queued`, for the drain to give back.
   */
  const isLive = (entry: Tracked): boolean => {
    if (entry.state !== 'ready' || !options.isTracked(entry)) return false;
    if (options.owns(entry.partition)) return true;
    entry.state = 'queued';
    return false;
  };

  const done = (entry: Tracked, attempt: number, failure: HandlerFailure): void => {
    if (entry.attempt === attempt) slots.done(entry);
    options.settled(entry, attempt, failure);
  };

  const settleSynchronous = (): void => {
    // Settling can start more handlers, which add to the lists: run until they are empty.
    for (let i = 0; i < doneCount; i++) {
      const entry = doneEntries[i]!;
      const failure = doneFailures[i];
      doneEntries[i] = undefined; // holds no message (and its payload) past its settlement
      doneFailures[i] = undefined;
      done(entry, doneAttempts[i]!, failure);
    }
    doneCount = 0;
  };
  const doneSoon = (entry: Tracked, attempt: number, failure: HandlerFailure): void => {
    doneEntries[doneCount] = entry;
    doneAttempts[doneCount] = attempt;
    doneFailures[doneCount] = failure;
    doneCount += 1;
    if (doneCount === 1) queueMicrotask(settleSynchronous);
  };

  const run = (entry: Tracked): void => {
    entry.state = 'handed';
    entry.attempt += 1;
    entry.handedAt = Date.now();
    const attempt = entry.attempt;
    const message: ReceivedMessage = {
      topic,
      partition: entry.partition,
      offset: offsetOf(entry.id),
      key: entry.key,
      headers: entry.headers,
      payload: entry.payload,
      publishedAt: timeOf(entry.id),
      deliveryCount: entry.count,
    };
    // No async wrapper per message: a synchronous handler settles in a microtask, a promise when it settles.
    let result: unknown;
    try {
      result = handler(message);
    } catch (error) {
      doneSoon(entry, attempt, { error });
      return;
    }
    if (isPromiseLike(result)) {
      result.then(
        () => done(entry, attempt, undefined),
        (error: unknown) => done(entry, attempt, { error }),
      );
    } else doneSoon(entry, attempt, undefined);
  };

  // Only slots, no keys: the per-key order is kept before a message is handed over (in-flight.ts).
  const slots = new KeyedQueue<Tracked>({ concurrency: options.maxInFlight, start: run, isLive });

  return {
    hand(entry) {
      entry.state = 'ready'; // until a slot takes it; run() marks it handed
      slots.push(entry);
    },
    free(entry) {
      slots.done(entry);
    },
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
