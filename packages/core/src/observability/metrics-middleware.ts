import type { Middleware } from '../bus/handler-types.js';
import type { ConsumerLabels } from './metrics.js';

/**
 * Reports consumed and failed counts, handler duration, in-flight deliveries and lag (age of the
 * message) to the bus's `BusMetrics`. Retried and dead-lettered counts come from those middleware.
 */
export function metricsMiddleware(): Middleware {
  return (next, info) => {
    const labels = { topic: info.topic, handler: info.name };
    // One label object per partition, made on its first delivery, rather than one per delivery.
    const lagLabels = new Map<number, ConsumerLabels & { readonly partition: number }>();
    return async (event, ctx) => {
      const { partition } = ctx.message;
      let partitionLabels = lagLabels.get(partition);
      if (partitionLabels === undefined) {
        partitionLabels = { ...labels, partition };
        lagLabels.set(partition, partitionLabels);
      }
      info.metrics.lag(partitionLabels, Math.max(0, Date.now() - ctx.message.publishedAt) / 1000);
      info.metrics.inFlight(labels, 1);
      const started = process.hrtime.bigint();
      try {
        await next(event, ctx);
        if (!ctx.outcome.deadLettered) info.metrics.consumed(labels);
      } finally {
        info.metrics.handlerDuration(labels, Number(process.hrtime.bigint() - started) / 1e9);
        info.metrics.inFlight(labels, -1);
        if (ctx.outcome.failed) {
          const error = ctx.outcome.error;
          info.metrics.failed({ ...labels, error: error instanceof Error ? error.name : typeof error });
        }
      }
    };
  };
}
