import {
  encodeCloudEvent,
  InvalidOptionError,
  recordedEventToCloudEvent,
  subscribeToEventStore,
  type CheckpointStore,
  type CloudEventMode,
  type EventStore,
  type EventSubscription,
  type RecordedEvent,
  type Transport,
} from '@eddy/core';

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
  /** Events read per round trip. Default 100. */
  readonly batchSize?: number;
  /** Poll interval once caught up, ms; appends in this process wake the relay at once. Default 500. */
  readonly pollIntervalMs?: number;
  /** Wait before retrying a failed publish, ms. Default 500. */
  readonly retryDelayMs?: number;
  /** Told about every failed publish (the relay retries the same event). Default: none. */
  readonly onError?: (error: unknown, event: RecordedEvent | undefined) => void;
}

/**
 * The event store as its own outbox: publishes every recorded event, in global order, to a
 * transport, checkpointing after each one. Delivery is at-least-once: after a crash between a
 * publish and its checkpoint, that event is published again with the same CloudEvent id (the
 * event id), so consumers deduplicate on it (the bus's inbox does). `close()` the result to stop;
 * `whenCaughtUp()` resolves once everything appended before the call was published.
 */
export function startEventStoreRelay(options: EventStoreRelayOptions): EventSubscription {
  const { topic } = options;
  if (typeof topic !== 'string' && options.relayId === undefined) {
    throw new InvalidOptionError('startEventStoreRelay needs relayId when topic is a function.');
  }
  const mode = options.mode ?? 'binary';
  return subscribeToEventStore(options.store, {
    subscriptionId: options.relayId ?? `relay:${String(topic)}`,
    checkpoints: options.checkpoints,
    ...(options.category === undefined ? {} : { category: options.category }),
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
    handler: async (event) => {
      const message = encodeCloudEvent(recordedEventToCloudEvent(event, { source: options.source }), {
        mode,
      });
      await options.transport.publish(typeof topic === 'string' ? topic : topic(event), [
        { key: event.streamId, headers: message.headers, payload: message.payload },
      ]);
    },
  });
}
