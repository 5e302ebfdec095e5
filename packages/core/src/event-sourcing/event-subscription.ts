import { ClosedError, InvalidOptionError, TimeoutError } from '../errors/errors.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { createPollWaker, positiveOption } from './poll-loop.js';
import type { EventStore, RecordedEvent } from './event-store.js';

export interface EventSubscriptionOptions {
  /** Names the checkpoint: a subscription with the same id resumes where the last one stopped. */
  readonly subscriptionId: string;
  readonly checkpoints: CheckpointStore;
  /** Only events of this stream category (`order` for `order-*`). Default: every event. */
  readonly category?: string;
  /**
   * Handles one event. Resolving checkpoints it; throwing calls `onError` and retries the same
   * event after `retryDelayMs`, forever (a projection must not skip events).
   */
  readonly handler: (event: RecordedEvent) => Promise<void> | void;
  /** Events read per round trip. Default 100. */
  readonly batchSize?: number;
  /**
   * Poll interval once caught up. Default 500 ms. Stores with `onAppended` wake the subscription at
   * once, so this is only their safety net.
   */
  readonly pollIntervalMs?: number;
  /** Wait before retrying a failed handler, read or checkpoint save. Default 500 ms. */
  readonly retryDelayMs?: number;
  /** Told about every failure (handler, read, checkpoint). Default: none. */
  readonly onError?: (error: unknown, event: RecordedEvent | undefined) => void;
}

export interface EventSubscription {
  readonly subscriptionId: string;
  /** Global position of the last event handled and checkpointed (0 before any). */
  readonly position: number;
  /**
   * Resolves once every event appended before the call has been handled and checkpointed: the
   * hook tests and rebuilds wait on instead of sleeping. Rejects with `TimeoutError` after
   * `timeoutMs` (default 10 000), with `ClosedError` if the subscription closes first.
   */
  whenCaughtUp(options?: { readonly timeoutMs?: number }): Promise<void>;
  /** Stops reading, lets the event in hand finish (and checkpoint), and resolves. Idempotent. */
  close(): Promise<void>;
}

interface Waiter {
  readonly afterPass: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Delivers the store's events in global order to `handler`, at least once, from the subscription's
 * checkpoint: first the backlog (catch-up), then new events as they are appended (live). Both
 * phases are the same "read after the last handled position" loop, so the seam between them can
 * have no gap and no duplicate.
 */
export function subscribeToEventStore(
  store: EventStore,
  options: EventSubscriptionOptions,
): EventSubscription {
  const batchSize = positiveOption('batchSize', options.batchSize ?? 100);
  const pollIntervalMs = positiveOption('pollIntervalMs', options.pollIntervalMs ?? 500);
  const retryDelayMs = positiveOption('retryDelayMs', options.retryDelayMs ?? 500);
  if (typeof options.subscriptionId !== 'string' || options.subscriptionId.length === 0) {
    throw new InvalidOptionError('subscriptionId must be a non-empty string.');
  }

  let closed = false;
  let position = 0;
  let pass = 0;
  const waiters = new Set<Waiter>();

  const waker = createPollWaker(() => closed);
  const notify = (): void => waker.wake();
  const unsubscribe = store.onAppended?.(notify);
  const idle = (ms: number): Promise<void> => waker.idle(ms);

  const report = (error: unknown, event?: RecordedEvent): void => {
    try {
      options.onError?.(error, event);
    } catch {
      // A failing error callback must not stop the subscription.
    }
  };

  /** Runs `work` until it succeeds; false if the subscription closed first. */
  const persist = async (work: () => Promise<void> | void, event?: RecordedEvent): Promise<boolean> => {
    while (!closed) {
      try {
        await work();
        return true;
      } catch (error) {
        report(error, event);
        await idle(retryDelayMs);
      }
    }
    return false;
  };

  const persistThroughClose = async (work: () => Promise<void>): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await work();
        return;
      } catch (error) {
        report(error);
        if (closed && attempt >= 2) return;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      }
    }
  };

  const run = async (): Promise<void> => {
    const loaded = await persist(async () => {
      position = (await options.checkpoints.load(options.subscriptionId)) ?? 0;
    });
    if (!loaded) return;
    while (!closed) {
      const current = ++pass;
      // A wake-up from now on may concern events this read misses: keep it for the next idle.
      waker.clear();
      let batch: RecordedEvent[] = [];
      const read = await persist(async () => {
        batch = await store.readAll({
          fromPosition: position + 1,
          limit: batchSize,
          ...(options.category === undefined ? {} : { category: options.category }),
        });
      });
      if (!read) return;
      for (const event of batch) {
        if (!(await persist(() => options.handler(event), event))) return;
        position = event.globalPosition;
        // Once the handler ran, the checkpoint is saved even when closing, so a restart does not repeat it.
        const saved = position;
        await persistThroughClose(() => options.checkpoints.save(options.subscriptionId, saved));
      }
      if (batch.length < batchSize) {
        for (const waiter of waiters) if (waiter.afterPass < current) waiter.resolve();
        await idle(pollIntervalMs);
      }
    }
  };

  const loop = run().catch((error: unknown) => report(error));

  return {
    subscriptionId: options.subscriptionId,
    get position() {
      return position;
    },
    whenCaughtUp(waitOptions = {}) {
      if (closed) return Promise.reject(new ClosedError(`Subscription "${options.subscriptionId}"`));
      const timeoutMs = waitOptions.timeoutMs ?? 10_000;
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          // The pass in flight may have started before the caller's append: wait for a later one.
          afterPass: pass,
          resolve: () => finish(resolve),
          reject: (error) => finish(() => reject(error)),
        };
        const timer = setTimeout(
          () =>
            waiter.reject(
              new TimeoutError(
                `Subscription "${options.subscriptionId}" did not catch up within ${timeoutMs} ms (at position ${position}). ` +
                  'Check onError for a failing handler, or raise timeoutMs.',
              ),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          waiters.delete(waiter);
          settle();
        };
        waiters.add(waiter);
        notify();
      });
    },
    async close() {
      if (closed) return loop;
      closed = true;
      unsubscribe?.();
      waker.interrupt();
      await loop;
      for (const waiter of waiters)
        waiter.reject(new ClosedError(`Subscription "${options.subscriptionId}"`));
    },
  };
}
