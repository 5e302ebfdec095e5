import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus } from '@eddy/core';
import { createServer, type ServerHandle } from '@eddy/server';
import type { InflightJson, ScheduleJson } from '@eddy/server/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEddy } from './run-eddy.js';

type Events = Record<string, { file: string }>;
let dir: string;
let server: ServerHandle;
let bus: Bus<Events>;
const type = `video.uploaded-${Math.random().toString(36).slice(2, 8)}`;
const eddy = (...args: string[]) => runEddy(['--url', server.url, ...args]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-cli-workloads-'));
  const gateway = await createServer({
    port: 0,
    dataDir: dir,
    logLevel: 'silent',
    env: {},
    buses: () => [bus],
  });
  server = await gateway.listen();
  bus = createBus<Events>({ transport: gateway.transport, closeTransport: false, group: 'cli' });
  bus.on(
    type,
    async (_event, ctx) => {
      await ctx.extendLease(60_000);
      ctx.progress({ done: 3, total: 10 });
      // Runs until cancelled.
      await new Promise<void>((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true });
      });
    },
    { longRunning: true, name: 'transcode' },
  );
  await bus.start();
});

afterAll(async () => {
  await bus?.stop();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('eddy schedules', () => {
  it('puts a schedule, lists it with its next run, pauses, resumes and removes it', async () => {
    const put = await eddy(
      'schedules',
      'put',
      'nightly',
      '--cron',
      '30 2 * * *',
      '--tz',
      'Asia/Tokyo',
      '--type',
      'report.due',
      '--data',
      '{"report":"sales"}',
      '--missed-runs',
      'catch-up',
    );
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    // 02:30 in Tokyo is 17:30 UTC.
    expect(put.stdout).toMatch(/^stored nightly: next run \d{4}-\d\d-\d\dT17:30:00\.000Z\n$/);

    const list = await eddy('schedules', 'ls');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /^SCHEDULE\s+CRON\s+TIME ZONE\s+TYPE\s+STATE\s+NEXT RUN\s+LAST RUN\s+MISSED RUNS\s+RUNS\s+MISSED\n/,
    );
    expect(list.stdout).toMatch(
      /nightly\s+30 2 \* \* \*\s+Asia\/Tokyo\s+report\.due\s+enabled\s+\S+T17:30:00\.000Z\s+-\s+catch-up\s+0\s+0/,
    );

    expect((await eddy('schedules', 'pause', 'nightly')).stdout).toBe('paused nightly\n');
    const shown = JSON.parse((await eddy('schedules', 'show', 'nightly')).stdout) as ScheduleJson;
    expect(shown).toMatchObject({ id: 'nightly', enabled: false, data: { report: 'sales' } });
    expect((await eddy('schedules', 'resume', 'nightly')).stdout).toMatch(/^resumed nightly: next run /);

    expect((await eddy('schedules', 'rm', 'nightly')).stdout).toBe('deleted nightly\n');
    expect(JSON.parse((await eddy('--json', 'schedules', 'ls')).stdout)).toEqual([]);
    const missing = await eddy('schedules', 'rm', 'nightly');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/EDDY_NOT_FOUND/);
  });

  it('reports a bad cron expression with the reason and a usage exit code', async () => {
    const result = await eddy('schedules', 'put', 'broken', '--cron', 'every day', '--type', 'x');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/EDDY_INVALID_OPTION: .*every day/);
    const policy = await eddy(
      'schedules',
      'put',
      'broken',
      '--cron',
      '* * * * *',
      '--type',
      'x',
      '--missed-runs',
      'x',
    );
    expect(policy.code).toBe(2);
    expect(policy.stderr).toMatch(/--missed-runs takes skip, run-once, catch-up/);
  });
});

describe('eddy inflight and eddy cancel', () => {
  it('lists a running delivery with its progress, cancels it, and it lands in the DLQ', async () => {
    const published = await bus.publish(type, { file: 'a.mp4' });
    const deadline = Date.now() + 10_000;
    while (bus.inflight()[0]?.progress === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    const list = await eddy('inflight');
    expect(list.stderr).toBe('');
    expect(list.stdout).toMatch(/^EVENT\s+HANDLER\s+TYPE\s+STARTED\s+PROGRESS\s+LEASE UNTIL\s+DELIVERY\n/);
    expect(list.stdout).toContain(published.id);
    expect(list.stdout).toMatch(
      new RegExp(`transcode\\s+${type.replace('.', '\\.')}\\s+\\S+\\s+done=3 total=10\\s+\\S+Z\\s+1`),
    );
    const json = JSON.parse((await eddy('--json', 'inflight')).stdout) as InflightJson[];
    expect(json.map((d) => [d.eventId, d.progress])).toEqual([[published.id, { done: 3, total: 10 }]]);

    const cancelled = await eddy('cancel', published.id, '--reason', 'wrong file');
    expect(cancelled.stderr).toBe('');
    expect(cancelled.stdout).toBe(`cancelled ${published.id} (1 delivery)\n`);

    const dlqDeadline = Date.now() + 10_000;
    let dlq = '';
    while (!dlq.includes(published.id) && Date.now() < dlqDeadline) {
      dlq = (await eddy('--json', 'dlq', 'ls', `${type}.dlq`)).stdout;
    }
    expect(dlq).toContain('CancelledError');
    expect(dlq).toContain('wrong file');

    const again = await eddy('cancel', published.id);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/EDDY_NOT_FOUND: No running delivery/);
  });
});
