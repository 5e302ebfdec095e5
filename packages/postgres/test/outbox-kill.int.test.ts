import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createBus, type ReceivedMessage } from '@eddy/core';
import { decodeCloudEvent } from '@eddy/core/cloudevents';
import { checkDeliveries, KillableChild, killAtRandom, waitFor, type SeenEvent } from '@eddy/conformance';
import { createPostgresInboxStore, createPostgresOutbox, createPostgresTransport } from '@eddy/postgres';
import { dropSchema, randomName, TEST_URL, testSchema } from './helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const schema = testSchema();
const children: KillableChild[] = [];
afterAll(async () => {
  for (const child of children) await child.kill();
  await dropSchema(schema);
});

describe('PostgreSQL outbox under SIGKILL', () => {
  it('publishes every committed event, never a rolled-back one, in key order; the inbox applies each once', async () => {
    const pool = new pg.Pool({ connectionString: TEST_URL, max: 4 });
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await pool.query(
      `CREATE TABLE "${schema}".orders (event_id text PRIMARY KEY, key text NOT NULL, seq int NOT NULL)`,
    );
    await pool.query(
      `CREATE TABLE "${schema}".effects (n bigint GENERATED ALWAYS AS IDENTITY, event_id text NOT NULL, key text NOT NULL, seq int NOT NULL)`,
    );
    const outbox = await createPostgresOutbox({ pool, schema, lanes: 8, listen: false });
    const topic = randomName('orders');
    const writer = new KillableChild(fixture('outbox-writer.ts'), [TEST_URL, schema, topic, '12']);
    children.push(writer);
    writer.start();
    await writer.waitReady();
    const relays = [1, 2].map(() => new KillableChild(fixture('outbox-relay.ts'), [TEST_URL, schema]));
    children.push(...relays);
    for (const relay of relays) relay.start();

    const inbox = await createPostgresInboxStore({ pool, schema });
    let absorbed = 0;
    const bus = createBus<{ 'order.placed': { key: string; seq: number } }>({
      transport: await createPostgresTransport({ connectionString: TEST_URL, schema }),
      topicFor: () => topic,
    });
    bus.on(
      'order.placed',
      async (event, ctx) => {
        const outcome = await inbox.processOnce(ctx.handlerName, event.id, { ttlMs: 3_600_000 }, (client) =>
          client.query(`INSERT INTO "${schema}".effects (event_id, key, seq) VALUES ($1, $2, $3)`, [
            event.id,
            event.data.key,
            event.data.seq,
          ]),
        );
        if (outcome.duplicate) absorbed += 1;
      },
      { from: 'earliest', maxInFlight: 1 },
    );
    await bus.start();

    const kills = await killAtRandom([writer, ...relays], 22_000, 5);
    await writer.kill();
    expect(kills).toBeGreaterThanOrEqual(5);

    const { rows } = await pool.query<{ event_id: string; key: string; seq: number }>(
      `SELECT event_id, key, seq FROM "${schema}".orders`,
    );
    const committed = new Map(rows.map((row) => [row.event_id, { key: row.key, seq: row.seq }]));
    expect(committed.size).toBeGreaterThan(50);
    await waitFor(async () => (await outbox.stats()).pending === 0, {
      timeoutMs: 30_000,
      description: 'the relays to drain the outbox',
    });

    const reader = await createPostgresTransport({ connectionString: TEST_URL, schema });
    const published: SeenEvent[] = [];
    const raw: ReceivedMessage[] = [];
    const subscription = await reader.subscribe(
      topic,
      { group: randomName('audit'), from: 'earliest', maxInFlight: 1 },
      (message) => {
        raw.push(message);
        const event = decodeCloudEvent(message);
        const data = event.data as { key: string; seq: number; doomed: boolean };
        published.push({ id: event.id, key: data.key, seq: data.seq, doomed: data.doomed });
      },
    );
    await waitFor(() => new Set(published.map((event) => event.id)).size >= committed.size, {
      timeoutMs: 30_000,
      description: () => `${committed.size} published events, got ${published.length}`,
    });
    await subscription.close();
    const report = checkDeliveries(committed, published);
    expect({ ...report, duplicates: 0 }).toEqual({
      missing: 0,
      unknown: 0,
      doomed: 0,
      outOfOrder: 0,
      duplicates: 0,
    });
    // Relay kills may or may not have republished something; publish the first events again, as a
    // relay that died between publish and mark-sent would, so the inbox has duplicates to absorb.
    const injected = raw.slice(0, 20);
    await reader.publish(
      topic,
      injected.map((message) => ({
        payload: message.payload,
        headers: message.headers,
        ...(message.key === undefined ? {} : { key: message.key }),
      })),
    );
    await reader.close();
    await waitFor(() => absorbed >= report.duplicates + injected.length, {
      timeoutMs: 30_000,
      description: () => `${report.duplicates + injected.length} duplicates absorbed, got ${absorbed}`,
    });

    const effectCount = async () =>
      (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".effects`)).rows[0]!.n;
    await waitFor(async () => (await effectCount()) >= committed.size, {
      timeoutMs: 30_000,
      description: `${committed.size} effects`,
    });
    await bus.stop();
    for (const relay of relays) await relay.kill();
    const effects = await pool.query<{ event_id: string; key: string; seq: number }>(
      `SELECT event_id, key, seq FROM "${schema}".effects ORDER BY n`,
    );
    expect(
      checkDeliveries(
        committed,
        effects.rows.map((row) => ({ id: row.event_id, key: row.key, seq: row.seq, doomed: false })),
      ),
    ).toEqual({ missing: 0, unknown: 0, doomed: 0, outOfOrder: 0, duplicates: 0 });
    await inbox.close();
    await outbox.close();
    await pool.end();
  }, 240_000);
});
