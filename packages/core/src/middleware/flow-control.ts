import { InvalidOptionError } from '../errors/errors.js';
import { Nack } from '../errors/nack.js';
import type { Middleware } from '../bus/handler-types.js';

/**
 * Lets at most `maxPerKey` deliveries with the same partition key run at once; the rest wait in
 * arrival order. Waiting deliveries keep their transport slot, so the transport's `maxInFlight`
 * still bounds everything buffered: when all slots wait, the transport stops fetching.
 */
export function perKeyConcurrencyMiddleware(maxPerKey: number): Middleware {
  if (!Number.isInteger(maxPerKey) || maxPerKey < 1) {
    throw new InvalidOptionError(`maxInFlightPerKey must be a positive integer, got ${maxPerKey}.`);
  }
  const keys = new Map<string, { running: number; waiting: (() => void)[] }>();
  return (next) => async (event, ctx) => {
    const key = ctx.message.key;
    if (key === undefined) return next(event, ctx);
    let slot = keys.get(key);
    if (slot === undefined) {
      slot = { running: 0, waiting: [] };
      keys.set(key, slot);
    }
    if (slot.running >= maxPerKey) {
      const entry = slot;
      await new Promise<void>((resolve) => entry.waiting.push(resolve));
    } else {
      slot.running++;
    }
    try {
      await next(event, ctx);
    } finally {
      const wake = slot.waiting.shift();
      // The slot passes straight to the next waiter, so `running` only drops when nobody waits.
      if (wake !== undefined) wake();
      else if (--slot.running === 0) keys.delete(key);
    }
  };
}

/**
 * Starts at most `perSecond` deliveries per second (token bucket, burst of one second's worth).
 * Deliveries waiting for a token hold their transport slot, which is the backpressure.
 */
export function rateLimitMiddleware(perSecond: number): Middleware {
  if (!Number.isFinite(perSecond) || perSecond <= 0) {
    throw new InvalidOptionError(`ratePerSecond must be > 0, got ${perSecond}.`);
  }
  const capacity = Math.max(1, perSecond);
  let tokens = capacity;
  let refilledAt = Date.now();
  let queue: Promise<void> = Promise.resolve();

  const take = async (): Promise<void> => {
    for (;;) {
      const now = Date.now();
      tokens = Math.min(capacity, tokens + ((now - refilledAt) / 1000) * perSecond);
      refilledAt = now;
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      const waitMs = Math.ceil(((1 - tokens) / perSecond) * 1000);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  };

  return (next) => async (event, ctx) => {
    // Chained so tokens go out in arrival order.
    const turn = queue.then(take);
    queue = turn;
    await untilAborted(turn, ctx.signal);
    await next(event, ctx);
  };
}

/**
 * Waits for `work`, unless `signal` aborts first (a shutdown past its deadline): then the delivery
 * is nacked for immediate redelivery instead of waiting for its turn.
 */
function untilAborted(work: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new Nack(0, signal.reason));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(new Nack(0, signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
