import type { CheckpointStore } from './checkpoint-store.js';
import type { EventStore, RecordedEvent } from './event-store.js';
import {
  subscribeToEventStore,
  type EventSubscription,
  type EventSubscriptionOptions,
} from './event-subscription.js';

/**
 * An async projection: keeps a read model up to date from the event store through a subscription
 * with a durable checkpoint. Handlers run at least once per event, so make them idempotent
 * (upserts keyed by stream id, or keep the handled `globalPosition` in the read model).
 */
export interface Projection {
  /** Unique name; also the checkpoint's subscription id. */
  readonly name: string;
  /** Only events of this stream category. Default: all. */
  readonly category?: string;
  /** Only these event types; others are skipped (and checkpointed). Default: all. */
  readonly eventTypes?: readonly string[];
  handle(event: RecordedEvent): Promise<void> | void;
  /** Empties the read model; called by `rebuildProjection` before replaying. */
  reset?(): Promise<void> | void;
}

/** Subscription settings a projection run accepts (everything but what the projection defines). */
export type ProjectionRunOptions = Omit<
  EventSubscriptionOptions,
  'subscriptionId' | 'handler' | 'category'
> & {
  readonly checkpoints: CheckpointStore;
};

function subscriptionOptions(
  projection: Projection,
  options: ProjectionRunOptions,
): EventSubscriptionOptions {
  const types = projection.eventTypes === undefined ? undefined : new Set(projection.eventTypes);
  return {
    ...options,
    subscriptionId: projection.name,
    ...(projection.category === undefined ? {} : { category: projection.category }),
    handler: (event) => (types === undefined || types.has(event.type) ? projection.handle(event) : undefined),
  };
}

/** Starts (or resumes from its checkpoint) a projection; `close()` the result to stop it. */
export function startProjection(
  store: EventStore,
  projection: Projection,
  options: ProjectionRunOptions,
): EventSubscription {
  return subscribeToEventStore(store, subscriptionOptions(projection, options));
}

/**
 * Rebuilds a projection from the first event: resets the read model, forgets the checkpoint,
 * replays until caught up, and stops. Stop the running projection first; start it again after.
 * Resolves with the checkpoint position reached. `timeoutMs` bounds the replay; default 600 000 ms.
 */
export async function rebuildProjection(
  store: EventStore,
  projection: Projection,
  options: ProjectionRunOptions & { readonly timeoutMs?: number },
): Promise<number> {
  await projection.reset?.();
  await options.checkpoints.delete(projection.name);
  const { timeoutMs, ...runOptions } = options;
  const subscription = startProjection(store, projection, runOptions);
  try {
    await subscription.whenCaughtUp({ timeoutMs: timeoutMs ?? 600_000 });
    return subscription.position;
  } finally {
    await subscription.close();
  }
}
