import { randomUUID } from 'node:crypto';
import { context as otelContext } from '@opentelemetry/api';
import {
  BackendError,
  ClosedError,
  DuplicateHandlerError,
  InvalidFilterError,
  InvalidOptionError,
  NotSupportedError,
} from '../errors/errors.js';
import { isEddyError } from '../errors/eddy-error.js';
import type { ConsumerHandler, HandlerInfo, PublishNext } from './handler-types.js';
import { silentLogger } from '../observability/logger.js';
import { noopMetrics } from '../observability/metrics.js';
import { endSpan, startProducerSpan, tracerFrom } from '../observability/tracing.js';
import type { Position } from '../transport/message.js';
import { assertGroupName } from '../transport/names.js';
import { DEFAULT_MAX_IN_FLIGHT } from '../transport/validate.js';
import { BatchCollector, type BatchHandler } from './batch-collector.js';
import type { BatchHandlerOptions, BusOptions, HandlerOptions, StopOptions } from './bus-options.js';
import type { Bus, EventTypes, PublishOptions, PublishResult, RegisteredHandler } from './bus-types.js';
import { startConsumer, type ConsumerSpec, type RunningConsumer } from './consumer.js';
import { DEFAULT_STOP_DEADLINE_MS, resolveConsumerSettings } from './consumer-settings.js';
import { BestEffortPublisher, DEFAULT_MAX_PENDING_EMITS } from './best-effort-publisher.js';
import { buildEvent, toOutgoing } from './envelope.js';
import { SendBatch } from './send-batch.js';
import { isTypePattern, selectionFor } from './event-selection.js';
import { assertPriority, priorityLaneTopic, resolvePriority } from './priority.js';
import { currentPublishContext } from './publish-context.js';
import { defaultTopicFor, resolveTopic } from './routing.js';
import { RunningDeliveries } from './long-running.js';
import { FairScheduler, resolveFairGroups, type ResolvedFairGroups } from './fair-scheduler.js';
import type { FairGroupStatus } from './fair-group-status.js';

/** Default `maxWaitMs` of `bus.onBatch`. */
export const DEFAULT_BATCH_WAIT_MS = 100;
/** Largest `maxSize` of `bus.onBatch`. */
export const MAX_BATCH_SIZE = 10_000;

/**
 * Creates a typed bus over a transport. Declare the events once and every `publish` and `on` is
 * checked against it:
 *
 * ```ts
 * interface Events { 'order.placed': { orderId: string; total: number } }
 * const bus = createBus<Events>({ transport, group: 'billing' });
 * bus.on('order.placed', (event) => charge(event.data.orderId, event.data.total));
 * await bus.start();
 * await bus.publish('order.placed', { orderId: 'o-1', total: 42 });
 * ```
 */
export function createBus<Events>(options: BusOptions): Bus<Events> {
  const { transport } = options;
  if (typeof transport?.publish !== 'function' || typeof transport.subscribe !== 'function') {
    throw new InvalidOptionError('createBus needs { transport }, e.g. createMemoryTransport().');
  }
  const group = options.group ?? 'default';
  assertGroupName(group);
  const source = options.source ?? `/eddy/${group}`;
  const topicFor = options.topicFor ?? defaultTopicFor;
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ?? noopMetrics;
  const tracer = tracerFrom(options.tracerProvider);
  const send: PublishNext = async ({ topic, event, deliverAt, dedupe }) =>
    (await transport.publish(topic, [toOutgoing(event, deliverAt, dedupe)]))[0] as Position;
  const publishThrough = (options.publishMiddleware ?? []).reduceRight<PublishNext>(
    (next, middleware) => middleware(next),
    send,
  );
  const specs = new Map<string, ConsumerSpec>();
  const runningDeliveries = new RunningDeliveries();
  // The latest scheduler of each handler with fair groups, for `bus.fairGroups()`.
  const fairSchedulers = new Map<string, { scheduler: FairScheduler; resolved: ResolvedFairGroups }>();
  // What each handler declared it may publish, for the event-flow graph.
  const emitsByHandler = new Map<string, readonly string[]>();
  const running = new Map<string, Promise<RunningConsumer>>();
  // 'stopping': no new handlers, but in-flight handlers may still publish their follow-ups.
  let state: 'created' | 'started' | 'stopping' | 'stopped' = 'created';
  let stopped: Promise<void> | undefined;

  const launch = (spec: ConsumerSpec): Promise<RunningConsumer> => {
    const started = startConsumer(spec);
    running.set(spec.info.name, started);
    started.catch(() => running.delete(spec.info.name));
    return started;
  };

  const register = (
    type: string,
    makeHandler: (shutdown: AbortSignal, info: HandlerInfo) => ConsumerHandler,
    handlerOptions: HandlerOptions,
    batch?: ConsumerSpec['batch'],
  ): RegisteredHandler => {
    if (state === 'stopping' || state === 'stopped') throw new ClosedError('The bus');
    const selection = selectionFor(type, handlerOptions);
    if (isTypePattern(type) && handlerOptions.topic === undefined) {
      throw new InvalidFilterError(
        `Handler for the type pattern "${type}" needs the topic its events share: bus.on("${type}", handler, { topic: "..." }).`,
      );
    }
    const name = handlerOptions.name ?? defaultTopicFor(type.replaceAll('*', 'all'));
    if (specs.has(name)) throw new DuplicateHandlerError(name);
    const handlerGroup = `${group}.${name}`;
    assertGroupName(handlerGroup);
    const topic = handlerOptions.topic ?? resolveTopic(topicFor, type);
    resolveTopic(() => topic, type);
    const info: HandlerInfo = {
      name,
      type,
      topic,
      group: handlerGroup,
      transport,
      logger,
      metrics,
    };
    const longRunning = handlerOptions.longRunning === true;
    if (longRunning && transport.capabilities.leaseExtension !== true) {
      throw new NotSupportedError(
        `Handler "${name}" is longRunning, but the ${transport.name} transport cannot extend a delivery's lease (capabilities.leaseExtension is false). Raise ackTimeoutMs above the longest run instead.`,
      );
    }
    const settings = resolveConsumerSettings(
      options,
      // A long-running handler is bounded by its lease, not by the bus-wide attempt timeout.
      longRunning ? { ...handlerOptions, timeoutMs: handlerOptions.timeoutMs ?? false } : handlerOptions,
      options.inbox,
    );
    const fairGroups =
      handlerOptions.group === undefined ? undefined : resolveFairGroups(handlerOptions.group);
    const slots = settings.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    if (selection.expired === 'dead-letter' && settings.deadLetter === undefined) {
      throw new InvalidOptionError(
        `Handler "${name}" asks for expired events to be dead-lettered but has no deadLetter: set deadLetter, or expired: 'drop'.`,
      );
    }
    const spec: ConsumerSpec = {
      info,
      from: handlerOptions.from,
      settings,
      handler: makeHandler,
      middleware: [...(options.middleware ?? []), ...(handlerOptions.middleware ?? [])],
      tracer,
      onDeadLetter: options.onDeadLetter,
      selection,
      priority: resolvePriority(handlerOptions.priority, slots),
      longRunning: longRunning ? runningDeliveries : undefined,
      fair:
        fairGroups === undefined
          ? undefined
          : () => {
              const scheduler = new FairScheduler(fairGroups, slots, handlerGroup, settings.ackTimeoutMs);
              fairSchedulers.set(name, { scheduler, resolved: fairGroups });
              return scheduler;
            },
      // Fair groups take more from the transport than they run, so a quiet group can pass a backlog.
      transportMaxInFlight: fairGroups === undefined ? undefined : Math.max(fairGroups.buffer, slots),
      ...(batch === undefined ? {} : { batch }),
    };
    specs.set(name, spec);
    emitsByHandler.set(name, [...(handlerOptions.emits ?? [])]);
    if (state === 'started') {
      launch(spec).catch((error: unknown) => {
        logger.error({ handler: name, err: error }, 'handler registered after start() failed to subscribe');
      });
    }
    return { name, type, topic, group: handlerGroup, emits: emitsByHandler.get(name) ?? [] };
  };

  const maxPendingEmits = options.maxPendingEmits ?? DEFAULT_MAX_PENDING_EMITS;
  if (!Number.isSafeInteger(maxPendingEmits) || maxPendingEmits < 1) {
    throw new InvalidOptionError(`maxPendingEmits must be a whole number >= 1, got ${maxPendingEmits}.`);
  }
  const bestEffort = new BestEffortPublisher(
    (type, data, publishOptions) => bus.publish(type as EventTypes<Events>, data as never, publishOptions),
    metrics,
    logger,
    maxPendingEmits,
  );

  const publishOne = async (
    type: string,
    data: unknown,
    publishOptions: PublishOptions,
    through: PublishNext,
  ): Promise<PublishResult> => {
    if (state === 'stopped') throw new ClosedError('The bus');
    if (publishOptions.priority !== undefined) assertPriority(publishOptions.priority);
    // A backend that orders by priority itself takes every level on the topic; elsewhere, lanes.
    const topic =
      transport.capabilities.priority === true
        ? resolveTopic(topicFor, type)
        : priorityLaneTopic(resolveTopic(topicFor, type), publishOptions.priority ?? 0);
    const id = publishOptions.id ?? randomUUID();
    const parent = currentPublishContext()?.traceContext ?? otelContext.active();
    const producer = startProducerSpan(tracer, parent, {
      system: transport.name,
      topic,
      eventId: id,
      type,
    });
    try {
      const event = buildEvent(source, type, data, publishOptions, producer, id);
      const position = await through({
        topic,
        event,
        deliverAt: publishOptions.deliverAt,
        dedupe: publishOptions.dedupe,
      });
      metrics.published({ topic, type });
      endSpan(producer.span);
      return { id, topic, partition: position.partition, offset: position.offset };
    } catch (error) {
      endSpan(producer.span, error);
      if (isEddyError(error)) throw error;
      throw new BackendError(`Publishing "${type}" to topic "${topic}" failed: ${String(error)}`, {
        cause: error,
      });
    }
  };

  const bus: Bus<Events> = {
    publish(type, data, publishOptions: PublishOptions = {}): Promise<PublishResult> {
      return publishOne(type, data, publishOptions, publishThrough);
    },

    async publishBatch(items) {
      if (items.length === 0) return [];
      const batch = new SendBatch(transport, options.publishMiddleware ?? [], items.length);
      const sent = await Promise.allSettled(
        items.map((item) =>
          publishOne(item.type, item.data, item.options ?? {}, (outgoing) => batch.send(outgoing)),
        ),
      );
      const failed = sent.find((result) => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      return sent.map((result) => (result as PromiseFulfilledResult<PublishResult>).value);
    },

    emit(type, data, publishOptions: PublishOptions = {}): void {
      bestEffort.emit(type, data, publishOptions);
    },

    on(type: string, handler: unknown, handlerOptions: HandlerOptions = {}): RegisteredHandler {
      // The event map types the user's handler; the pipeline carries events untyped.
      const untyped = handler as ConsumerHandler;
      return register(type, () => untyped, handlerOptions);
    },

    onBatch(type, handler, batchOptions: BatchHandlerOptions): RegisteredHandler {
      const { maxSize, maxWaitMs = DEFAULT_BATCH_WAIT_MS, restartWaitOnEvent = false } = batchOptions;
      if (!Number.isSafeInteger(maxSize) || maxSize < 1 || maxSize > MAX_BATCH_SIZE) {
        throw new InvalidOptionError(
          `onBatch maxSize must be an integer from 1 to ${MAX_BATCH_SIZE}, got ${maxSize}.`,
        );
      }
      if (!Number.isFinite(maxWaitMs) || maxWaitMs < 0) {
        throw new InvalidOptionError(`onBatch maxWaitMs must be a number of ms >= 0, got ${maxWaitMs}.`);
      }
      const batchHandler = handler as unknown as BatchHandler;
      return register(
        type,
        (shutdown, info) => {
          const collector = new BatchCollector({
            maxSize,
            maxWaitMs,
            restartWaitOnEvent,
            handler: batchHandler,
            handlerName: info.name,
            group: info.group,
            logger,
            signal: shutdown,
          });
          return (event, ctx) => collector.add(event, ctx);
        },
        { ...batchOptions, maxInFlight: batchOptions.maxInFlight ?? maxSize * 2 },
        // Batches that close as soon as events arrive are what a transport hands over together.
        maxWaitMs === 0 ? { handler: batchHandler, maxSize } : undefined,
      );
    },

    async start(): Promise<void> {
      if (state === 'stopping' || state === 'stopped') throw new ClosedError('The bus');
      state = 'started';
      await Promise.all([...specs.values()].map((spec) => running.get(spec.info.name) ?? launch(spec)));
    },

    stop(stopOptions: StopOptions = {}): Promise<void> {
      stopped ??= (async () => {
        state = 'stopping';
        const deadlineMs = stopOptions.deadlineMs ?? DEFAULT_STOP_DEADLINE_MS;
        // Refuse new emits now; those in flight may finish while consumers drain.
        const emitsDrained = bestEffort.close(deadlineMs);
        const consumers = await Promise.allSettled([...running.values()]);
        await Promise.all(
          consumers.flatMap((result) =>
            result.status === 'fulfilled' ? [result.value.close(deadlineMs)] : [],
          ),
        );
        running.clear();
        await emitsDrained;
        state = 'stopped';
        if (options.closeTransport !== false) await transport.close();
        logger.info({ group }, 'bus stopped');
      })();
      return stopped;
    },

    inflight() {
      return runningDeliveries.list();
    },

    cancel(eventId, reason) {
      return runningDeliveries.cancel(eventId, reason);
    },

    fairGroups() {
      return [...fairSchedulers].flatMap(([name, { scheduler, resolved }]): FairGroupStatus[] => {
        const info = specs.get(name)?.info;
        if (info === undefined) return [];
        const keys = scheduler.keys();
        return [
          {
            handler: name,
            topic: info.topic,
            group: info.group,
            concurrency: resolved.concurrency,
            ratePerSecond: resolved.ratePerSecond,
            buffer: resolved.buffer,
            shared: resolved.store !== undefined,
            running: keys.reduce((sum, key) => sum + key.running, 0),
            waiting: keys.reduce((sum, key) => sum + key.waiting, 0),
            keys,
          },
        ];
      });
    },

    get handlers(): readonly RegisteredHandler[] {
      return [...specs.values()].map(({ info }) => ({
        name: info.name,
        type: info.type,
        topic: info.topic,
        group: info.group,
        emits: emitsByHandler.get(info.name) ?? [],
      }));
    },
  };
  return bus;
}
