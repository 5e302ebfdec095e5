import { setMaxListeners } from 'node:events';
import type { Tracer } from '@opentelemetry/api';
import { ClosedError, ExpiredError } from '../errors/errors.js';
import { Nack } from '../errors/nack.js';
import { REDRIVE_GROUP_HEADER } from '../dlq/dead-letter-format.js';
import { correlationMiddleware } from '../middleware/correlation.js';
import { deadLetterMiddleware, type DeadLetterNotice } from '../middleware/dead-letter.js';
import { dedupMiddleware } from '../middleware/dedup.js';
import { perKeyConcurrencyMiddleware, rateLimitMiddleware } from '../middleware/flow-control.js';
import { composeMiddleware } from '../middleware/middleware.js';
import {
  type ConsumerHandler,
  type HandlerInfo,
  type Middleware,
  type BusEvent,
  type HandlerContext,
} from './handler-types.js';
import { retryMiddleware } from '../middleware/retry.js';
import { timeoutMiddleware } from '../middleware/timeout.js';
import { metricsMiddleware } from '../observability/metrics-middleware.js';
import { tracingMiddleware } from '../observability/tracing.js';
import type { Headers, ReceivedMessage } from '../transport/message.js';
import type { StartPosition } from '../transport/transport.js';
import type { ConsumerSettings } from './consumer-settings.js';
import type { CloudEventsFilter, EventPredicate } from './event-filter.js';
import { decodeHeaderValue } from '../cloudevents/header-value.js';
import { expiryOf } from './expiry.js';
import { AUTOMATIC_SETTLEMENT, ManualSettlement } from './manual-settlement.js';
import { PRIORITY_LEVELS, priorityLaneTopic, priorityOfEvent } from './priority.js';
import { PriorityGate } from './priority-gate.js';
import { fromReceived } from './envelope.js';
import { NOT_LONG_RUNNING, RunningDelivery, type RunningDeliveries } from './long-running.js';
import type { FairScheduler } from './fair-scheduler.js';
import type { Subscription } from '../transport/transport.js';
import { watchAbort } from '../shared/abort-watch.js';
import { batchDelivery, type BatchSpec } from './batch-delivery.js';

/** Everything needed to run one registered handler. */
export interface ConsumerSpec {
  readonly info: HandlerInfo;
  readonly from: StartPosition | undefined;
  readonly settings: ConsumerSettings;
  /**
   * Makes the handler the pipeline ends in, given the consumer's shutdown signal (aborted when the
   * bus stops past its deadline).
   */
  readonly handler: (shutdown: AbortSignal, info: HandlerInfo) => ConsumerHandler;
  /** Bus-wide then handler-level user middleware. */
  readonly middleware: readonly Middleware[];
  readonly tracer: Tracer;
  readonly onDeadLetter: ((notice: DeadLetterNotice) => void | Promise<void>) | undefined;
  /** Whether the handler takes an event of its topic: its type (or type pattern), then its filter. */
  readonly selection: EventSelection;
  /** Set when the handler reads its topic's priority lanes too. */
  readonly priority: { readonly slots: number; readonly agingMs: number } | undefined;
  /** The bus's registry of running deliveries, for a handler registered with `longRunning`. */
  readonly longRunning: RunningDeliveries | undefined;
  /** Set for a handler with fair `group`s: makes the scheduler (one per consumer). */
  readonly fair: (() => FairScheduler) | undefined;
  /** Deliveries the transport hands over at once, when it differs from `settings.maxInFlight`. */
  readonly transportMaxInFlight: number | undefined;
  /**
   * Set for a batch handler that can take the transport's batches as they come (`onBatch` with
   * `maxWaitMs: 0`): used where the transport has `subscribeBatch` and the handler needs no
   * per-event middleware (see `takesTransportBatches`).
   */
  readonly batch?: BatchSpec;
}

/** Which events of a topic a handler takes. */
export interface EventSelection {
  readonly type: (type: string) => boolean;
  /** The handler's `filter`, if any; events it drops are acknowledged and counted as filtered. */
  readonly filter: EventPredicate | undefined;
  /** The handler's filter when it is a CloudEvents one, which a transport can run too. */
  readonly attributes: CloudEventsFilter | undefined;
  /** What becomes of an expired event (`HandlerOptions.expired`). */
  readonly expired: 'drop' | 'dead-letter';
  /** `HandlerOptions.settlement`. */
  readonly settlement: 'auto' | 'manual';
}

export interface RunningConsumer {
  /** Stops fetching; deliveries still running after `deadlineMs` are aborted and nacked. */
  close(deadlineMs: number): Promise<void>;
}

// The abort reason of a shutdown past its deadline: turned into a plain redelivery, never a failure.
const shutdownReason = new ClosedError('The bus');

/**
 * The documented order, outermost first: flow control (rate limit, per-key concurrency), tracing,
 * metrics, correlation, timeout, retry, dead-letter, dedup/inbox, user middleware (the
 * validation/upcast slot), handler.
 */
export function buildPipeline(spec: ConsumerSpec, shutdown: AbortSignal): ConsumerHandler {
  const { settings } = spec;
  const chain: Middleware[] = [];
  if (settings.ratePerSecond !== undefined) chain.push(rateLimitMiddleware(settings.ratePerSecond));
  if (settings.maxInFlightPerKey !== undefined) {
    chain.push(perKeyConcurrencyMiddleware(settings.maxInFlightPerKey));
  }
  chain.push(tracingMiddleware(spec.tracer), metricsMiddleware(), correlationMiddleware());
  if (settings.timeoutMs !== undefined) chain.push(timeoutMiddleware(settings.timeoutMs));
  chain.push(retryMiddleware(settings.retry));
  if (settings.deadLetter !== undefined) {
    chain.push(deadLetterMiddleware(settings.deadLetter, spec.onDeadLetter));
  }
  if (settings.dedup !== undefined) chain.push(dedupMiddleware(settings.dedup.store, settings.dedup));
  chain.push(...spec.middleware);
  const handler = spec.handler(shutdown, spec.info);
  const last =
    spec.selection.settlement === 'manual' ? awaitingSettlement(handler, settings.ackTimeoutMs) : handler;
  return composeMiddleware(chain, terminal(last), spec.info);
}

// The open settlement of each delivery of a manually settled handler, keyed by its message:
// middleware may hand the handler a copy of the context (the retry middleware adds `attempt`).
const manualSettlements = new WeakMap<ReceivedMessage, ManualSettlement>();

/** Runs the handler, then holds the delivery open until it calls `ctx.ack()` or `ctx.nack()`. */
function awaitingSettlement(handler: ConsumerHandler, timeoutMs: number): ConsumerHandler {
  return async (event, ctx) => {
    await handler(event, ctx);
    await manualSettlements.get(ctx.message)?.settled(timeoutMs);
  };
}

// Awaited before the handler starts, so it starts a microtask after the chain reaches it, as it
// did when it was called from a promise callback: code that publishes and then saves (a process
// manager's commands, then its state) keeps the head start it had over the consumers.
const NEXT_MICROTASK = Promise.resolve();

/** Calls the user's handler, failing the attempt as soon as `ctx.signal` aborts. */
function terminal(handler: ConsumerHandler): ConsumerHandler {
  return async (event, ctx) => {
    try {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      await NEXT_MICROTASK;
      const running = raceAbort(handler, event, ctx);
      if (running !== undefined) await running;
    } catch (error) {
      if (error === shutdownReason) throw new Nack(0, error);
      ctx.outcome.failed = true;
      ctx.outcome.error = error;
      throw error;
    }
  };
}

/**
 * Runs the handler; undefined when it finished synchronously with the signal unaborted, else the
 * race of its promise against the signal. An abort before or during its run fails the attempt with
 * the abort's reason.
 */
function raceAbort(
  handler: ConsumerHandler,
  event: BusEvent,
  ctx: HandlerContext,
): Promise<void> | undefined {
  const { signal } = ctx;
  let result: unknown;
  try {
    // Handlers registered through `bus.on` may return nothing, a promise or another thenable.
    result = handler(event, ctx);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw error;
  }
  const pending = isThenable(result)
    ? result instanceof Promise
      ? (result as Promise<unknown>)
      : Promise.resolve(result)
    : undefined;
  if (signal.aborted) {
    // A handler that ignores the signal keeps running detached; its late result is dropped.
    pending?.catch(ignore);
    throw signal.reason;
  }
  if (pending === undefined) return undefined;
  return new Promise<void>((resolve, reject) => {
    const unwatch = watchAbort(signal, () => reject(signal.reason as Error));
    pending.then(
      () => {
        unwatch();
        resolve();
      },
      (error: Error) => {
        unwatch();
        reject(error);
      },
    );
  });
}

function ignore(): void {}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Subscribes a handler's pipeline to its topic. */
export async function startConsumer(spec: ConsumerSpec): Promise<RunningConsumer> {
  const { info, settings } = spec;
  // One signal for every delivery of this consumer: only a shutdown past its deadline aborts it
  // (timeouts derive their own per-attempt signal from it).
  const shutdown = new AbortController();
  setMaxListeners(0, shutdown.signal);
  const pipeline = buildPipeline(spec, shutdown.signal);
  const deadLetterOnly =
    settings.deadLetter === undefined
      ? undefined
      : composeMiddleware(
          [deadLetterMiddleware(settings.deadLetter, spec.onDeadLetter)],
          (_event, ctx) =>
            Promise.reject(
              ctx.outcome.error instanceof Error ? ctx.outcome.error : new Error(String(ctx.outcome.error)),
            ),
          info,
        );

  const gate =
    spec.priority === undefined
      ? undefined
      : new PriorityGate({
          slots: spec.priority.slots,
          levels: PRIORITY_LEVELS,
          agingMs: spec.priority.agingMs,
        });

  // The backend orders by priority itself: one subscription, each delivery's level from its event.
  const nativePriority = info.transport.capabilities.priority === true;
  const dispatchAt =
    (level: number) =>
    async (message: ReceivedMessage): Promise<void> => {
      const redriveGroup = message.headers[REDRIVE_GROUP_HEADER];
      if (redriveGroup !== undefined && redriveGroup !== info.group) return;
      const settlement =
        spec.selection.settlement === 'manual' ? new ManualSettlement() : AUTOMATIC_SETTLEMENT;
      const ctx: HandlerContext = {
        ack: settlement.ack,
        nack: settlement.nack,
        extendLease: NOT_LONG_RUNNING.extendLease,
        progress: NOT_LONG_RUNNING.progress,
        signal: shutdown.signal,
        deliveryCount: message.deliveryCount,
        message,
        handlerName: info.name,
        group: info.group,
        logger: info.logger,
        outcome: { error: undefined, failed: false, duplicate: false, deadLettered: false },
      };
      if (settlement instanceof ManualSettlement) manualSettlements.set(message, settlement);
      let event: BusEvent;
      try {
        event = fromReceived(message);
      } catch (error) {
        // Decoding never succeeds on a later attempt: dead-letter at once, or keep it (never drop it).
        ctx.outcome.failed = true;
        ctx.outcome.error = error;
        info.logger.error(
          { handler: info.name, topic: message.topic, offset: message.offset, err: error },
          'undecodable message',
        );
        const placeholder = {
          specversion: '1.0',
          id: `${message.topic}/${message.partition}/${message.offset}`,
          source: 'eddy:undecodable',
          type: 'eddy.undecodable',
          data: undefined,
        } as const;
        if (deadLetterOnly === undefined) throw new Nack(settings.retry.maxDelayMs, error);
        return deadLetterOnly(placeholder, ctx);
      }
      // Several types can share a topic; each handler takes only its own.
      if (!spec.selection.type(event.type)) return;
      if (spec.selection.filter !== undefined && !spec.selection.filter(event)) {
        info.metrics.filtered?.({ topic: info.topic, handler: info.name });
        return;
      }
      const expiresAt = expiryOf(event);
      if (expiresAt !== undefined && expiresAt <= Date.now()) {
        info.metrics.expired?.({ topic: info.topic, handler: info.name });
        if (spec.selection.expired === 'drop' || deadLetterOnly === undefined) return;
        ctx.outcome.failed = true;
        ctx.outcome.error = new ExpiredError(expiresAt);
        return deadLetterOnly(event, ctx);
      }
      if (gate === undefined) return run(level, event, ctx);
      await gate.acquire(nativePriority ? priorityOfEvent(event) : level);
      try {
        await run(level, event, ctx);
      } finally {
        gate.release();
      }
    };

  // Chosen once here, so a handler without fair groups or tracking pays no extra promise per delivery.
  const registry = spec.longRunning;
  const scheduler = spec.fair?.();
  // A transport may hand over its first messages before `subscribe` resolves (a backlog): their
  // lease extensions wait for the subscription.
  let lanesKnown!: (lanes: readonly (Subscription | undefined)[]) => void;
  const lanes = new Promise<readonly (Subscription | undefined)[]>((resolve) => (lanesKnown = resolve));
  type Run = (level: number, event: BusEvent, ctx: HandlerContext) => Promise<void>;
  const runTracked: Run =
    registry === undefined
      ? (_level, event, ctx) => pipeline(event, ctx)
      : async (level, event, ctx) => {
          const delivery = new RunningDelivery(
            info.name,
            event.id,
            ctx.message,
            shutdown.signal,
            async () => (await lanes)[level],
          );
          registry.add(delivery);
          try {
            await pipeline(event, {
              ...ctx,
              signal: delivery.signal,
              extendLease: delivery.extendLease,
              progress: delivery.report,
            });
          } finally {
            registry.delete(delivery);
          }
        };
  const run: Run =
    scheduler === undefined
      ? runTracked
      : async (level, event, ctx) => {
          const key = scheduler.keyOf(event);
          const holder = await scheduler.enter(key, ctx.signal);
          try {
            await runTracked(level, event, ctx);
          } finally {
            // A slot the store fails to take back expires with its lease; the delivery stands.
            await scheduler.leave(key, holder).catch((error: unknown) => {
              info.logger.warn({ handler: info.name, key, err: error }, 'releasing a fair-group slot failed');
            });
          }
        };

  const transportMaxInFlight = spec.transportMaxInFlight ?? settings.maxInFlight;

  // Where the transport filters, the handler's type and CloudEvents filter go to it, so dropped
  // events never cross into the process's pipeline; a predicate can only run here.
  const pushdown = info.transport.capabilities.filtering
    ? {
        filter: {
          type: info.type,
          ...(spec.selection.attributes === undefined ? {} : { attributes: spec.selection.attributes }),
        },
        // Events of other types sharing the topic are not the handler's to count; filtered ones are.
        onFiltered: (headers: Headers) => {
          const type = headers['ce-type'];
          if (type !== undefined && spec.selection.type(decodeHeaderValue(type))) {
            info.metrics.filtered?.({ topic: info.topic, handler: info.name });
          }
        },
      }
    : {};
  const onSuperseded = info.transport.capabilities.supersede
    ? { onSuperseded: () => info.metrics.superseded?.({ topic: info.topic, handler: info.name }) }
    : {};
  const levels =
    gate === undefined || nativePriority ? [0] : Array.from({ length: PRIORITY_LEVELS }, (_, level) => level);
  const batched = takesTransportBatches(spec)
    ? batchDelivery({
        info,
        settings,
        selection: spec.selection,
        batch: spec.batch,
        shutdown: shutdown.signal,
        onDeadLetter: spec.onDeadLetter,
        single: dispatchAt(0),
      })
    : undefined;
  const subscriptions = await Promise.allSettled(
    levels.map((level) => {
      const topic = priorityLaneTopic(info.topic, level);
      const subscribeOptions = {
        group: info.group,
        ackTimeoutMs: settings.ackTimeoutMs,
        ...(spec.from === undefined ? {} : { from: spec.from }),
        ...(transportMaxInFlight === undefined ? {} : { maxInFlight: transportMaxInFlight }),
        ...pushdown,
        ...onSuperseded,
      };
      return batched !== undefined && info.transport.subscribeBatch !== undefined
        ? info.transport.subscribeBatch(
            topic,
            { ...subscribeOptions, maxBatchSize: spec.batch!.maxSize },
            batched,
          )
        : info.transport.subscribe(topic, subscribeOptions, dispatchAt(level));
    }),
  );
  lanesKnown(subscriptions.map((result) => (result.status === 'fulfilled' ? result.value : undefined)));
  const live = subscriptions.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = subscriptions.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    // All lanes or none: a handler that silently missed a level would starve it for good.
    await Promise.allSettled(live.map((subscription) => subscription.close()));
    throw failed.reason;
  }

  return {
    async close(deadlineMs) {
      const timer = setTimeout(() => shutdown.abort(shutdownReason), deadlineMs);
      try {
        await Promise.all(live.map((subscription) => subscription.close()));
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Whether a batch handler takes the transport's batches directly: the transport offers
 * `subscribeBatch` and nothing needs the per-event chain (priority lanes, fair groups, long-running
 * tracking, manual settlement, rate and per-key limits, dedup, user middleware). Retry, dead-letter
 * and metrics still apply, per event.
 */
function takesTransportBatches(spec: ConsumerSpec): spec is ConsumerSpec & { batch: BatchSpec } {
  const { settings } = spec;
  return (
    spec.batch !== undefined &&
    spec.info.transport.subscribeBatch !== undefined &&
    spec.priority === undefined &&
    spec.fair === undefined &&
    spec.longRunning === undefined &&
    spec.selection.settlement === 'auto' &&
    settings.ratePerSecond === undefined &&
    settings.maxInFlightPerKey === undefined &&
    settings.dedup === undefined &&
    spec.middleware.length === 0
  );
}
