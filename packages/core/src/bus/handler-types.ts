import type { CloudEvent } from '../cloudevents/cloud-event.js';
import type { Logger } from '../observability/logger.js';
import type { BusMetrics } from '../observability/metrics.js';
import type { Position, ReceivedMessage } from '../transport/message.js';
import type { Transport } from '../transport/transport.js';
import type { PublishDedupe } from '../transport/publish-dedupe.js';

// What a handler and a middleware see. This file imports no options or wiring, so middleware can
// depend on it without a cycle back through the bus options that name the middleware's settings.

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

/** What `ctx.nack` takes. */
export interface NackOptions {
  /** Redelivery delay, ms. Default 0. */
  readonly delayMs?: number;
}

/** What `ctx.progress` records: a fraction or count, a note, or a small flat object. */
export type ProgressValue = number | string | Readonly<Record<string, number | string | boolean>>;

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
  /**
   * Acknowledges the delivery, also after the handler returned. Only for handlers registered with
   * `{ settlement: 'manual' }`; elsewhere it throws `EDDY_INVALID_OPTION` (return to acknowledge).
   * The first of `ack`/`nack` wins. Bound: it can be passed on as a callback.
   */
  readonly ack: () => void;
  /** Asks for redelivery after `delayMs` (default 0). Manual settlement only, like `ack`. */
  readonly nack: (options?: NackOptions) => void;
  /**
   * Keeps this delivery from being redelivered for `ms` from now, past the handler's `ackTimeoutMs`
   * (the transport's own mechanism: a lease update, an idle reset, a "working" signal). Only for
   * handlers registered with `{ longRunning: true }`; elsewhere it throws `EDDY_INVALID_OPTION`.
   * Bound, like `ack`.
   */
  readonly extendLease: (ms: number) => Promise<void>;
  /**
   * Records how far the delivery got, shown by `bus.inflight()` (and the gateway's in-flight route).
   * The latest value wins. Long-running handlers only, like `extendLease`.
   */
  readonly progress: (value: ProgressValue) => void;
}

/** A typed handler. Resolve to acknowledge; throw to fail the attempt. */
export type EventHandler<TEvent extends BusEvent = BusEvent> = (
  event: TEvent,
  ctx: HandlerContext,
) => Promise<void> | void;

/**
 * A handler as middleware sees it: untyped data, the bus context. Resolving acknowledges the
 * delivery; throwing nacks it (a thrown `Nack` chooses the redelivery delay).
 */
export type ConsumerHandler = (event: BusEvent, ctx: HandlerContext) => Promise<void>;

/** What a middleware knows about the handler it wraps, fixed when the bus subscribes it. */
export interface HandlerInfo {
  /** Handler name, unique on its bus. */
  readonly name: string;
  /** Event type the handler was registered for. */
  readonly type: string;
  /** Topic the handler consumes. */
  readonly topic: string;
  /** Consumer group: `<bus group>.<handler name>`. */
  readonly group: string;
  readonly transport: Transport;
  readonly logger: Logger;
  readonly metrics: BusMetrics;
}

/**
 * Wraps a handler: `(next) => (event, ctx) => ...`. Call `next` to continue; return without calling
 * it to acknowledge and skip; throw to nack.
 */
export type Middleware = (next: ConsumerHandler, info: HandlerInfo) => ConsumerHandler;

/** An event on its way to the transport, as publish middleware sees it. */
export interface OutgoingEvent {
  readonly topic: string;
  readonly event: CloudEvent;
  /** Earliest delivery, epoch ms (`PublishOptions.deliverAt`). */
  readonly deliverAt?: number | undefined;
  /** `PublishOptions.dedupe`. */
  readonly dedupe?: PublishDedupe | undefined;
}

/** Sends an event on: the next publish middleware, or the transport. Resolves with its position. */
export type PublishNext = (outgoing: OutgoingEvent) => Promise<Position>;

/**
 * Wraps `bus.publish` after the event is built and before it is encoded: `(next) => (outgoing) =>
 * ...`. Call `next` with the event (changed or not, e.g. with `dataschema` set) to send it; throw to
 * refuse the publish (the caller's `publish` rejects with that error, nothing is sent).
 */
export type PublishMiddleware = (next: PublishNext) => PublishNext;
