import { REDRIVE_GROUP_HEADER } from '../dlq/dead-letter-format.js';
import { deadLetterMiddleware, type DeadLetterNotice } from '../middleware/dead-letter.js';
import { composeMiddleware } from '../middleware/middleware.js';
import { retryMiddleware } from '../middleware/retry.js';
import { metricsMiddleware } from '../observability/metrics-middleware.js';
import type { ReceivedMessage } from '../transport/message.js';
import type { BatchMessageHandler, BatchSettlement } from '../transport/transport.js';
import type { BatchContext, BatchHandler } from './batch-collector.js';
import type { ConsumerSettings } from './consumer-settings.js';
import { fromReceived } from './envelope.js';
import type { EventPredicate } from './event-filter.js';
import { expiryOf } from './expiry.js';
import type { BusEvent, ConsumerHandler, HandlerContext, HandlerInfo } from './handler-types.js';
import { NOT_LONG_RUNNING } from './long-running.js';
import { AUTOMATIC_SETTLEMENT } from './manual-settlement.js';

/** A batch handler taken by `bus.onBatch`, with the size of its batches. */
export interface BatchSpec {
  readonly handler: BatchHandler;
  readonly maxSize: number;
}

/** Which events of the topic the handler takes (`EventSelection` of the consumer). */
interface Selection {
  readonly type: (type: string) => boolean;
  readonly filter: EventPredicate | undefined;
}

export interface BatchDeliverySettings {
  readonly info: HandlerInfo;
  readonly settings: ConsumerSettings;
  readonly selection: Selection;
  readonly batch: BatchSpec;
  readonly shutdown: AbortSignal;
  readonly onDeadLetter: ((notice: DeadLetterNotice) => void | Promise<void>) | undefined;
  /** The per-message path, for the messages a batch does not take as they are (undecodable, expired). */
  readonly single: (message: ReceivedMessage) => Promise<void>;
}

/**
 * The batch handler of `bus.onBatch` fed by `Transport.subscribeBatch`: the messages the transport
 * hands over together are decoded and selected, then passed to the handler in one call, without the
 * per-event middleware chain. Only a failed event goes through retry and dead-letter (and the
 * metrics of a failure), exactly as one delivery would: retried by redelivery, dead-lettered alone.
 * Undecodable and expired messages take the per-message path.
 */
export function batchDelivery(options: BatchDeliverySettings): BatchMessageHandler {
  const { info, settings, selection, batch, shutdown } = options;
  const labels = { topic: info.topic, handler: info.name };
  const middleware = [metricsMiddleware(), retryMiddleware(settings.retry)];
  if (settings.deadLetter !== undefined) {
    middleware.push(deadLetterMiddleware(settings.deadLetter, options.onDeadLetter));
  }
  const failure: ConsumerHandler = (_event, ctx) =>
    Promise.reject(
      ctx.outcome.error instanceof Error ? ctx.outcome.error : new Error(String(ctx.outcome.error)),
    );
  const failed = composeMiddleware(middleware, failure, info);

  return async (messages): Promise<BatchSettlement | void> => {
    const events: BusEvent[] = [];
    const messageOf = new Map<BusEvent, ReceivedMessage>();
    const outcomes = new Map<ReceivedMessage, unknown>();
    const singles: Promise<void>[] = [];
    const lagOf = new Map<number, number>();
    const now = Date.now();
    for (const message of messages) {
      const redriveGroup = message.headers[REDRIVE_GROUP_HEADER];
      if (redriveGroup !== undefined && redriveGroup !== info.group) continue;
      let event: BusEvent;
      try {
        event = fromReceived(message);
      } catch {
        singles.push(runSingle(options.single, message, outcomes));
        continue;
      }
      // Several types can share a topic; each handler takes only its own.
      if (!selection.type(event.type)) continue;
      if (selection.filter !== undefined && !selection.filter(event)) {
        info.metrics.filtered?.(labels);
        continue;
      }
      const expiresAt = expiryOf(event);
      if (expiresAt !== undefined && expiresAt <= now) {
        singles.push(runSingle(options.single, message, outcomes));
        continue;
      }
      // The lag gauge keeps the last value set: one report per partition and batch, after the loop.
      lagOf.set(message.partition, message.publishedAt);
      events.push(event);
      messageOf.set(event, message);
    }
    for (const [partition, publishedAt] of lagOf) {
      info.metrics.lag({ ...labels, partition }, Math.max(0, now - publishedAt) / 1000);
    }
    if (events.length > 0) {
      const failures = new Map<BusEvent, unknown>();
      const ctx: BatchContext = {
        signal: shutdown,
        handlerName: info.name,
        group: info.group,
        logger: info.logger,
        fail: (event, error) => void failures.set(event, error),
        message: (event) => messageOf.get(event),
      };
      info.metrics.inFlight(labels, events.length);
      const started = process.hrtime.bigint();
      try {
        await batch.handler(events, ctx);
      } catch (error) {
        for (const event of events) failures.set(event, error);
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      info.metrics.inFlight(labels, -events.length);
      const retries: Promise<void>[] = [];
      for (const event of events) {
        if (!failures.has(event)) {
          info.metrics.handlerDuration(labels, seconds);
          info.metrics.consumed(labels);
          continue;
        }
        const message = messageOf.get(event)!;
        const attempt = failed(event, contextOf(message, failures.get(event), settings, info, shutdown));
        retries.push(attempt.catch((error: unknown) => void outcomes.set(message, error)));
      }
      await Promise.all(retries);
    }
    await Promise.all(singles);
    return outcomes.size === 0 ? undefined : { failed: outcomes };
  };
}

function runSingle(
  single: (message: ReceivedMessage) => Promise<void>,
  message: ReceivedMessage,
  outcomes: Map<ReceivedMessage, unknown>,
): Promise<void> {
  return single(message).catch((error: unknown) => void outcomes.set(message, error));
}

/** The context a failed event of a batch goes through retry and dead-letter with. */
function contextOf(
  message: ReceivedMessage,
  error: unknown,
  settings: ConsumerSettings,
  info: HandlerInfo,
  signal: AbortSignal,
): HandlerContext {
  return {
    ack: AUTOMATIC_SETTLEMENT.ack,
    nack: AUTOMATIC_SETTLEMENT.nack,
    extendLease: NOT_LONG_RUNNING.extendLease,
    progress: NOT_LONG_RUNNING.progress,
    signal,
    deliveryCount: message.deliveryCount,
    message,
    handlerName: info.name,
    group: info.group,
    logger: info.logger,
    outcome: { error, failed: true, duplicate: false, deadLettered: false },
  };
}
