import { ClosedError } from '@eddy/core/internal';
import type { Delivery, DeliveryAttempt } from '../delivery.js';
import type { DeliveryStore } from '../delivery-store.js';

interface Entry {
  delivery: Delivery;
  attempts: DeliveryAttempt[];
  owner: string | undefined;
  leaseExpiresAt: number;
}

const DEFAULT_LIST_LIMIT = 100;

/** Deliveries in a Map, for tests and single-process tools; claims work between dispatchers sharing it. */
export function createMemoryDeliveryStore(): DeliveryStore {
  const entries = new Map<string, Entry>();
  /** The pending entries, in sequence order. */
  let pending = new Map<string, Entry>();
  let sequence = 0;
  let closed = false;
  const open = async (): Promise<void> => {
    await Promise.resolve();
    if (closed) throw new ClosedError('The delivery store');
  };
  const copy = (delivery: Delivery): Delivery => ({ ...delivery });
  const bySequence = (a: Entry, b: Entry): number => a.delivery.sequence - b.delivery.sequence;

  return {
    async enqueue(deliveries, now) {
      await open();
      let added = 0;
      for (const input of deliveries) {
        if (entries.has(input.id)) continue;
        sequence += 1;
        added += 1;
        const entry: Entry = {
          delivery: {
            ...input,
            sequence,
            status: 'pending',
            attempts: 0,
            nextAttemptAt: now,
            createdAt: now,
            updatedAt: now,
          },
          attempts: [],
          owner: undefined,
          leaseExpiresAt: 0,
        };
        entries.set(input.id, entry);
        pending.set(input.id, entry);
      }
      return added;
    },
    async claimDue({ now, limit, leaseMs, owner }) {
      await open();
      const heads = new Set<string>();
      const claimed: Entry[] = [];
      // `pending` iterates in sequence order, so the scan stops as soon as the limit is reached.
      for (const entry of pending.values()) {
        const { delivery } = entry;
        const isHead = !heads.has(delivery.endpointId);
        heads.add(delivery.endpointId);
        if (delivery.ordered && !isHead) continue;
        if (delivery.nextAttemptAt > now) continue;
        if (entry.owner !== undefined && entry.leaseExpiresAt > now) continue;
        claimed.push(entry);
        if (claimed.length >= limit) break;
      }
      for (const entry of claimed) {
        entry.owner = owner;
        entry.leaseExpiresAt = now + leaseMs;
      }
      return claimed.map((entry) => copy(entry.delivery));
    },
    async settle(id, { owner, status, nextAttemptAt, attempt, lastError, now }) {
      await open();
      const entry = entries.get(id);
      if (entry === undefined || entry.owner !== owner || entry.delivery.status !== 'pending') return false;
      if (attempt !== undefined) entry.attempts.push({ ...attempt });
      const { lastError: previous, ...rest } = entry.delivery;
      const kept = lastError ?? (status === 'succeeded' ? undefined : previous);
      entry.delivery = {
        ...rest,
        status,
        nextAttemptAt,
        attempts: entry.delivery.attempts + (attempt === undefined ? 0 : 1),
        ...(kept === undefined ? {} : { lastError: kept }),
        updatedAt: now,
      };
      entry.owner = undefined;
      entry.leaseExpiresAt = 0;
      if (status !== 'pending') pending.delete(id);
      return true;
    },
    async get(id) {
      await open();
      const entry = entries.get(id);
      return entry === undefined ? undefined : copy(entry.delivery);
    },
    async list(query = {}) {
      await open();
      const limit = query.limit ?? DEFAULT_LIST_LIMIT;
      return [...entries.values()]
        .map((entry) => entry.delivery)
        .filter(
          (delivery) =>
            (query.endpointId === undefined || delivery.endpointId === query.endpointId) &&
            (query.status === undefined || delivery.status === query.status) &&
            (query.beforeSequence === undefined || delivery.sequence < query.beforeSequence),
        )
        .sort((a, b) => b.sequence - a.sequence)
        .slice(0, limit)
        .map(copy);
    },
    async listAttempts(id) {
      await open();
      return (entries.get(id)?.attempts ?? []).map((attempt) => ({ ...attempt }));
    },
    async redeliver(id, now) {
      await open();
      const entry = entries.get(id);
      if (entry === undefined) return undefined;
      entry.delivery = { ...entry.delivery, status: 'pending', nextAttemptAt: now, updatedAt: now };
      entry.owner = undefined;
      entry.leaseExpiresAt = 0;
      if (!pending.has(id)) {
        // Back among the pending in its sequence place (rare: a manual redelivery).
        pending.set(id, entry);
        pending = new Map([...pending].sort(([, a], [, b]) => bySequence(a, b)));
      }
      return copy(entry.delivery);
    },
    async purge(before) {
      await open();
      let removed = 0;
      for (const [id, entry] of entries) {
        if (entry.delivery.status !== 'pending' && entry.delivery.updatedAt < before) {
          entries.delete(id);
          removed += 1;
        }
      }
      return removed;
    },
    async close() {
      closed = true;
      await Promise.resolve();
    },
  };
}
