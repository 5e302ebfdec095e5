import type { CloudEventMode } from '../cloudevents/cloud-event-message.js';
import { encodeCloudEvent } from '../cloudevents/codec.js';
import { ClosedError, InvalidOptionError, TimeoutError } from '../errors/errors.js';
import type { OutgoingMessage } from '../transport/message.js';
import type { Transport } from '../transport/transport.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { EventStore, RecordedEvent } from './event-store.js';
import type { EventSubscription } from './event-subscription.js';
import { createPollWaker, positiveOption } from './poll-loop.js';
import { recordedEventToCloudEvent } from './to-cloud-event.js';

export interface EventStoreRelayOptions {
  readonly store: EventStore;
  /** Where the relay remembers the last published position. Use a durable one (SQLite, PostgreSQL). */
  readonly checkpoints: CheckpointStore;
  readonly transport: Transport;
  /** Topic to publish to, fixed or chosen per event (e.g. by category). */
  readonly topic: string | ((event: RecordedEvent) => string);
  /** CloudEvents `source` of the service owning the store, e.g. `/hr-service`. */
  readonly source: string;
  /** Names the relay's checkpoint. Default `relay:<topic>` (a function topic needs an explicit id). */
  readonly relayId?: string;
  /** Only events of this stream category. Default: all. */
  readonly category?: string;
  /** CloudEvents binding mode. Default `'binary'`. */
  readonly mode?: CloudEventMode;
  /** Events read, and published in one `publish` call per topic, per round. Default 100. */
  readonly batchSize?: number;
  /** Poll interval once caught up, ms; the store's `onAppended` wakes the relay sooner. Default 500. */
  readonly pollIntervalMs?: number;
  /** Wait before retrying a failed read, publish or checkpoint, ms. Default 500. */
  readonly retryDelayMs?: number;
  /** Told about every failure (the relay retries the same batch). Default: none. */
  readonly onError?: (error: unknown) => void;
}

interface Waiter {
  readonly afterRound: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * The event store as its own outbox: publishes every recorded event, in global order, to a
 * transport, a batch at a time (one `publish` per topic per batch, so per-stream order holds), and
 * checkpoints after each batch. Delivery is at-least-once: after a crash between a publish and its
 * checkpoint, that batch is published again with the same CloudEvent ids (the event ids), so
 * consumers deduplicate on them (the bus's inbox does). `close()` stops it; `whenCaughtUp()`
 * resolves once everything appended before the call was published.
 */
export function startEventStoreRelay(options: EventStoreRelayOptions): EventSubscription {
  const { topic, store, checkpoints } = options;
  if (typeof topic !== 'string' && options.relayId === undefined) {
    throw new InvalidOptionError('startEventStoreRelay needs relayId when topic is a function.');
  }
  const relayId = options.relayId ?? `relay:${String(topic)}`;
  const mode = options.mode ?? 'binary';
  const batchSize = positiveOption('batchSize', options.batchSize ?? 100);
  const pollIntervalMs = positiveOption('pollIntervalMs', options.pollIntervalMs ?? 500);
  const retryDelayMs = positiveOption('retryDelayMs', options.retryDelayMs ?? 500);

  let closed = false;
  let position = 0;
  let round = 0;
  const waiters = new Set<Waiter>();
  const waker = createPollWaker(() => closed);
  const notify = (): void => waker.wake();
  const unsubscribe = store.onAppended?.(notify);
  const idle = (ms: number): Promise<void> => waker.idle(ms);

  const publish = async (events: readonly RecordedEvent[]): Promise<void> => {
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const event of events) {
      const name = typeof topic === 'string' ? topic : topic(event);
      const message = encodeCloudEvent(recordedEventToCloudEvent(event, { source: options.source }), {
        mode,
      });
      let list = byTopic.get(name);
      if (list === undefined) byTopic.set(name, (list = []));
      list.push({ key: event.streamId, headers: message.headers, payload: message.payload });
    }
    for (const [name, messages] of byTopic) await options.transport.publish(name, messages);
  };

  const run = async (): Promise<void> => {
    let loaded = false;
    while (!closed) {
      const current = ++round;
      waker.clear();
      try {
        if (!loaded) {
          position = (await checkpoints.load(relayId)) ?? 0;
          loaded = true;
        }
        const batch = await store.readAll({
          fromPosition: position + 1,
          limit: batchSize,
          ...(options.category === undefined ? {} : { category: options.category }),
        });
        if (batch.length > 0) {
          await publish(batch);
          const last = batch.at(-1)!.globalPosition;
          await checkpoints.save(relayId, last);
          position = last;
        }
        if (batch.length < batchSize) {
          for (const waiter of waiters) if (waiter.afterRound < current) waiter.resolve();
          await idle(pollIntervalMs);
        }
      } catch (error) {
        try {
          options.onError?.(error);
        } catch {
          // A failing error callback must not stop the relay.
        }
        await idle(retryDelayMs);
      }
    }
  };
  const loop = run();

  return {
    subscriptionId: relayId,
    get position() {
      return position;
    },
    whenCaughtUp(waitOptions = {}) {
      if (closed) return Promise.reject(new ClosedError(`Relay "${relayId}"`));
      const timeoutMs = waitOptions.timeoutMs ?? 10_000;
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new TimeoutError(
              `Relay "${relayId}" did not catch up within ${timeoutMs} ms (at position ${position}). ` +
                'Check onError for a failing publish, or raise timeoutMs.',
            ),
          );
        }, timeoutMs);
        const waiter: Waiter = {
          // The round in flight may have read before the caller's append: wait for a later one.
          afterRound: round,
          resolve: () => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve();
          },
          reject: (error) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            reject(error);
          },
        };
        waiters.add(waiter);
        notify();
      });
    },
    async close() {
      if (!closed) {
        closed = true;
        unsubscribe?.();
        waker.interrupt();
      }
      await loop;
      for (const waiter of waiters) waiter.reject(new ClosedError(`Relay "${relayId}"`));
    },
  };
}
