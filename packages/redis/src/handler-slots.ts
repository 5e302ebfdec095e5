import type { MessageHandler, ReceivedMessage } from '@eddy/core';

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
  const { topic, maxInFlight, handler } = options;
  /** Messages whose handler runs (current attempts only). */
  const running = new Set<Tracked>();
  /** Messages free to start once a slot frees up, oldest first. */
  const ready: Tracked[] = [];
  // Synchronous handlers settle together in one microtask: a batch of a few hundred would
  // otherwise cost as many closures and microtasks. Parallel arrays: no object per message.
  const doneEntries: Tracked[] = [];
  const doneAttempts: number[] = [];
  const doneFailures: HandlerFailure[] = [];

  const free = (entry: Tracked): void => {
    running.delete(entry);
    while (running.size < maxInFlight && ready.length > 0) {
      const next = ready.shift()!;
      if (next.state !== 'ready' || !options.isTracked(next)) continue;
      if (options.owns(next.partition)) hand(next);
      else next.state = 'queued';
    }
  };

  const done = (entry: Tracked, attempt: number, failure: HandlerFailure): void => {
    if (entry.attempt === attempt) free(entry);
    options.settled(entry, attempt, failure);
  };

  const settleSynchronous = (): void => {
    // Settling can start more handlers, which add to the lists: run until they are empty.
    for (let i = 0; i < doneEntries.length; i++) done(doneEntries[i]!, doneAttempts[i]!, doneFailures[i]);
    doneEntries.length = 0;
    doneAttempts.length = 0;
    doneFailures.length = 0;
  };
  const doneSoon = (entry: Tracked, attempt: number, failure: HandlerFailure): void => {
    doneAttempts.push(attempt);
    doneFailures.push(failure);
    if (doneEntries.push(entry) === 1) queueMicrotask(settleSynchronous);
  };

  function hand(entry: Tracked): void {
    if (running.size >= maxInFlight) {
      entry.state = 'ready';
      ready.push(entry);
      return;
    }
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
    running.add(entry);
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
  }

  return { hand, free };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
