import { randomBytes } from 'node:crypto';
import type { Subscription, Transport } from '@eddy/core';
import { createPostgresTransport, type PostgresTransport } from '@eddy/postgres';
import { createRedisTransport } from '@eddy/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeys } from '../../redis/test/helpers.js';
import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

const POSTGRES_URL = process.env['EDDY_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env['EDDY_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

interface Backend {
  readonly name: string;
  /** A server over the backend, and what to clean up afterwards. */
  start(): Promise<{ server: TestServer; transport: Transport | undefined; cleanup: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    async start() {
      const server = await startTestServer();
      return { server, transport: undefined, cleanup: () => server.close() };
    },
  },
  {
    name: 'postgres',
    async start() {
      const transport: PostgresTransport = await createPostgresTransport({
        connectionString: POSTGRES_URL,
        schema: `eddy_groups_${randomBytes(5).toString('hex')}`,
        pollIntervalMs: 200,
      });
      const server = await startTestServer({ transport });
      return {
        server,
        transport,
        async cleanup() {
          await server.close();
          await transport.pool.query(`DROP SCHEMA IF EXISTS "${transport.schema}" CASCADE`);
          await transport.close();
        },
      };
    },
  },
  {
    name: 'redis',
    async start() {
      const prefix = `eddy-test-groups-${randomBytes(4).toString('hex')}:`;
      const transport = await createRedisTransport({ url: REDIS_URL, prefix, partitions: 2 });
      const server = await startTestServer({ transport });
      return {
        server,
        transport,
        async cleanup() {
          await server.close();
          await transport.close();
          await deleteKeys(prefix, REDIS_URL);
        },
      };
    },
  },
];

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

interface GroupView {
  group: string;
  lag: number;
  members: number;
}

describe.each(backends)('consumer groups over $name: misspelled names and deletion', (backend) => {
  it('404s an unknown topic or group, creates a group only when asked, deletes one without members', async () => {
    const started = await backend.start();
    cleanups.push(() => started.cleanup());
    const { server } = started;
    const transport = started.transport ?? server.handle.server.transport;
    const topic = unique('groups');
    const group = unique('billing');
    expect((await post(`${server.url}/v1/topics/${topic}/events`, [{ data: 1 }, { data: 2 }])).status).toBe(
      200,
    );

    // A topic that does not exist is a 404 for listings too (eddy groups --topic nope exits 4).
    const nope = await fetch(`${server.url}/v1/groups?topic=${unique('nope')}`);
    expect(nope.status).toBe(404);
    expect((await json<{ error: { code: string } }>(nope)).error.code).toBe('EDDY_NOT_FOUND');

    let received = 0;
    const subscription: Subscription = await transport.subscribe(topic, { group, from: 'earliest' }, () => {
      received += 1;
    });
    await eventually(() => (received === 2 ? true : undefined), 15_000);

    // A misspelled group is refused, not created.
    const typo = `${group}x`;
    const refused = await post(`${server.url}/v1/topics/${topic}/groups/${typo}/reset`, { to: 'latest' });
    expect(refused.status).toBe(404);
    expect((await json<{ error: { message: string } }>(refused)).error.message).toContain('"create": true');
    const listed = async () =>
      (await json<{ groups: GroupView[] }>(await fetch(`${server.url}/v1/topics/${topic}/groups`))).groups;
    expect((await listed()).map((g) => g.group)).not.toContain(typo);
    const created = await post(`${server.url}/v1/topics/${topic}/groups/${typo}/reset`, {
      to: 'earliest',
      create: true,
    });
    expect(created.status).toBe(200);
    expect((await listed()).map((g) => g.group)).toContain(typo);

    // A group with a live member cannot be deleted; once its member is gone it can.
    const live = await eventually(async () => {
      const found = (await listed()).find((g) => g.group === group);
      return found !== undefined && found.members > 0 ? found : undefined;
    }, 15_000);
    expect(live.members).toBeGreaterThan(0);
    const busy = await fetch(`${server.url}/v1/topics/${topic}/groups/${group}`, { method: 'DELETE' });
    expect(busy.status).toBe(409);
    expect((await json<{ error: { code: string } }>(busy)).error.code).toBe('EDDY_CONFLICT');
    await subscription.close();
    await eventually(
      async () => ((await listed()).find((g) => g.group === group)?.members === 0 ? true : undefined),
      30_000,
    );
    const deleted = await fetch(`${server.url}/v1/topics/${topic}/groups/${group}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await listed()).map((g) => g.group)).not.toContain(group);
    const again = await fetch(`${server.url}/v1/topics/${topic}/groups/${group}`, { method: 'DELETE' });
    expect(again.status).toBe(404);

    // The typo group goes too, and a new subscription under the deleted name starts afresh.
    expect(
      (await fetch(`${server.url}/v1/topics/${topic}/groups/${typo}`, { method: 'DELETE' })).status,
    ).toBe(204);
    let replayed = 0;
    const fresh = await transport.subscribe(topic, { group, from: 'earliest' }, () => {
      replayed += 1;
    });
    try {
      await eventually(() => (replayed === 2 ? true : undefined), 15_000);
    } finally {
      await fresh.close();
    }
  });
});
