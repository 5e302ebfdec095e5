import { ClosedError } from '../errors/errors.js';
import type { InboxClaim, InboxStore } from './inbox-store.js';

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
  const assertOpen = (): void => {
    if (closed) throw new ClosedError('Memory inbox store');
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
    claim(handler, eventId, { leaseMs }): Promise<InboxClaim> {
      assertOpen();
      const at = now();
      if (++claims % sweepEvery === 0) purge(at);
      const key = keyOf(handler, eventId);
      const entry = entries.get(key);
      if (entry !== undefined && entry.expiresAt > at) {
        return Promise.resolve(entry.state === 'processed' ? 'processed' : 'busy');
      }
      entries.set(key, { state: 'leased', expiresAt: at + leaseMs });
      return Promise.resolve('acquired');
    },
    complete(handler, eventId, { ttlMs }): Promise<void> {
      assertOpen();
      entries.set(keyOf(handler, eventId), { state: 'processed', expiresAt: now() + ttlMs });
      return Promise.resolve();
    },
    release(handler, eventId): Promise<void> {
      assertOpen();
      const key = keyOf(handler, eventId);
      if (entries.get(key)?.state === 'leased') entries.delete(key);
      return Promise.resolve();
    },
    purgeExpired(at = now()): Promise<number> {
      assertOpen();
      return Promise.resolve(purge(at));
    },
    close(): Promise<void> {
      closed = true;
      entries.clear();
      return Promise.resolve();
    },
  };
}
