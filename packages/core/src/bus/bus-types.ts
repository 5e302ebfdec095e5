import type { CloudEvent } from '../cloudevents/cloud-event.js';
import type { Logger } from '../observability/logger.js';
import type { ReceivedMessage } from '../transport/message.js';
import type { HandlerOptions, StopOptions } from './bus-options.js';

/**
 * Declares the events a bus carries, once: event type -> data type. Write it as a type alias or
 * an interface, e.g. `interface Events { 'order.placed': { orderId: string; total: number } }`.
 */
export type EventTypes<Events> = keyof Events & string;

/** A CloudEvent whose `type` and `data` are known. */
export interface BusEvent<TType extends string = string, TData = unknown> extends CloudEvent<TData> {
  readonly type: TType;
  readonly data: TData;
}

/** What the retry middleware tells inner middleware about the current attempt. */
export interface AttemptInfo {
  /** 1-based; equal to the transport's delivery count, so it survives restarts. */
  readonly number: number;
  /** Attempts allowed before the delivery is dead-lettered. */
  readonly max: number;
  /** True when no retry follows a failure of this attempt. */
  readonly final: boolean;
  /** Whether a failure with this error would be retried (when attempts remain). */
  isRetryable(error: unknown): boolean;
}

/** Per-delivery record the bus fills in, read by the metrics and tracing middleware. */
export interface DeliveryOutcome {
  /** The error of the handler attempt, when it failed. */
  error: unknown;
  failed: boolean;
  /** Skipped because the event was already processed (dedup). */
  duplicate: boolean;
  /** Moved to the dead-letter topic. */
  deadLettered: boolean;
}

/** The second argument of every handler. */
export interface HandlerContext {
  /** Aborted when the handler's timeout fires or the bus stops past its deadline. Pass it on to I/O. */
  readonly signal: AbortSignal;
  /** 1 on first delivery; grows with every redelivery, as counted by the transport. */
  readonly deliveryCount: number;
  /** The transport message: topic, partition, offset, key, headers, payload. */
  readonly message: ReceivedMessage;
  /** The handler's name (defaults to the event type). */
  readonly handlerName: string;
  /** The handler's consumer group. */
  readonly group: string;
  readonly logger: Logger;
  /** Set by the retry middleware. */
  readonly attempt?: AttemptInfo;
  /** Filled in while the delivery runs; middleware reads it after `next` returns. */
  readonly outcome: DeliveryOutcome;
}

/** A typed handler. Resolve to acknowledge; throw to fail the attempt. */
export type EventHandler<TEvent extends BusEvent = BusEvent> = (
  event: TEvent,
  ctx: HandlerContext,
) => Promise<void> | void;

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
}

/** Where a published event landed. */
export interface PublishResult {
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

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
   * Registers a handler for `type`. Its consumer group is `<bus group>.<name>`; the name defaults
   * to the type. Throws `DuplicateHandlerError` when the name is taken. After `start()`, the
   * handler subscribes at once.
   */
  on<TType extends EventTypes<Events>>(
    type: TType,
    handler: EventHandler<BusEvent<TType, Events[TType]>>,
    options?: HandlerOptions,
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
}
