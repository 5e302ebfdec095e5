import { Nack } from '../errors/nack.js';
import type { InboxStore } from '../inbox/inbox-store.js';
import type { Middleware } from '../bus/handler-types.js';

export interface DedupOptions {
  /** Store of processed ids. Default the bus's `inbox`. */
  readonly store?: InboxStore;
  /** How long a processed event id is remembered, ms. Default 86 400 000 (24 h). */
  readonly ttlMs?: number;
  /**
   * How long a claim protects an attempt in progress, ms: a crashed claimer's event becomes
   * claimable again after it. Default the handler's `ackTimeoutMs` (30 000).
   */
  readonly leaseMs?: number;
  /** Redelivery delay when another delivery of the same event is in progress, ms. Default 1 000. */
  readonly busyRetryDelayMs?: number;
}

export const DEFAULT_DEDUP_TTL_MS = 86_400_000;

/**
 * Idempotent consumer: skips an event whose id this handler already processed within the TTL,
 * and marks it processed after the handler succeeds. Side effects outside the store can still
 * repeat if the process dies between the side effect and the mark; the SQLite transactional
 * inbox closes that gap for effects in the same database.
 */
export function dedupMiddleware(
  store: InboxStore,
  options: { readonly ttlMs: number; readonly leaseMs: number; readonly busyRetryDelayMs: number },
): Middleware {
  return (next, info) => async (event, ctx) => {
    const claim = await store.claim(info.name, event.id, { leaseMs: options.leaseMs });
    if (claim === 'processed') {
      ctx.outcome.duplicate = true;
      ctx.logger.debug({ handler: info.name, eventId: event.id }, 'duplicate event skipped');
      return;
    }
    if (claim === 'busy') throw new Nack(options.busyRetryDelayMs);
    try {
      await next(event, ctx);
    } catch (error) {
      await store.release(info.name, event.id).catch((releaseError: unknown) => {
        ctx.logger.warn({ handler: info.name, eventId: event.id, err: releaseError }, 'inbox release failed');
      });
      throw error;
    }
    await store.complete(info.name, event.id, { ttlMs: options.ttlMs });
  };
}
