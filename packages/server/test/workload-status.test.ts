import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createBus, type Bus, type Transport } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { createPostgresTransport } from '@eddy/postgres';
import { createSqliteTransport } from '@eddy/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import type { DedupeListResponse, FairGroupListResponse, TopicDedupeResponse } from '../src/api.js';
import { eventually, json, startTestServer, unique } from './helpers.js';

const POSTGRES_URL = process.env['EDDY_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = mkdtempSync(join(tmpdir(), 'eddy-workload-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Events = Record<string, { tenant: string }>;

describe('/v1/fair-groups', () => {
  it('shows a noisy key running at its limit with a queue behind it, and what each key got', async () => {
    const transport = createSqliteTransport({ path: join(dir, 'fair.db') });
    const type = unique('report.requested');
    const buses: Bus<Events>[] = [];
    const server = await startTestServer({ transport, buses: () => buses });
    const bus = createBus<Events>({ transport, group: 'gw', closeTransport: false });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const started: string[] = [];
    try {
      bus.on(
        type,
        async (event) => {
          started.push(event.data.tenant);
          await gate;
        },
        {
          name: 'render',
          maxInFlight: 4,
          group: { key: 'data.tenant', concurrency: 1, ratePerSecond: 50 },
          // Held until released: no timeout may start a second delivery meanwhile.
          timeoutMs: false,
          ackTimeoutMs: 600_000,
        },
      );
      buses.push(bus);
      await bus.start();
      for (const tenant of ['noisy', 'noisy', 'noisy', 'quiet']) await bus.publish(type, { tenant });

      const busy = await eventually(async () => {
        const body = await json<FairGroupListResponse>(await fetch(`${server.url}/v1/fair-groups`));
        const group = body.fairGroups[0];
        return group !== undefined && group.running === 2 && group.waiting === 2 ? group : undefined;
      });
      expect(busy).toMatchObject({
        handler: 'render',
        topic: type,
        group: 'gw.render',
        concurrency: 1,
        ratePerSecond: 50,
        buffer: 1_000,
        shared: false,
      });
      expect(busy.keys).toEqual([
        { key: 'noisy', running: 1, waiting: 2, delivered: 1 },
        { key: 'quiet', running: 1, waiting: 0, delivered: 1 },
      ]);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toContain(`eddy_fair_group_waiting{topic="${type}",group="gw.render"} 2`);
      expect(metrics).toContain(`eddy_fair_group_active_keys{topic="${type}",group="gw.render"} 2`);

      open();
      const idle = await eventually(async () => {
        const body = await json<FairGroupListResponse>(
          await fetch(`${server.url}/v1/fair-groups?topic=${encodeURIComponent(type)}`),
        );
        const group = body.fairGroups[0];
        return group?.keys[0]?.delivered === 3 && group.running === 0 ? group : undefined;
      });
      expect(idle.keys).toEqual([
        { key: 'noisy', running: 0, waiting: 0, delivered: 3 },
        { key: 'quiet', running: 0, waiting: 0, delivered: 1 },
      ]);
      expect(started.sort()).toEqual(['noisy', 'noisy', 'noisy', 'quiet']);
      const other = await json<FairGroupListResponse>(
        await fetch(`${server.url}/v1/fair-groups?topic=nothing`),
      );
      expect(other.fairGroups).toEqual([]);
    } finally {
      open();
      await bus.stop();
      await server.close();
      await transport.close();
    }
  });
});

const dedupeBackends: [string, () => Promise<Transport & { close(): Promise<void> }>][] = [
  ['memory', () => Promise.resolve(createMemoryTransport())],
  ['sqlite', () => Promise.resolve(createSqliteTransport({ path: join(dir, 'dedupe.db') }))],
  [
    'postgres',
    () =>
      createPostgresTransport({
        connectionString: POSTGRES_URL,
        schema: `eddy_workloads_${randomBytes(4).toString('hex')}`,
      }),
  ],
];

describe.each(dedupeBackends)('/v1/topics/:topic/dedupe on %s', (_name, open) => {
  it('counts dropped, replaced, extended and passed publishes and lists the live keys by due time', async () => {
    const transport = await open();
    const server = await startTestServer({ transport });
    const type = unique('profile.changed');
    const bus = createBus<Events>({ transport, group: 'gw', closeTransport: false });
    try {
      const later = Date.now() + 50_000;
      await bus.publish(type, { tenant: 'a' }, { dedupe: { key: 'a', ttlMs: 60_000 } });
      await bus.publish(type, { tenant: 'a' }, { dedupe: { key: 'a', ttlMs: 60_000 } });
      for (let i = 0; i < 2; i++) {
        await bus.publish(
          type,
          { tenant: 'b' },
          { deliverAt: later, dedupe: { key: 'b', ttlMs: 60_000, mode: 'replace' } },
        );
      }
      for (let i = 0; i < 3; i++) {
        await bus.publish(type, { tenant: 'c' }, { dedupe: { key: 'c', ttlMs: 30_000, mode: 'extend' } });
      }

      const body = await json<TopicDedupeResponse>(
        await fetch(`${server.url}/v1/topics/${encodeURIComponent(type)}/dedupe`),
      );
      expect(body.supported).toBe(true);
      expect(body.decisions).toEqual({ topic: type, dropped: 1, replaced: 1, extended: 2, passed: 3 });
      expect(body.keys.map((key) => key.key)).toEqual(['c', 'b', 'a']);
      const [c, b, a] = body.keys;
      expect(Date.parse(c!.dueAt ?? '')).toBeGreaterThan(Date.now() + 20_000);
      expect(a!.dueAt).toBeUndefined();
      expect(Date.parse(b!.dueAt ?? '')).toBeGreaterThanOrEqual(later - 1);
      expect(Date.parse(a!.expiresAt)).toBeGreaterThan(Date.parse(a!.firstAt));

      const limited = await json<TopicDedupeResponse>(
        await fetch(`${server.url}/v1/topics/${encodeURIComponent(type)}/dedupe?limit=1`),
      );
      expect(limited.keys.map((key) => key.key)).toEqual(['c']);
      const all = await json<DedupeListResponse>(await fetch(`${server.url}/v1/dedupe`));
      expect(all.topics).toContainEqual(body.decisions);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toContain(`eddy_dedupe_decisions_total{topic="${type}",decision="extended"} 2`);
    } finally {
      await bus.stop();
      await server.close();
      if ('pool' in transport && 'schema' in transport) {
        const pg = transport as unknown as { pool: { query(sql: string): Promise<unknown> }; schema: string };
        await pg.pool.query(`DROP SCHEMA IF EXISTS "${pg.schema}" CASCADE`);
      }
      await transport.close();
    }
  });
});

describe('/v1/topics/:topic/dedupe without publish dedupe', () => {
  it('says the transport has none', async () => {
    const transport = createMemoryTransport({ capabilities: { delayedDelivery: false } });
    const server = await startTestServer({ transport });
    try {
      const body = await json<TopicDedupeResponse>(await fetch(`${server.url}/v1/topics/t/dedupe`));
      expect(body).toEqual({
        supported: false,
        decisions: { topic: 't', dropped: 0, replaced: 0, extended: 0, passed: 0 },
        keys: [],
      });
    } finally {
      await server.close();
      await transport.close();
    }
  });
});
