import { ClosedError } from '../errors/errors.js';
import type { ScheduleDefinitionRecord, ScheduleRecord } from '../schedule/schedule.js';
import type { ScheduleStore } from '../schedule/schedule-store.js';
import { redefinesTiming } from '../schedule/schedule-store-rules.js';

interface Entry {
  record: ScheduleRecord;
  owner: string | undefined;
  leaseExpiresAt: number;
}

/** Schedules in a Map, for tests and single-process tools; claims work between schedulers sharing it. */
export function createMemoryScheduleStore(): ScheduleStore {
  const entries = new Map<string, Entry>();
  let closed = false;
  const open = async (): Promise<void> => {
    await Promise.resolve();
    if (closed) throw new ClosedError('The schedule store');
  };
  const copy = (record: ScheduleRecord): ScheduleRecord => structuredClone(record);

  return {
    async upsert(definition: ScheduleDefinitionRecord, nextRunAt) {
      await open();
      const existing = entries.get(definition.id);
      if (existing === undefined) {
        const record: ScheduleRecord = { ...structuredClone(definition), nextRunAt, runs: 0, missed: 0 };
        entries.set(definition.id, { record, owner: undefined, leaseExpiresAt: 0 });
        return copy(record);
      }
      const keepTiming = !redefinesTiming(existing.record, definition);
      existing.record = {
        ...existing.record,
        ...structuredClone(definition),
        nextRunAt: keepTiming ? existing.record.nextRunAt : nextRunAt,
      };
      if (definition.key === undefined) delete (existing.record as { key?: string }).key;
      if (!keepTiming) existing.owner = undefined;
      return copy(existing.record);
    },
    async get(id) {
      await open();
      const entry = entries.get(id);
      return entry === undefined ? undefined : copy(entry.record);
    },
    async list() {
      await open();
      return [...entries.values()].map((entry) => copy(entry.record)).sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    async delete(id) {
      await open();
      return entries.delete(id);
    },
    async claimDue({ now, limit, leaseMs, owner }) {
      await open();
      const due = [...entries.values()]
        .filter(
          (entry) =>
            entry.record.enabled &&
            entry.record.nextRunAt <= now &&
            (entry.owner === undefined || entry.leaseExpiresAt <= now),
        )
        .sort((a, b) => a.record.nextRunAt - b.record.nextRunAt)
        .slice(0, limit);
      for (const entry of due) {
        entry.owner = owner;
        entry.leaseExpiresAt = now + leaseMs;
      }
      return due.map((entry) => copy(entry.record));
    },
    async advance(id, advance) {
      await open();
      const entry = entries.get(id);
      if (
        entry === undefined ||
        entry.owner !== advance.owner ||
        entry.record.nextRunAt !== advance.expectedNextRunAt
      ) {
        return false;
      }
      entry.record = {
        ...entry.record,
        nextRunAt: advance.nextRunAt,
        ...(advance.lastRunAt === undefined ? {} : { lastRunAt: advance.lastRunAt }),
        runs: entry.record.runs + advance.fired,
        missed: entry.record.missed + advance.missed,
      };
      entry.owner = undefined;
      return true;
    },
    async close() {
      closed = true;
      await Promise.resolve();
    },
  };
}
