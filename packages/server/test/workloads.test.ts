import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus } from '@eddy/core';
import { createSqliteScheduleStore, createSqliteTransport } from '@eddy/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import type {
  CancelInflightResponse,
  DeadLetterListResponse,
  InflightListResponse,
  ProblemBody,
  ScheduleListResponse,
  ScheduleResponse,
} from '../src/api.js';
import { eventually, json, post, startTestServer, unique } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-workloads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const put = (url: string, body: unknown): Promise<Response> =>
  fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('/v1/schedules', () => {
  it('serves the schedule store of the embedded log by default: put, list, pause, resume, delete', async () => {
    const server = await startTestServer();
    try {
      const id = unique('nightly');
      const before = Date.now();
      const created = await put(`${server.url}/v1/schedules/${id}`, {
        cron: '0 3 * * *',
        timeZone: 'Europe/Berlin',
        type: 'report.due',
        data: { report: 'sales' },
        missedRuns: 'skip',
      });
      expect(created.status).toBe(201);
      const { schedule } = await json<ScheduleResponse>(created);
      expect(schedule).toMatchObject({
        id,
        cron: '0 3 * * *',
        timeZone: 'Europe/Berlin',
        type: 'report.due',
        data: { report: 'sales' },
        missedRuns: 'skip',
        enabled: true,
        runs: 0,
        missed: 0,
      });
      expect(schedule.lastRunAt).toBeUndefined();
      const next = Date.parse(schedule.nextRunAt ?? '');
      expect(next).toBeGreaterThan(before);
      expect(next - before).toBeLessThanOrEqual(25 * 3_600_000);
      // 03:00 in Berlin is 01:00 or 02:00 UTC.
      expect([1, 2]).toContain(new Date(next).getUTCHours());

      // The same definition again keeps the stored next run.
      const again = await put(`${server.url}/v1/schedules/${id}`, {
        cron: '0 3 * * *',
        timeZone: 'Europe/Berlin',
        type: 'report.due',
        data: { report: 'sales' },
        missedRuns: 'skip',
      });
      expect(again.status).toBe(200);
      expect((await json<ScheduleResponse>(again)).schedule.nextRunAt).toBe(schedule.nextRunAt);

      const list = await json<ScheduleListResponse>(await fetch(`${server.url}/v1/schedules`));
      expect(list.schedules.map((s) => s.id)).toEqual([id]);

      const paused = await json<ScheduleResponse>(await post(`${server.url}/v1/schedules/${id}/pause`, {}));
      expect(paused.schedule.enabled).toBe(false);
      const resumed = await json<ScheduleResponse>(await post(`${server.url}/v1/schedules/${id}/resume`, {}));
      expect(resumed.schedule.enabled).toBe(true);

      const removed = await fetch(`${server.url}/v1/schedules/${id}`, { method: 'DELETE' });
      expect(removed.status).toBe(204);
      const gone = await fetch(`${server.url}/v1/schedules/${id}`);
      expect(gone.status).toBe(404);
      expect((await json<ProblemBody>(gone)).error.code).toBe('EDDY_NOT_FOUND');
    } finally {
      await server.close();
    }
  });

  it('rejects a bad cron expression, time zone or policy with a 400 and the reason', async () => {
    const server = await startTestServer();
    try {
      const url = `${server.url}/v1/schedules/${unique('bad')}`;
      const cron = await put(url, { cron: '61 * * * *', type: 'x' });
      expect(cron.status).toBe(400);
      const cronError = (await json<ProblemBody>(cron)).error;
      expect(cronError.code).toBe('EDDY_INVALID_OPTION');
      expect(cronError.message).toContain('61 * * * *');
      const zone = await put(url, { cron: '* * * * *', timeZone: 'Mars/Base', type: 'x' });
      expect(zone.status).toBe(400);
      expect((await json<ProblemBody>(zone)).error.code).toBe('EDDY_INVALID_OPTION');
      const policy = await put(url, { cron: '* * * * *', type: 'x', missedRuns: 'sometimes' });
      expect(policy.status).toBe(400);
      expect((await json<ScheduleListResponse>(await fetch(`${server.url}/v1/schedules`))).schedules).toEqual(
        [],
      );
    } finally {
      await server.close();
    }
  });

  it('uses the schedule store it is given, and serves no schedule routes without one on another log', async () => {
    const store = createSqliteScheduleStore({ database: join(dir, 'schedules.db') });
    const transport = createSqliteTransport({ path: join(dir, 'other.db') });
    const withStore = await startTestServer({ transport, schedules: store });
    const without = await startTestServer({ transport });
    try {
      const id = unique('given');
      await store.upsert(
        {
          id,
          cron: '*/5 * * * *',
          timeZone: 'UTC',
          missedRuns: 'run-once',
          type: 't',
          data: null,
          enabled: true,
        },
        Date.UTC(2031, 0, 1),
      );
      const { schedule } = await json<ScheduleResponse>(await fetch(`${withStore.url}/v1/schedules/${id}`));
      expect(schedule.nextRunAt).toBe('2031-01-01T00:00:00.000Z');
      expect((await fetch(`${without.url}/v1/schedules`)).status).toBe(404);
    } finally {
      await withStore.close();
      await without.close();
      await transport.close();
      await store.close();
    }
  });
});

describe('/v1/inflight', () => {
  it('lists a long-running delivery with its progress and lease, and cancels it into the DLQ', async () => {
    const transport = createSqliteTransport({ path: join(dir, 'inflight.db') });
    const type = unique('video.uploaded');
    const buses: Bus<Record<string, { n: number }>>[] = [];
    const server = await startTestServer({ transport, buses: () => buses });
    const bus = createBus<Record<string, { n: number }>>({ transport, group: 'gw', closeTransport: false });
    const seen: string[] = [];
    try {
      expect(await json<InflightListResponse>(await fetch(`${server.url}/v1/inflight`))).toEqual({
        inflight: [],
      });
      bus.on(
        type,
        async (_event, ctx) => {
          await ctx.extendLease(60_000);
          ctx.progress(0.4);
          seen.push('started');
          // Runs until cancelled: the signal is the only way out.
          await new Promise<void>((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true });
          });
        },
        { longRunning: true, name: 'transcode' },
      );
      buses.push(bus);
      await bus.start();
      const published = await bus.publish(type, { n: 1 });

      const listed = await eventually(async () => {
        const body = await json<InflightListResponse>(await fetch(`${server.url}/v1/inflight`));
        return body.inflight[0]?.progress === 0.4 ? body.inflight : undefined;
      });
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ handler: 'transcode', type, eventId: published.id, topic: type });
      expect(Date.parse(listed[0]!.leaseUntil ?? '')).toBeGreaterThan(Date.parse(listed[0]!.startedAt));

      const cancelled = await post(`${server.url}/v1/inflight/${encodeURIComponent(published.id)}/cancel`, {
        reason: 'operator says stop',
      });
      expect(cancelled.status).toBe(200);
      expect(await json<CancelInflightResponse>(cancelled)).toEqual({ cancelled: 1 });

      const entries = await eventually(async () => {
        const body = await json<DeadLetterListResponse>(
          await fetch(`${server.url}/v1/dlq/${encodeURIComponent(`${type}.dlq`)}/entries`),
        );
        return body.entries.length > 0 ? body.entries : undefined;
      });
      expect(entries[0]?.event?.id).toBe(published.id);
      // CancelledError is the EddyError of code EDDY_CANCELLED.
      expect(entries[0]?.error.name).toBe('CancelledError');
      expect(entries[0]?.error.message).toContain('operator says stop');
      expect(entries[0]?.attempts).toBe(1);
      expect(seen).toEqual(['started']);
      expect((await json<InflightListResponse>(await fetch(`${server.url}/v1/inflight`))).inflight).toEqual(
        [],
      );

      const again = await post(`${server.url}/v1/inflight/${encodeURIComponent(published.id)}/cancel`, {});
      expect(again.status).toBe(404);
      expect((await json<ProblemBody>(again)).error.code).toBe('EDDY_NOT_FOUND');
    } finally {
      await bus.stop();
      await server.close();
      await transport.close();
    }
  });
});
