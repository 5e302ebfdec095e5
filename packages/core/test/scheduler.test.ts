import { createBus, ErrorCodes, type BusEvent } from '@eddy/core';
import { createScheduler, type ScheduleStore } from '@eddy/core/schedule';
import { createMemoryScheduleStore, createMemoryTransport } from '@eddy/core/testing';
import { describe, expect, it } from 'vitest';
import { waitFor } from './bus-test-helpers.js';

interface Events {
  'report.due': { report: string };
}

const MINUTE = 60_000;
const T0 = Date.UTC(2030, 0, 1, 9, 0, 0); // a Tuesday, 09:00 UTC

/** A bus on a memory transport recording every published report, and a clock the test moves. */
async function setup(store: ScheduleStore = createMemoryScheduleStore()) {
  const transport = createMemoryTransport();
  const bus = createBus<Events>({ transport });
  const published: BusEvent[] = [];
  bus.on(
    'report.due',
    (event) => {
      published.push(event);
    },
    { from: 'earliest' },
  );
  await bus.start();
  const clock = { now: T0 - 30_000 };
  const scheduler = createScheduler<Events>({ bus, store, now: () => clock.now });
  return { bus, store, scheduler, clock, published };
}

describe('createScheduler', () => {
  it('publishes each occurrence once it is due, with an id and time of its own', async () => {
    const { bus, scheduler, clock, published } = await setup();
    await scheduler.upsertSchedule('daily', {
      cron: '* * * * *',
      type: 'report.due',
      data: { report: 'daily' },
    });
    expect(await scheduler.tick()).toBe(0);
    clock.now = T0;
    expect(await scheduler.tick()).toBe(1);
    expect(await scheduler.tick()).toBe(0);
    clock.now = T0 + MINUTE + 5;
    expect(await scheduler.tick()).toBe(1);
    await waitFor(() => published.length === 2);
    await bus.stop();
    expect(published.map((event) => ({ id: event.id, time: event.time, data: event.data }))).toEqual([
      { id: 'daily@2030-01-01T09:00:00.000Z', time: '2030-01-01T09:00:00.000Z', data: { report: 'daily' } },
      { id: 'daily@2030-01-01T09:01:00.000Z', time: '2030-01-01T09:01:00.000Z', data: { report: 'daily' } },
    ]);
    expect(await scheduler.listSchedules()).toMatchObject([{ id: 'daily', runs: 2, missed: 0 }]);
  });

  it('keeps its place when the same schedule is upserted again, as every process does at start', async () => {
    const { bus, scheduler, clock } = await setup();
    const definition = { cron: '0 * * * *', type: 'report.due', data: { report: 'hourly' } } as const;
    const first = await scheduler.upsertSchedule('hourly', definition);
    clock.now = T0 + 30 * MINUTE;
    const second = await scheduler.upsertSchedule('hourly', definition);
    await bus.stop();
    expect({ first: first.nextRunAt, second: second.nextRunAt }).toEqual({ first: T0, second: T0 });
  });

  it.each([
    ['skip', 0, 10],
    ['run-once', 1, 9],
    ['catch-up', 10, 0],
  ] as const)(
    'after downtime, the %s policy fires %i late occurrences and counts %i missed',
    async (policy, fired, missed) => {
      const { bus, scheduler, clock, published } = await setup();
      await scheduler.upsertSchedule('minutely', {
        cron: '* * * * *',
        type: 'report.due',
        data: { report: 'minutely' },
        missedRuns: policy,
      });
      // Down from 09:00 to 09:10:30: occurrences 09:00 … 09:09 are late, 09:10 is on time.
      clock.now = T0 + 10 * MINUTE + 30_000;
      expect(await scheduler.tick()).toBe(fired + 1);
      await waitFor(() => published.length === fired + 1);
      await bus.stop();
      const [record] = await scheduler.listSchedules();
      expect({ runs: record!.runs, missed: record!.missed, nextRunAt: record!.nextRunAt }).toEqual({
        runs: fired + 1,
        missed,
        nextRunAt: T0 + 11 * MINUTE,
      });
    },
  );

  it('fires each occurrence once when several schedulers share the store', async () => {
    const store = createMemoryScheduleStore();
    const { bus, clock, published } = await setup(store);
    const schedulers = [0, 1, 2].map(() => createScheduler<Events>({ bus, store, now: () => clock.now }));
    await schedulers[0]!.upsertSchedule('shared', {
      cron: '* * * * *',
      type: 'report.due',
      data: { report: 'x' },
    });
    for (let minute = 0; minute < 5; minute++) {
      clock.now = T0 + minute * MINUTE + 1_000;
      await Promise.all(schedulers.map((scheduler) => scheduler.tick()));
    }
    await waitFor(() => published.length >= 5);
    await bus.stop();
    expect(published.map((event) => event.id)).toEqual(
      [0, 1, 2, 3, 4].map((minute) => `shared@${new Date(T0 + minute * MINUTE).toISOString()}`),
    );
  });

  it('reads the cron expression in its time zone', async () => {
    const { bus, scheduler } = await setup();
    const record = await scheduler.upsertSchedule('berlin', {
      cron: '0 9 * * *',
      timeZone: 'Europe/Berlin',
      type: 'report.due',
      data: { report: 'berlin' },
    });
    await bus.stop();
    // The clock reads 08:59:30 UTC, 09:59:30 in Berlin: today's 09:00 there has passed.
    expect(new Date(record.nextRunAt).toISOString()).toBe('2030-01-02T08:00:00.000Z');
  });

  it('refuses a bad cron expression, time zone, policy or id with EDDY_INVALID_OPTION and stores nothing', async () => {
    const { bus, scheduler } = await setup();
    const attempts = [
      { cron: 'every day', type: 'report.due', data: { report: 'x' } },
      { cron: '61 * * * *', type: 'report.due', data: { report: 'x' } },
      { cron: '* * * * *', timeZone: 'Mars/Olympus', type: 'report.due', data: { report: 'x' } },
      { cron: '* * * * *', missedRuns: 'sometimes', type: 'report.due', data: { report: 'x' } },
    ];
    const codes = [];
    for (const definition of attempts) {
      codes.push(
        await scheduler
          .upsertSchedule('bad', definition as never)
          .then(() => 'stored')
          .catch((error: { code?: string }) => error.code),
      );
    }
    codes.push(
      await scheduler
        .upsertSchedule('', { cron: '* * * * *', type: 'report.due', data: { report: 'x' } })
        .then(() => 'stored')
        .catch((error: { code?: string }) => error.code),
    );
    await bus.stop();
    expect(codes).toEqual(Array.from({ length: 5 }, () => ErrorCodes.InvalidOption));
    expect(await scheduler.listSchedules()).toEqual([]);
  });

  it('runs by itself once started, until stopped', async () => {
    const transport = createMemoryTransport();
    const bus = createBus<Events>({ transport });
    const published: BusEvent[] = [];
    bus.on('report.due', (event) => void published.push(event), { from: 'earliest' });
    await bus.start();
    const scheduler = createScheduler<Events>({
      bus,
      store: createMemoryScheduleStore(),
      pollIntervalMs: 50,
    });
    await scheduler.upsertSchedule('every-second', {
      cron: '* * * * * *',
      type: 'report.due',
      data: { report: 's' },
    });
    scheduler.start();
    await waitFor(() => published.length >= 2, 10_000);
    await scheduler.stop();
    const count = (await scheduler.listSchedules())[0]!.runs;
    await bus.stop();
    expect(count).toBeGreaterThanOrEqual(2);
    expect(new Set(published.map((event) => event.id)).size).toBe(published.length);
  });
});
