import { randomBytes } from 'node:crypto';
import { ErrorCodes, isEddyError } from '@eddy/core';
import type { ScheduleDefinitionRecord, ScheduleStore } from '@eddy/core/schedule';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ScheduleStoreConformanceOptions } from './options.js';

const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);
const MINUTE = 60_000;

function definition(id: string, changes: Partial<ScheduleDefinitionRecord> = {}): ScheduleDefinitionRecord {
  return {
    id,
    cron: '* * * * *',
    timeZone: 'UTC',
    missedRuns: 'run-once',
    type: 'report.due',
    data: { report: 'daily', recipients: ['ops@example.com'] },
    enabled: true,
    ...changes,
  };
}

/**
 * The `ScheduleStore` contract: idempotent upserts that keep `nextRunAt` unless the timing changed,
 * claims that give a due schedule to one owner at a time (also across handles racing for it) until
 * its lease runs out, and advances that apply only for the owner and the claimed `nextRunAt`.
 */
export function describeScheduleStoreConformance(options: ScheduleStoreConformanceOptions): void {
  describe(`schedule store conformance: ${options.name}`, () => {
    if (options.teardown !== undefined) afterAll(options.teardown);
    const opened: ScheduleStore[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    });
    const open = async (): Promise<ScheduleStore> => {
      const store = await options.createStore();
      opened.push(store);
      return store;
    };
    const id = (label: string): string => `${label}-${randomBytes(5).toString('hex')}`;

    it('creates a schedule with its definition, no runs, and the given nextRunAt', async () => {
      const store = await open();
      const key = id('create');
      const created = await store.upsert({ ...definition(key), key: 'tenant-1' }, T0);
      expect(created).toEqual({ ...definition(key), key: 'tenant-1', nextRunAt: T0, runs: 0, missed: 0 });
      expect(await store.get(key)).toEqual(created);
      expect((await store.list()).filter((record) => record.id === key)).toEqual([created]);
      expect(await store.get(id('absent'))).toBeUndefined();
    });

    it('keeps nextRunAt on an identical or data-only upsert, replaces it when cron, time zone or enabling change', async () => {
      const store = await open();
      const key = id('upsert');
      await store.upsert(definition(key), T0);
      expect((await store.upsert(definition(key), T0 + 5 * MINUTE)).nextRunAt).toBe(T0);
      const newData = await store.upsert(definition(key, { data: { report: 'weekly' } }), T0 + 5 * MINUTE);
      expect({ nextRunAt: newData.nextRunAt, data: newData.data }).toEqual({
        nextRunAt: T0,
        data: { report: 'weekly' },
      });
      expect((await store.upsert(definition(key, { cron: '*/5 * * * *' }), T0 + 5 * MINUTE)).nextRunAt).toBe(
        T0 + 5 * MINUTE,
      );
      expect(
        (
          await store.upsert(
            definition(key, { cron: '*/5 * * * *', timeZone: 'Europe/Berlin' }),
            T0 + 6 * MINUTE,
          )
        ).nextRunAt,
      ).toBe(T0 + 6 * MINUTE);
      await store.upsert(
        definition(key, { cron: '*/5 * * * *', timeZone: 'Europe/Berlin', enabled: false }),
        T0,
      );
      const enabled = await store.upsert(
        definition(key, { cron: '*/5 * * * *', timeZone: 'Europe/Berlin' }),
        T0 + 9 * MINUTE,
      );
      expect({ nextRunAt: enabled.nextRunAt, enabled: enabled.enabled }).toEqual({
        nextRunAt: T0 + 9 * MINUTE,
        enabled: true,
      });
    });

    it('deletes a schedule, saying whether there was one', async () => {
      const store = await open();
      const key = id('delete');
      await store.upsert(definition(key), T0);
      expect(await store.delete(key)).toBe(true);
      expect(await store.delete(key)).toBe(false);
      expect(await store.get(key)).toBeUndefined();
    });

    it('claims only enabled schedules that are due, oldest first, up to the limit', async () => {
      const store = await open();
      const prefix = id('due');
      await store.upsert(definition(`${prefix}-b`), T0 - 2 * MINUTE);
      await store.upsert(definition(`${prefix}-a`), T0 - 5 * MINUTE);
      await store.upsert(definition(`${prefix}-later`), T0 + MINUTE);
      await store.upsert(definition(`${prefix}-off`, { enabled: false }), T0 - 9 * MINUTE);
      const mine = (records: { id: string }[]) =>
        records.map((record) => record.id).filter((name) => name.startsWith(prefix));
      const first = await store.claimDue({ now: T0, limit: 1_000, leaseMs: MINUTE, owner: 'one' });
      expect(mine(first)).toEqual([`${prefix}-a`, `${prefix}-b`]);
    });

    it('gives a claimed schedule to nobody else until the lease runs out', async () => {
      const store = await open();
      const key = id('lease');
      await store.upsert(definition(key), T0);
      const claim = (owner: string, now: number) =>
        store
          .claimDue({ now, limit: 1_000, leaseMs: MINUTE, owner })
          .then((records) => records.some((r) => r.id === key));
      expect(await claim('one', T0)).toBe(true);
      expect(await claim('two', T0 + MINUTE - 1)).toBe(false);
      expect(await claim('two', T0 + MINUTE)).toBe(true);
    });

    it('advances only for the owner and the claimed nextRunAt, adding the counts and freeing the claim', async () => {
      const store = await open();
      const key = id('advance');
      await store.upsert(definition(key), T0);
      await store.claimDue({ now: T0, limit: 1_000, leaseMs: MINUTE, owner: 'one' });
      const advance = {
        owner: 'one',
        expectedNextRunAt: T0,
        nextRunAt: T0 + MINUTE,
        lastRunAt: T0,
        fired: 1,
        missed: 2,
      };
      expect(await store.advance(key, { ...advance, owner: 'two' })).toBe(false);
      expect(await store.advance(key, { ...advance, expectedNextRunAt: T0 - 1 })).toBe(false);
      expect(await store.advance(key, advance)).toBe(true);
      expect(await store.advance(key, advance)).toBe(false);
      expect(await store.get(key)).toMatchObject({
        nextRunAt: T0 + MINUTE,
        lastRunAt: T0,
        runs: 1,
        missed: 2,
      });
      // Freed: due again at its new time, for anyone.
      const again = await store.claimDue({ now: T0 + MINUTE, limit: 1_000, leaseMs: MINUTE, owner: 'two' });
      expect(again.map((record) => record.id)).toContain(key);
    });

    it('refuses the advance of a claim whose schedule was redefined meanwhile', async () => {
      const store = await open();
      const key = id('redefined');
      await store.upsert(definition(key), T0);
      await store.claimDue({ now: T0, limit: 1_000, leaseMs: MINUTE, owner: 'one' });
      await store.upsert(definition(key, { cron: '0 * * * *' }), T0 + 60 * MINUTE);
      expect(
        await store.advance(key, {
          owner: 'one',
          expectedNextRunAt: T0,
          nextRunAt: T0 + MINUTE,
          fired: 1,
          missed: 0,
        }),
      ).toBe(false);
      expect(await store.get(key)).toMatchObject({ nextRunAt: T0 + 60 * MINUTE, runs: 0 });
    });

    it('gives each due schedule to exactly one of several handles claiming at once', async () => {
      const handles = await Promise.all([open(), open(), open()]);
      const prefix = id('race');
      for (let i = 0; i < 12; i++) await handles[0].upsert(definition(`${prefix}-${i}`), T0);
      const claims = await Promise.all(
        handles.map((store, i) =>
          store.claimDue({ now: T0, limit: 1_000, leaseMs: MINUTE, owner: `owner-${i}` }),
        ),
      );
      const won = claims.flatMap((records) =>
        records.map((record) => record.id).filter((name) => name.startsWith(prefix)),
      );
      expect(won.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `${prefix}-${i}`).sort());
    });

    it('rejects calls after close with EDDY_CLOSED', async () => {
      const store = await options.createStore();
      await store.close();
      const error = await store.get('anything').then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(isEddyError(error, ErrorCodes.Closed)).toBe(true);
    });
  });
}
