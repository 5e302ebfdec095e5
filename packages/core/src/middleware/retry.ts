import { InvalidOptionError } from '../errors/errors.js';
import { Nack } from '../errors/nack.js';
import { type AttemptInfo, type Middleware } from '../bus/handler-types.js';
import { backoffDelayMs } from '../shared/backoff.js';
import { isRetryableError } from './non-retryable-error.js';

export interface RetryOptions {
  /** Attempts in total, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Backoff base, ms: the ceiling of the first retry's delay. Default 200. */
  readonly baseDelayMs?: number;
  /** Largest backoff, ms. Default 30 000. */
  readonly maxDelayMs?: number;
  /** Which errors are worth retrying. Default: all but those with `retriable === false`. */
  readonly isRetryable?: (error: unknown) => boolean;
}

export interface ResolvedRetryOptions {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly isRetryable: (error: unknown) => boolean;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_RETRY_BASE_DELAY_MS = 200;
export const DEFAULT_RETRY_MAX_DELAY_MS = 30_000;

/** Fills in the documented defaults and checks ranges. */
export function resolveRetryOptions(options: RetryOptions | false | undefined): ResolvedRetryOptions {
  const given = options === false ? { maxAttempts: 1 } : (options ?? {});
  const resolved = {
    maxAttempts: given.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    baseDelayMs: given.baseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS,
    maxDelayMs: given.maxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS,
    isRetryable: given.isRetryable ?? isRetryableError,
  };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new InvalidOptionError(
      `retry.maxAttempts must be a positive integer, got ${resolved.maxAttempts}.`,
    );
  }
  for (const name of ['baseDelayMs', 'maxDelayMs'] as const) {
    if (!Number.isFinite(resolved[name]) || resolved[name] < 0) {
      throw new InvalidOptionError(`retry.${name} must be >= 0, got ${resolved[name]}.`);
    }
  }
  return resolved;
}

/**
 * Retries by asking the transport to redeliver later (`Nack(delayMs)`): the slot is freed at once
 * and other keys and partitions keep flowing. The attempt number is the transport's delivery
 * count, so it survives restarts. On a transport without `capabilities.nackDelay` the delay is
 * waited out in place (holding the slot) before nacking. After the last attempt the failure is
 * left to the dead-letter middleware; without one, the delivery is redelivered every
 * `maxDelayMs` rather than dropped.
 */
export function retryMiddleware(options: ResolvedRetryOptions): Middleware {
  return (next, info) => async (event, ctx) => {
    const attempt: AttemptInfo = {
      number: ctx.deliveryCount,
      max: options.maxAttempts,
      final: ctx.deliveryCount >= options.maxAttempts,
      isRetryable: options.isRetryable,
    };
    try {
      await next(event, { ...ctx, attempt });
    } catch (error) {
      if (error instanceof Nack) throw error;
      const retry = !attempt.final && options.isRetryable(error);
      const delayMs = retry ? backoffDelayMs(attempt.number, options) : options.maxDelayMs;
      if (retry) info.metrics.retried({ topic: info.topic, handler: info.name });
      ctx.logger.warn(
        { handler: info.name, eventId: event.id, attempt: attempt.number, delayMs, err: error },
        retry ? 'handler failed, retrying' : 'handler failed, no attempts left and no dead-letter queue',
      );
      if (!info.transport.capabilities.nackDelay && delayMs > 0) await sleep(delayMs, ctx.signal);
      throw new Nack(info.transport.capabilities.nackDelay ? delayMs : 0, error);
    }
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
