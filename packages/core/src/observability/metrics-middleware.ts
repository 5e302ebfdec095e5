import type { Middleware } from '../bus/handler-types.js';

/**
 * Reports consumed and failed counts, handler duration, in-flight deliveries and lag (age of the
 * message) to the bus's `BusMetrics`. Retried and dead-lettered counts come from those middleware.
 */
export function metricsMiddleware(): Middleware {
  return (next, info) => {
    const labels = { topic: info.topic, handler: info.name };
    return async (event, ctx) => {
      info.metrics.lag(
        { ...labels, partition: ctx.message.partition },
        Math.max(0, Date.now() - ctx.message.publishedAt) / 1000,
      );
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
