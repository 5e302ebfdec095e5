import type { CloudEvent } from '../cloudevents/cloud-event.js';
import { BackendError, ClosedError } from '../errors/errors.js';
import type { Headers } from '../transport/message.js';
import {
  assertLaneCount,
  DEFAULT_OUTBOX_LANES,
  prepareOutboxRows,
  type OutboxEntry,
} from '../outbox/outbox-entry.js';
import type {
  FailedOutboxRecord,
  LaneClaim,
  OutboxRecord,
  OutboxStats,
  OutboxStore,
} from '../outbox/outbox-store.js';
import { assertAttempts, assertRowIds, resolveFailedRowsQuery } from '../outbox/failed-rows.js';
import { fairShare } from '../outbox/lane-share.js';

export interface MemoryOutboxStoreOptions {
  /** Number of lanes. Default 16. */
  readonly lanes?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * An in-memory outbox for tests of code that uses the outbox: `add` records events at once (there
 * is no transaction to join), and a relay publishes them as from any other store.
 */
export interface MemoryOutboxStore extends OutboxStore {
  /** Records events as one committed unit; returns them with their ids filled in. */
  add(entries: readonly OutboxEntry[]): CloudEvent[];
}

interface MemoryRow extends OutboxRecord {
  publishedAt: number | undefined;
  failure:
    { readonly failedAt: number; readonly error: string; readonly attempts: number | undefined } | undefined;
}

interface Lease {
  owner: string;
  expiresAt: number;
}

/** A copy without the store's bookkeeping, so callers cannot change the stored row. */
function record(row: MemoryRow): OutboxRecord {
  const { publishedAt: _published, failure: _failure, ...rest } = row;
  return rest;
}

export function createMemoryOutboxStore(options: MemoryOutboxStoreOptions = {}): MemoryOutboxStore {
  const lanes = assertLaneCount(options.lanes ?? DEFAULT_OUTBOX_LANES);
  const now = options.now ?? Date.now;
  const rows = new Map<number, MemoryRow>();
  const leases: (Lease | undefined)[] = Array.from({ length: lanes }, () => undefined);
  const relays = new Map<string, number>();
  const listeners = new Set<() => void>();
  let nextId = 1;
  let closed = false;
  const open = (): void => {
    if (closed) throw new ClosedError('This memory outbox store');
  };
  const run = <T>(work: () => T): Promise<T> => {
    try {
      open();
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new BackendError(String(error)));
    }
  };
  const holds = (owner: string, lane: number, at: number): boolean => {
    const lease = leases[lane];
    return lease !== undefined && lease.owner === owner && lease.expiresAt > at;
  };

  return {
    lanes,
    add(entries) {
      open();
      const prepared = prepareOutboxRows(entries, lanes, now());
      for (const row of prepared) {
        const id = nextId++;
        rows.set(id, {
          id,
          topic: row.topic,
          key: row.key,
          lane: row.lane,
          headers: JSON.parse(row.headersJson) as Headers,
          payload: row.payload,
          traceparent: row.traceparent,
          tracestate: row.tracestate,
          createdAt: row.createdAt,
          publishedAt: undefined,
          failure: undefined,
        });
      }
      if (prepared.length > 0) for (const listener of listeners) listener();
      return prepared.map((row) => row.event);
    },
    claimLanes: ({ owner, leaseMs, maxLanes }) =>
      run((): LaneClaim => {
        const at = now();
        relays.set(owner, at + leaseMs);
        for (const [relay, expiresAt] of relays) if (expiresAt <= at) relays.delete(relay);
        const target = fairShare(lanes, relays.size, maxLanes);
        const held: number[] = [];
        leases.forEach((lease, lane) => {
          if (lease !== undefined && lease.owner === owner && lease.expiresAt > at) {
            lease.expiresAt = at + leaseMs;
            held.push(lane);
          }
        });
        for (let lane = 0; lane < lanes && held.length < target; lane++) {
          const lease = leases[lane];
          if (lease === undefined || lease.expiresAt <= at) {
            leases[lane] = { owner, expiresAt: at + leaseMs };
            held.push(lane);
          }
        }
        return { lanes: held.sort((a, b) => a - b), relays: relays.size };
      }),
    releaseLanes: (owner, released) =>
      run(() => {
        for (const lane of released) if (leases[lane]?.owner === owner) leases[lane] = undefined;
      }),
    fetchPending: (lane, limit) =>
      run(() => {
        const found: OutboxRecord[] = [];
        for (const row of rows.values()) {
          if (row.lane !== lane || row.publishedAt !== undefined || row.failure !== undefined) continue;
          found.push(record(row));
          if (found.length >= limit) break;
        }
        return found;
      }),
    markPublished: ({ owner, lane, ids, delete: remove }) =>
      run(() => {
        const at = now();
        if (!holds(owner, lane, at)) return false;
        for (const id of ids) {
          const row = rows.get(id);
          if (row === undefined) continue;
          if (remove) rows.delete(id);
          else row.publishedAt = at;
        }
        return true;
      }),
    markFailed: ({ owner, lane, id, error, attempts }) =>
      run(() => {
        const at = now();
        if (!holds(owner, lane, at)) return false;
        const row = rows.get(id);
        if (row !== undefined && row.publishedAt === undefined)
          row.failure = { failedAt: at, error, attempts: assertAttempts(attempts) };
        return true;
      }),
    failedRows: (query) =>
      run(() => {
        const { limit, afterId } = resolveFailedRowsQuery(query);
        const found: FailedOutboxRecord[] = [];
        for (const row of rows.values()) {
          if (row.failure === undefined || row.id <= afterId) continue;
          found.push({ ...record(row), ...row.failure });
          if (found.length >= limit) break;
        }
        return found;
      }),
    retryFailed: (ids) =>
      run(() => {
        let count = 0;
        for (const id of assertRowIds(ids)) {
          const row = rows.get(id);
          if (row?.failure === undefined) continue;
          row.failure = undefined;
          count++;
        }
        if (count > 0) for (const listener of listeners) listener();
        return count;
      }),
    discardFailed: (ids) =>
      run(() => {
        let count = 0;
        for (const id of assertRowIds(ids)) {
          if (rows.get(id)?.failure === undefined) continue;
          rows.delete(id);
          count++;
        }
        return count;
      }),
    stats: () =>
      run((): OutboxStats => {
        let pending = 0;
        let failed = 0;
        let oldestPendingAt: number | undefined;
        for (const row of rows.values()) {
          if (row.publishedAt !== undefined) continue;
          if (row.failure !== undefined) {
            failed++;
            continue;
          }
          pending++;
          oldestPendingAt = Math.min(oldestPendingAt ?? row.createdAt, row.createdAt);
        }
        return { pending, oldestPendingAt, failed };
      }),
    purgePublished: (before) =>
      run(() => {
        let removed = 0;
        for (const [id, row] of rows) {
          if (row.publishedAt !== undefined && row.publishedAt < before) {
            rows.delete(id);
            removed++;
          }
        }
        return removed;
      }),
    onWake(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      listeners.clear();
      return Promise.resolve();
    },
  };
}
