import type { BusEvent, EventHandler } from './handler-types.js';
import type { BatchHandler } from './batch-collector.js';
import type { BatchHandlerOptions, HandlerOptions, StopOptions } from './bus-options.js';
import type { InflightDelivery } from './long-running.js';
import type { FairGroupStatus } from './fair-group-status.js';
import type { PublishDedupe } from '../transport/publish-dedupe.js';

/**
 * Declares the events a bus carries, once: event type -> data type. Write it as a type alias or
 * an interface, e.g. `interface Events { 'order.placed': { orderId: string; total: number } }`.
 */
export type EventTypes<Events> = keyof Events & string;

/** An event-type pattern: `*` matches any run of characters (`order.*`, `*.failed`). */
export type TypePattern = `${string}*${string}`;

/** Any event of the map, as a union discriminated by `type`. */
export type AnyBusEvent<Events> = {
  [TType in EventTypes<Events>]: BusEvent<TType, Events[TType]>;
}[EventTypes<Events>];

/** Options of one `bus.publish`. Every field is optional. */
export interface PublishOptions {
  /** Event id. Default a random UUID. Reuse an id to let consumers' dedup drop a repeat. */
  readonly id?: string;
  /** Partition key (also written as the `partitionkey` extension). Default none: spread over partitions. */
  readonly key?: string;
  readonly subject?: string;
  /** Event time. Default now. */
  readonly time?: Date | string;
  /** Default: the handled event's correlation id inside a handler, else the new event's id. */
  readonly correlationId?: string;
  /** Default: the handled event's id inside a handler, else none. */
  readonly causationId?: string;
  /** Schema version of `data`, written as the `schemaversion` extension. */
  readonly schemaVersion?: number;
  /** More CloudEvents extension attributes (lower-case alphanumeric names). */
  readonly extensions?: Readonly<Record<string, string | number | boolean>>;
  /** Earliest delivery, epoch ms (transports with `capabilities.delayedDelivery` only). */
  readonly deliverAt?: number;
  /**
   * Latest delivery, epoch ms: past it the event is never handled (dropped and counted, or
   * dead-lettered with `EDDY_EXPIRED`, as each handler's `expired` option says). Written as the
   * `expiresat` extension. Must lie in the future and after `deliverAt`. Default none.
   */
  readonly expiresAt?: number;
  /**
   * Priority, a whole number from 0 (the default, lowest) to 9. An event above 0 goes to its
   * topic's priority lane `<topic>.priority-<n>`; handlers registered with `priority` serve higher
   * lanes first. Written as the `priority` extension.
   */
  readonly priority?: number;
  /**
   * Publish-time dedupe or debounce by key: `{ key, ttlMs, mode: 'drop' | 'replace' | 'extend',
   * maxDelayMs }` (see `PublishDedupe`). A dropped repeat resolves with the position of the
   * message it repeats. Transports with `capabilities.publishDedupe` only (memory, SQLite,
   * PostgreSQL); elsewhere the publish rejects with `EDDY_NOT_SUPPORTED`. Default none.
   */
  readonly dedupe?: PublishDedupe;
  /**
   * Last value per key: a newer event of the same type and `key`, also published with `supersede`,
   * makes this one stale while it is still undelivered, and a stale event is settled unhandled and
   * counted (`BusMetrics.superseded`). Needs `key`. Only where the transport declares
   * `capabilities.supersede`, and only among the messages a consumer has fetched and not yet
   * handed to a handler (see the bus guide); elsewhere every event is delivered. Written as the
   * `supersede` extension. Default false.
   */
  readonly supersede?: boolean;
}

/** Where a published event landed. */
export interface PublishResult {
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** One event of `bus.publishBatch`. */
export type BatchPublishItem<Events> = {
  [K in EventTypes<Events>]: {
    readonly type: K;
    readonly data: Events[K];
    readonly options?: PublishOptions;
  };
}[EventTypes<Events>];

/** A registered handler, as `bus.handlers` lists it. */
export interface RegisteredHandler {
  readonly name: string;
  readonly type: string;
  readonly topic: string;
  readonly group: string;
  /** The event types the handler declared it may publish (`HandlerOptions.emits`). */
  readonly emits: readonly string[];
}

export interface Bus<Events> {
  /** Encodes `data` as a CloudEvent of `type` and publishes it to the type's topic. */
  publish<TType extends EventTypes<Events>>(
    type: TType,
    data: Events[TType],
    options?: PublishOptions,
  ): Promise<PublishResult>;
  /**
   * Publishes several events like `publish`, each through the publish middleware, then the events
   * of each topic in one transport call (one broker round trip, one commit). Resolves with their
   * results in order once all are durable; rejects with the first error if any failed (the events
   * of other topics may then be published: their ids make a retry safe for consumers that dedup).
   */
  publishBatch(items: readonly BatchPublishItem<Events>[]): Promise<PublishResult[]>;
  /**
   * Fire-and-forget: publishes like `publish` but returns at once and never throws. An event that
   * cannot be published (bad input, backend down, too many in flight, bus stopped) is dropped,
   * counted (`BusMetrics.dropped` by reason) and logged. For telemetry-like events whose loss is
   * acceptable; use `publish` (durable before it resolves) for everything else. `stop()` waits for
   * emits in flight, up to its deadline.
   */
  emit<TType extends EventTypes<Events>>(type: TType, data: Events[TType], options?: PublishOptions): void;
  /**
   * Registers a handler for `type`. Its consumer group is `<bus group>.<name>`; the name defaults
   * to the type. Throws `DuplicateHandlerError` when the name is taken. After `start()`, the
   * handler subscribes at once.
   */
  on<TType extends EventTypes<Events>>(
    type: TType,
    handler: EventHandler<BusEvent<TType, Events[TType]>>,
    options?: HandlerOptions,
  ): RegisteredHandler;
  /**
   * Registers a handler for every type a pattern matches, on one topic those types share (so
   * `topic` is required). The handler sees the union of the map's events; narrow on `event.type`.
   * The name defaults to the pattern with `*` spelled `all` (`order.*` -> `order.all`).
   */
  on(
    pattern: TypePattern,
    handler: EventHandler<AnyBusEvent<Events>>,
    options: HandlerOptions & { readonly topic: string },
  ): RegisteredHandler;
  /**
   * Registers a handler that receives events in batches of up to `maxSize`, closed on size or
   * after `maxWaitMs`. Each event still goes through retry, dead-letter and dedup on its own:
   * events marked with `ctx.fail` (or all of them, when the handler throws) are retried and
   * dead-lettered alone, the rest are acknowledged. Events of one partition key never share a
   * batch while an earlier one of that key is unsettled (per-key order holds).
   */
  onBatch<TType extends EventTypes<Events>>(
    type: TType,
    handler: BatchHandler<BusEvent<TType, Events[TType]>>,
    options: BatchHandlerOptions,
  ): RegisteredHandler;
  /** Subscribes every registered handler. Resolves when all subscriptions are live. */
  start(): Promise<void>;
  /**
   * Graceful stop: stops fetching, lets in-flight deliveries finish, nacks the ones still running at
   * the deadline (they are redelivered, not counted as failures), then closes the transport unless
   * `closeTransport: false` was given. Idempotent.
   */
  stop(options?: StopOptions): Promise<void>;
  readonly handlers: readonly RegisteredHandler[];
  /** Running deliveries of the handlers registered with `longRunning`, with their progress. */
  inflight(): InflightDelivery[];
  /**
   * Cancels the running deliveries of `eventId` (of `longRunning` handlers): their `ctx.signal`
   * aborts with `EDDY_CANCELLED` and each is dead-lettered, not retried. Returns how many were
   * running; 0 when none (already settled, or never a long-running delivery).
   */
  cancel(eventId: string, reason?: string): number;
  /**
   * Handlers registered with fair `group`s, with their limits and, per key, the deliveries running,
   * waiting and started in this process: where a noisy tenant shows. Empty before `start()`.
   */
  fairGroups(): FairGroupStatus[];
}
