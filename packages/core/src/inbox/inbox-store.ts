/**
 * Outcome of `InboxStore.claim`:
 * - `'acquired'`: nobody processed this event for this handler yet; the caller holds a lease and
 *   must call `complete` after its side effect, or `release` when it failed.
 * - `'processed'`: already processed inside the dedup window; skip the side effect and ack.
 * - `'busy'`: another delivery of the same event holds an unexpired lease right now; try again later.
 */
export type InboxClaim = 'acquired' | 'processed' | 'busy';

/**
 * The idempotent-consumer port: remembers which event ids each handler has processed, for a TTL
 * window. Keys are `(handler, eventId)`; a handler name is unique per bus and usually per service.
 *
 * Implementations must make `claim` atomic across processes that share the store (two deliveries of
 * one event must never both get `'acquired'` while a lease is live). Memory (core) and SQLite
 * implement it here; PostgreSQL and Redis implement it with their transports, and
 * `@eddy/conformance` checks them all.
 */
export interface InboxStore {
  /**
   * Claims `(handler, eventId)` for `leaseMs`. A lease that expires (the claimer crashed) can be
   * claimed again; a completed entry reports `'processed'` until its TTL expires.
   */
  claim(handler: string, eventId: string, options: { readonly leaseMs: number }): Promise<InboxClaim>;
  /** Marks a claimed event processed, remembered for `ttlMs` from now. */
  complete(handler: string, eventId: string, options: { readonly ttlMs: number }): Promise<void>;
  /** Drops a claim that did not complete, so a redelivery can claim it at once. */
  release(handler: string, eventId: string): Promise<void>;
  /** Deletes entries whose TTL or lease expired before `now` (default `Date.now()`); returns how many. */
  purgeExpired(now?: number): Promise<number>;
  /** Releases connections or timers. Idempotent. */
  close(): Promise<void>;
}
