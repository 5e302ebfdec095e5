import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus } from '@eddy/core';
import { createSqliteTransport } from '@eddy/sqlite';
import { count, pipeline, tumbling, type Pipeline } from '@eddy/streams';
import { afterAll, describe, expect, it } from 'vitest';
import type { PipelineListResponse } from '../src/api.js';
import { eventually, json, startTestServer, unique } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-pipelines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('GET /v1/pipelines', () => {
  it('lists the pipelines it was given with stage state, late values and input lag', async () => {
    const transport = createSqliteTransport({ path: join(dir, 'log.db') });
    const type = unique('reading');
    const bus = createBus<Record<string, { sensor: string }>>({ transport, group: 'gw' });
    const pipelines: Pipeline<Record<string, { sensor: string }>>[] = [];
    const server = await startTestServer({ transport, pipelines: () => pipelines });
    try {
      const empty = await json<PipelineListResponse>(await fetch(`${server.url}/v1/pipelines`));
      expect(empty).toEqual({ pipelines: [] });

      const p = pipeline(bus, { name: 'per-sensor' });
      p.from(type)
        .keyBy((event) => event.data.sensor)
        .window(tumbling({ sizeMs: 1_000 }), { aggregate: count(), name: 'per-second' });
      pipelines.push(p);
      await p.start();
      await bus.start();
      const t0 = Date.UTC(2030, 0, 1);
      await bus.publish(type, { sensor: 'a' }, { time: new Date(t0) });
      await bus.publish(type, { sensor: 'a' }, { time: new Date(t0 + 5_000) });
      await bus.publish(type, { sensor: 'b' }, { time: new Date(t0 + 100) }); // late
      const listed = await eventually(async () => {
        const body = await json<PipelineListResponse>(await fetch(`${server.url}/v1/pipelines`));
        return body.pipelines[0]?.stats.processed === 3 && body.pipelines[0].sources[0]?.lag === 0
          ? body
          : undefined;
      });
      expect(listed.pipelines).toEqual([
        {
          name: 'per-sensor',
          running: true,
          stats: { processed: 3, duplicates: 0, failed: 0, published: 0, stateEntries: 2, late: 1 },
          stages: [{ name: 'per-second', entries: 2, watermark: t0 + 5_000, late: 1 }],
          sources: [{ type, topic: type, group: `gw.per-sensor.${type}`, lag: 0 }],
        },
      ]);
      await p.stop();
    } finally {
      await bus.stop();
      await server.close();
      await transport.close();
    }
  });
});
