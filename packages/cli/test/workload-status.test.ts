import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus } from '@eddy/core';
import { createServer, type ServerHandle } from '@eddy/server';
import type { FairGroupJson, TopicDedupeResponse } from '@eddy/server/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEddy } from './run-eddy.js';

type Events = Record<string, { tenant: string }>;
let dir: string;
let server: ServerHandle;
let bus: Bus<Events>;
let open!: () => void;
const gate = new Promise<void>((resolve) => (open = resolve));
const suffix = Math.random().toString(36).slice(2, 8);
const type = `report.requested-${suffix}`;
const eddy = (...args: string[]) => runEddy(['--url', server.url, ...args]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-cli-workload-status-'));
  const gateway = await createServer({
    port: 0,
    dataDir: dir,
    logLevel: 'silent',
    env: {},
    buses: () => [bus],
  });
  server = await gateway.listen();
  bus = createBus<Events>({ transport: gateway.transport, closeTransport: false, group: 'cli' });
  // Held until the end: no attempt timeout or ack timeout may start a second delivery meanwhile.
  bus.on(type, () => gate, {
    name: 'render',
    group: { key: 'data.tenant', concurrency: 1 },
    timeoutMs: false,
    ackTimeoutMs: 600_000,
  });
  await bus.start();
});

afterAll(async () => {
  open();
  await bus?.stop();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('eddy fair-groups', () => {
  it('prints one row per key with running, waiting and started deliveries', async () => {
    for (const tenant of ['noisy', 'noisy', 'noisy', 'quiet']) await bus.publish(type, { tenant });
    const rows = await until(async () => {
      const result = await eddy('fair-groups', '--json');
      const [group] = JSON.parse(result.stdout) as FairGroupJson[];
      return group?.waiting === 2 ? result : undefined;
    });
    expect(rows.code).toBe(0);
    const table = await eddy('fair-groups', '--topic', type);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^HANDLER\s+GROUP\s+KEY\s+RUNNING\s+WAITING\s+DELIVERED\s+LIMITS\n/);
    expect(table.stdout).toMatch(/render\s+cli\.render\s+noisy\s+1\s+2\s+1\s+concurrency=1 per-process\n/);
    expect(table.stdout).toMatch(/render\s+cli\.render\s+quiet\s+1\s+0\s+1\s+concurrency=1 per-process\n/);
    expect((await eddy('fair-groups', '--topic', 'nothing')).stdout).toMatch(/^HANDLER.*\n$/);
  }, 180_000);
});

describe('eddy dedupe', () => {
  it('prints decisions per topic, and a topic’s live keys with their due time', async () => {
    const topic = `profile.changed-${suffix}`;
    const dueAt = Date.now() + 60_000;
    for (let i = 0; i < 3; i++) {
      await bus.publish(
        topic,
        { tenant: 'a' },
        { deliverAt: dueAt, dedupe: { key: 'p1', ttlMs: 5_000, mode: 'replace' } },
      );
    }
    await bus.publish(topic, { tenant: 'b' }, { dedupe: { key: 'p2', ttlMs: 60_000 } });
    await bus.publish(topic, { tenant: 'b' }, { dedupe: { key: 'p2', ttlMs: 60_000 } });

    const all = await eddy('dedupe');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^TOPIC\s+PASSED\s+DROPPED\s+REPLACED\s+EXTENDED\n/);
    expect(all.stdout).toMatch(new RegExp(`${topic.replaceAll('.', '\\.')}\\s+2\\s+1\\s+2\\s+0\\n`));

    const one = await eddy('dedupe', topic);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`${topic}: 2 passed, 1 dropped, 2 replaced, 0 extended\n`);
    expect(one.stdout).toMatch(
      new RegExp(`p1\\s+${new Date(dueAt).toISOString().replaceAll('.', '\\.')}\\s+\\S+\\s+\\d+\\s+\\d+\\n`),
    );
    expect(one.stdout).toMatch(/p2\s+-\s+\S+Z\s+\d+\s+\d+\n/);

    const json = JSON.parse(
      (await eddy('dedupe', topic, '--json', '--limit', '1')).stdout,
    ) as TopicDedupeResponse;
    expect(json.keys).toHaveLength(1);

    const bad = await eddy('dedupe', topic, '--limit', '0');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('EDDY_');
  }, 180_000);
});
