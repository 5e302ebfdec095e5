import { TimeoutError } from '../errors/errors.js';
import type { Middleware } from '../bus/handler-types.js';
import { watchAbort } from '../shared/abort-watch.js';

/**
 * Gives each attempt `timeoutMs`: then the handler's `ctx.signal` aborts with a `TimeoutError`,
 * and the bus fails the attempt at once (it does not wait for a handler that ignores the signal),
 * so the retry and dead-letter middleware inside see an ordinary, retriable failure.
 */
export function timeoutMiddleware(timeoutMs: number): Middleware {
  return (next, info) => async (event, ctx) => {
    const controller = new AbortController();
    const onOuterAbort = (): void => controller.abort(ctx.signal.reason);
    let unwatch = (): void => undefined;
    if (ctx.signal.aborted) onOuterAbort();
    else unwatch = watchAbort(ctx.signal, onOuterAbort);
    const timer = setTimeout(() => {
      controller.abort(
        new TimeoutError(
          `Handler "${info.name}" did not finish within ${timeoutMs} ms. Raise its timeoutMs or make it faster.`,
        ),
      );
    }, timeoutMs);
    try {
      await next(event, { ...ctx, signal: controller.signal });
    } finally {
      clearTimeout(timer);
      unwatch();
    }
  };
}
