import type { TracerProvider } from '@opentelemetry/api';
import type { DeadLetterNotice, DeadLetterOptions } from '../middleware/dead-letter.js';
import type { DedupOptions } from '../middleware/dedup.js';
import type { Middleware, PublishMiddleware } from './handler-types.js';
import type { EventFilter } from './event-filter.js';
import type { FairGroupOptions } from './fair-scheduler.js';
import type { RetryOptions } from '../middleware/retry.js';
import type { InboxStore } from '../inbox/inbox-store.js';
import type { Logger } from '../observability/logger.js';
import type { BusMetrics } from '../observability/metrics.js';
import type { StartPosition, Transport } from '../transport/transport.js';

/**
 * Reliability settings a bus applies to every handler and a handler can override. A handler's
 * `retry`, `deadLetter` and `dedup` objects replace the bus-wide ones field by field.
 */
export interface ConsumerDefaults {
  /**
   * Most deliveries of one handler in flight at once (the transport stops fetching beyond it).
   * Default 16.
   */
  readonly maxInFlight?: number;
  /** Most deliveries with the same partition key in flight at once. Default unlimited. */
  readonly maxInFlightPerKey?: number;
  /** Most deliveries started per second by one handler (token bucket). Default unlimited. */
  readonly ratePerSecond?: number;
  /**
   * Time one attempt may take, ms; then `ctx.signal` aborts and the attempt fails with
   * `TimeoutError` (retried like any failure). `false` for none. Default 20 000.
   */
  readonly timeoutMs?: number | false;
  /** Unsettled deliveries are redelivered after this long (transport `ackTimeoutMs`). Default 30 000. */
  readonly ackTimeoutMs?: number;
  /** Retry policy, or `false` for a single attempt. Default 5 attempts, see `RetryOptions`. */
  readonly retry?: RetryOptions | false;
  /** Dead-letter queue, or `false` to keep redelivering instead. Default on, topic `<topic>.dlq`. */
  readonly deadLetter?: DeadLetterOptions | false;
  /** Dedup by event id. Default on when the bus has an `inbox` store, else off. */
  readonly dedup?: DedupOptions | false;
}

export interface BusOptions extends ConsumerDefaults {
  readonly transport: Transport;
  /** CloudEvents `source` of published events. Default `/eddy/<group>`. */
  readonly source?: string;
  /** Service name; prefixes every handler's consumer group. Default `'default'`. */
  readonly group?: string;
  /**
   * Topic of an event type. Default: the type itself, with characters a topic name cannot hold
   * replaced by `-` (`order.placed` -> topic `order.placed`).
   */
  readonly topicFor?: (type: string) => string;
  /**
   * Middleware for every handler, run after the built-in ones, just before the handler (the
   * validation/upcast slot). Handler-level middleware runs after these.
   */
  readonly middleware?: readonly Middleware[];
  /**
   * Middleware around every `publish`, the first outermost: it sees the built CloudEvent and its
   * topic, may change the event or refuse it by throwing (data contracts). Default none.
   */
  readonly publishMiddleware?: readonly PublishMiddleware[];
  /** Where dedup remembers processed event ids. Turns dedup on for every handler. */
  readonly inbox?: InboxStore;
  /** Pino-compatible logger. Default silent. */
  readonly logger?: Logger;
  /** Metrics sink, e.g. `await createPrometheusMetrics({ registry })`. Default none. */
  readonly metrics?: BusMetrics;
  /** OpenTelemetry tracer provider. Default the global one (a no-op until an SDK registers). */
  readonly tracerProvider?: TracerProvider;
  /** Called after a delivery was dead-lettered. Errors it throws are logged, never retried. */
  readonly onDeadLetter?: (notice: DeadLetterNotice) => void | Promise<void>;
  /**
   * Most `bus.emit` publishes in flight at once; beyond it new emits are dropped (reason
   * `overflow`). Default 10 000.
   */
  readonly maxPendingEmits?: number;
  /** Whether `stop()` closes the transport. Default true. */
  readonly closeTransport?: boolean;
}

export interface HandlerOptions extends ConsumerDefaults {
  /** Handler name: unique per bus, keys the consumer group `<bus group>.<name>`. Default the event type. */
  readonly name?: string;
  /** Topic to consume. Default `topicFor(type)`. */
  readonly topic?: string;
  /** Where a new consumer group starts. Default `'latest'`. */
  readonly from?: StartPosition;
  /** Middleware for this handler only, run after the bus-wide `middleware`. */
  readonly middleware?: readonly Middleware[];
  /**
   * Event types this handler may publish. Declarative only (nothing is enforced): it feeds the
   * event-flow graph (`busFlowDeclarations`), so choreography can be drawn and checked for cycles
   * and orphan event types. Default none.
   */
  readonly emits?: readonly string[];
  /**
   * Takes only the events this filter accepts: a CloudEvents Subscriptions API filter (`exact`,
   * `prefix`, `suffix`, `all`, `any`, `not`) or a predicate. Dropped events are acknowledged, never
   * redelivered, and counted (`BusMetrics.filtered`). Default none: every event of the type.
   */
  readonly filter?: EventFilter;
  /**
   * What happens to an event delivered after its `expiresAt`: `'drop'` acknowledges it unhandled;
   * `'dead-letter'` moves it to the dead-letter topic with `EDDY_EXPIRED` (needs `deadLetter`).
   * Both count it (`BusMetrics.expired`). Default `'drop'`.
   */
  readonly expired?: 'drop' | 'dead-letter';
  /**
   * `'auto'`: the handler's return acknowledges, a throw nacks. `'manual'`: the delivery stays open
   * after the handler returns until it calls `ctx.ack()` or `ctx.nack({ delayMs })`; if neither
   * comes within `ackTimeoutMs` the attempt fails with `EDDY_TIMEOUT` and is retried. A throw still
   * nacks. Default `'auto'`.
   */
  readonly settlement?: 'auto' | 'manual';
  /**
   * Consume the topic's priority lanes too (events published with `priority` 1-9), serving higher
   * levels first. `true` takes the defaults. Default off: the handler reads level 0 only.
   */
  readonly priority?: true | PriorityOptions;
  /**
   * Fair groups: deliveries grouped by a key from the event, each group with its own concurrency
   * and rate, free slots shared round-robin between groups (`handler maxInFlight` bounds them all).
   * Enforced within this process; see `FairGroupOptions`. Default none.
   */
  readonly group?: FairGroupOptions;
  /**
   * For handlers that run long: `ctx.extendLease(ms)` keeps a delivery past `ackTimeoutMs`,
   * `ctx.progress(value)` reports how far it got, `bus.inflight()` lists running deliveries and
   * `bus.cancel(eventId)` aborts one (`ctx.signal`, then dead-lettered with `EDDY_CANCELLED`). The
   * transport must declare `capabilities.leaseExtension`, else registering throws
   * `EDDY_NOT_SUPPORTED`. `timeoutMs` defaults to none for such a handler. Default false.
   */
  readonly longRunning?: boolean;
}

/** How a handler shares its slots among priority levels. */
export interface PriorityOptions {
  /** Deliveries of all levels running at once. Default `maxInFlight` (16). */
  readonly slots?: number;
  /**
   * A delivery waiting longer than this goes next whatever its level, so low levels are never
   * starved. Keep it well under `ackTimeoutMs`. Default 1 000 ms.
   */
  readonly agingMs?: number;
}

/** Options of `bus.onBatch`: those of `bus.on`, plus how batches close. */
export interface BatchHandlerOptions extends HandlerOptions {
  /** Most events in one batch (1-10 000). Required. */
  readonly maxSize: number;
  /** A batch closes this long after its first event (or its latest, see `restartWaitOnEvent`), ms. Default 100. */
  readonly maxWaitMs?: number;
  /** Restart the wait with each new event (a debounce), so a batch closes after a quiet spell. Default false. */
  readonly restartWaitOnEvent?: boolean;
  /**
   * Most deliveries in flight for this handler. Default twice `maxSize`, so the next batch fills
   * while one runs; below `maxSize`, batches close on time only.
   */
  readonly maxInFlight?: number;
}

export interface StopOptions {
  /**
   * How long in-flight deliveries may run before they are aborted and nacked. Default 10 000 ms.
   */
  readonly deadlineMs?: number;
}
