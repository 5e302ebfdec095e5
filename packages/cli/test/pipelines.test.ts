import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus } from '@eddy/core';
import { startServer, type ServerHandle } from '@eddy/server';
import type { PipelineJson } from '@eddy/server/api';
import { createSqliteTransport, type SqliteTransport } from '@eddy/sqlite';
import { count, pipeline, tumbling, type Pipeline } from '@eddy/streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEddy } from './run-eddy.js';

type Events = Record<string, { sensor: string }>;
let dir: string;
let server: ServerHandle;
let transport: SqliteTransport;
let bus: Bus<Events>;
let counts: Pipeline<Events>;
const eddy = (...args: string[]) => runEddy(['--url', server.url, ...args]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-cli-pipelines-'));
  transport = createSqliteTransport({ path: join(dir, 'log.db') });
  bus = createBus<Events>({ transport, group: 'cli' });
  counts = pipeline(bus, { name: 'per-sensor' });
  counts
    .from('reading')
    .keyBy((event) => event.data.sensor)
    .window(tumbling({ sizeMs: 1_000 }), { aggregate: count(), name: 'per-second' });
  await counts.start();
  await bus.start();
  server = await startServer({
    port: 0,
    dataDir: dir,
    logLevel: 'silent',
    env: {},
    transport,
    pipelines: [counts],
  });
});

afterAll(async () => {
  await counts?.stop();
  await bus?.stop();
  await server?.close();
  await transport?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('eddy pipelines', () => {
  it('lists pipelines with lag, state entries and late events, and their stages', async () => {
    const t0 = Date.UTC(2030, 0, 1);
    await bus.publish('reading', { sensor: 'a' }, { time: new Date(t0) });
    await bus.publish('reading', { sensor: 'a' }, { time: new Date(t0 + 5_000) });
    await bus.publish('reading', { sensor: 'b' }, { time: new Date(t0 + 10) }); // late
    const deadline = Date.now() + 10_000;
    while (counts.stats().processed < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    const list = await eddy('pipelines');
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /^PIPELINE\s+STATE\s+LAG\s+PROCESSED\s+PUBLISHED\s+STATE ENTRIES\s+LATE\s+FAILED\n/,
    );
    expect(list.stdout).toMatch(/per-sensor\s+running\s+\d+\s+3\s+0\s+2\s+1\s+0/);

    const stages = await eddy('pipelines', '--stages');
    expect(stages.stdout).toMatch(/per-sensor\s+per-second\s+2\s+2030-01-01T00:00:05.000Z\s+1/);

    const json = JSON.parse((await eddy('--json', 'pipelines')).stdout) as PipelineJson[];
    expect(json.map((p) => [p.name, p.stats.late, p.sources.map((s) => s.group)])).toEqual([
      ['per-sensor', 1, ['cli.per-sensor.reading']],
    ]);
  });
});
