import { TimeoutError } from '../errors/errors.js';
import type { Middleware } from '../bus/handler-types.js';
import { WatchedAbortController, watchAbort } from '../shared/abort-watch.js';

/**
 * Gives each attempt `timeoutMs`: then the handler's `ctx.signal` aborts with a `TimeoutError`,
 * and the bus fails the attempt at once (it does not wait for a handler that ignores the signal),
 * so the retry and dead-letter middleware inside see an ordinary, retriable failure.
 */
export function timeoutMiddleware(timeoutMs: number): Middleware {
  return (next, info) => {
    const message = `Handler "${info.name}" did not finish within ${timeoutMs} ms. Raise its timeoutMs or make it faster.`;
    return async (event, ctx) => {
      const attempt = new AttemptTimeout(ctx.signal, timeoutMs, message);
      try {
        await next(event, { ...ctx, signal: attempt.signal });
      } finally {
        attempt.finish();
      }
    };
  };
}

/**
 * One attempt's signal: aborted by its timer or by the outer signal. The timer gets the attempt as
 * its argument, so an attempt allocates no closure for it.
 */
class AttemptTimeout {
  readonly #controller = new WatchedAbortController();
  readonly #message: string;
  readonly #timer: NodeJS.Timeout;
  readonly #unwatch: (() => void) | undefined;

  constructor(outer: AbortSignal, timeoutMs: number, message: string) {
    this.#message = message;
    if (outer.aborted) {
      this.#controller.abort(outer.reason);
      this.#unwatch = undefined;
    } else {
      this.#unwatch = watchAbort(outer, () => this.#controller.abort(outer.reason));
    }
    this.#timer = setTimeout(expire, timeoutMs, this);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  expire(): void {
    this.#controller.abort(new TimeoutError(this.#message));
  }

  finish(): void {
    clearTimeout(this.#timer);
    this.#unwatch?.();
  }
}

function expire(attempt: AttemptTimeout): void {
  attempt.expire();
}
