import { ClosedError } from '../errors/errors.js';
import type { InboxClaim, InboxStore } from '../inbox/inbox-store.js';

interface Entry {
  state: 'leased' | 'processed';
  expiresAt: number;
}

export interface MemoryInboxStoreOptions {
  /** Clock, epoch milliseconds. Default `Date.now`. Tests pass their own to move time. */
  readonly now?: () => number;
  /**
   * Every this many `claim` calls, expired entries are swept so the map stays bounded by the
   * TTL window. Default 1 000.
   */
  readonly sweepEvery?: number;
}

/**
 * `InboxStore` in process memory: dedup within one process, lost on restart. Use SQLite,
 * PostgreSQL or Redis for dedup that survives a crash or spans processes.
 */
export function createMemoryInboxStore(options: MemoryInboxStoreOptions = {}): InboxStore {
  const now = options.now ?? Date.now;
  const sweepEvery = options.sweepEvery ?? 1_000;
  const entries = new Map<string, Entry>();
  let claims = 0;
  let closed = false;

  const keyOf = (handler: string, eventId: string): string => `${handler}\u0000${eventId}`;
  // Promise-returning methods report a closed store as a rejection, never a synchronous throw.
  const guarded = <T>(work: () => T): Promise<T> => {
    if (closed) return Promise.reject(new ClosedError('Memory inbox store'));
    return Promise.resolve(work());
  };
  const purge = (at: number): number => {
    let removed = 0;
    for (const [key, entry] of entries) {
      if (entry.expiresAt <= at) {
        entries.delete(key);
        removed++;
      }
    }
    return removed;
  };

  return {
    claim: (handler, eventId, { leaseMs }) =>
      guarded((): InboxClaim => {
        const at = now();
        if (++claims % sweepEvery === 0) purge(at);
        const key = keyOf(handler, eventId);
        const entry = entries.get(key);
        if (entry !== undefined && entry.expiresAt > at) {
          return entry.state === 'processed' ? 'processed' : 'busy';
        }
        entries.set(key, { state: 'leased', expiresAt: at + leaseMs });
        return 'acquired';
      }),
    complete: (handler, eventId, { ttlMs }) =>
      guarded(
        () => void entries.set(keyOf(handler, eventId), { state: 'processed', expiresAt: now() + ttlMs }),
      ),
    release: (handler, eventId) =>
      guarded(() => {
        const key = keyOf(handler, eventId);
        if (entries.get(key)?.state === 'leased') entries.delete(key);
      }),
    purgeExpired: (at = now()) => guarded(() => purge(at)),
    close(): Promise<void> {
      closed = true;
      entries.clear();
      return Promise.resolve();
    },
  };
}
