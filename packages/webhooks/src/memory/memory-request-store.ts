import { ClosedError } from '@eddy/core/internal';
import type { RequestRecord, RequestStore } from '../request-store.js';

/** Requests in a Map, for tests and single-process gateways. */
export function createMemoryRequestStore(): RequestStore {
  const records = new Map<string, RequestRecord>();
  let closed = false;
  const open = async (): Promise<void> => {
    await Promise.resolve();
    if (closed) throw new ClosedError('The request store');
  };
  const live = (id: string, now: number): RequestRecord | undefined => {
    const record = records.get(id);
    return record === undefined || record.expiresAt <= now ? undefined : record;
  };
  return {
    async create({ id, type, expiresAt, callbackUrl }, now) {
      await open();
      if (records.has(id)) return undefined;
      const record: RequestRecord = {
        id,
        type,
        status: 'pending',
        ...(callbackUrl === undefined ? {} : { callbackUrl }),
        createdAt: now,
        updatedAt: now,
        expiresAt,
      };
      records.set(id, record);
      return structuredClone(record);
    },
    async get(id, now) {
      await open();
      const record = live(id, now);
      return record === undefined ? undefined : structuredClone(record);
    },
    async settle(id, outcome, now, expiresAt) {
      await open();
      const record = records.get(id);
      if (record === undefined) return undefined;
      if (record.status !== 'pending') return structuredClone(record);
      const settled: RequestRecord = {
        ...record,
        ...structuredClone(outcome),
        updatedAt: now,
        expiresAt,
      };
      records.set(id, settled);
      return structuredClone(settled);
    },
    async listOverdueCallbacks(createdBefore, limit) {
      await open();
      return [...records.values()]
        .filter((r) => r.status === 'pending' && r.callbackUrl !== undefined && r.createdAt < createdBefore)
        .sort((a, b) => a.createdAt - b.createdAt)
        .slice(0, limit)
        .map((r) => structuredClone(r));
    },
    async purge(now) {
      await open();
      let removed = 0;
      for (const [id, record] of records) {
        if (record.expiresAt <= now) {
          records.delete(id);
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
