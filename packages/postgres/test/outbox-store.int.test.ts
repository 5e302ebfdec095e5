import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCloudEvent } from '@eddy/core/cloudevents';
import { startOutboxRelay } from '@eddy/core/outbox';
import { createMemoryTransport } from '@eddy/core/testing';
import { waitFor } from '@eddy/conformance';
import { createPostgresOutbox } from '@eddy/postgres';
import { dropSchema, randomName, TEST_URL, testSchema } from './helpers.js';

const schema = testSchema();
const pool = new pg.Pool({ connectionString: TEST_URL, max: 6 });
afterAll(async () => {
  await pool.end();
  await dropSchema(schema);
});

const entry = (topic: string, key: string, seq: number) => ({
  topic,
  event: { source: 'shop', type: 'order.placed', partitionkey: key, data: { key, seq } },
});

async function inTransaction(work: (client: pg.PoolClient) => Promise<void>, commit = true): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
  } finally {
    client.release();
  }
}

describe('PostgreSQL outbox', () => {
  it('commits events with the transaction, drops them on rollback, and wakes a relay through NOTIFY', async () => {
    const table = randomName('ob');
    const outbox = await createPostgresOutbox({ pool, schema, table });
    const transport = createMemoryTransport();
    const topic = randomName('orders');
    const seen: string[] = [];
    const subscription = await transport.subscribe(topic, { group: 'g', from: 'earliest' }, (message) => {
      seen.push(decodeCloudEvent(message).id);
    });
    // Polling is an hour away: only the NOTIFY sent at COMMIT can wake this relay.
    const relay = startOutboxRelay({ store: outbox, transport, pollIntervalMs: 3_600_000 });
    await waitFor(() => relay.heldLanes().length === 16);
    let kept: string[] = [];
    await inTransaction(async (client) => {
      kept = (await outbox.add(client, [entry(topic, 'o-1', 1), entry(topic, 'o-1', 2)])).map((e) => e.id);
    });
    await inTransaction(async (client) => {
      await outbox.add(client, [entry(topic, 'o-2', 1)]);
    }, false);
    await waitFor(() => seen.length >= 2, { timeoutMs: 5_000, description: 'the NOTIFY wake-up' });
    expect(seen).toEqual(kept);
    await waitFor(async () => (await outbox.stats()).pending === 0);
    await relay.stop();
    expect(await outbox.purgePublished(Date.now() + 60_000)).toBe(2);
    await subscription.close();
    await outbox.close();
  });

  it('serializes writers of one key so publish order is commit order', async () => {
    const table = randomName('ob');
    const outbox = await createPostgresOutbox({ pool, schema, table, listen: false });
    const first = await pool.connect();
    const second = await pool.connect();
    await first.query('BEGIN');
    await outbox.add(first, [entry('t', 'k', 1)]);
    const secondPid = (await second.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await second.query('BEGIN');
    // The second writer of key k waits for the first one's transaction to end.
    let secondDone = false;
    const secondAdd = outbox.add(second, [entry('t', 'k', 2)]).then(() => {
      secondDone = true;
    });
    await waitFor(
      async () =>
        (
          await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid = $1`,
            [secondPid],
          )
        ).rows[0]!.n > 0,
      { description: 'the second writer to wait for the key lock' },
    );
    expect(secondDone).toBe(false);
    await first.query('COMMIT');
    await secondAdd;
    await second.query('COMMIT');
    first.release();
    second.release();
    const claim = await outbox.claimLanes({ owner: 'r', leaseMs: 5_000 });
    const rows = (await Promise.all(claim.lanes.map((lane) => outbox.fetchPending(lane, 10)))).flat();
    expect(rows.map((row) => (decodeCloudEvent(row).data as { seq: number }).seq)).toEqual([1, 2]);
    await outbox.close();
  });

  it('upgrades an outbox table of an earlier version in place: pending rows stay, failed rows work', async () => {
    const table = randomName('ob');
    const rows = `"${schema}"."${table}"`;
    // The table as the first release created it, with one row still pending.
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await pool.query(`
      CREATE TABLE ${rows} (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, lane int NOT NULL, topic text NOT NULL,
        key text, event_id text NOT NULL, headers jsonb NOT NULL, payload bytea NOT NULL,
        traceparent text, tracestate text, created_at bigint NOT NULL, published_at bigint);
      CREATE INDEX "${table}_pending" ON ${rows} (lane, id) WHERE published_at IS NULL;
      INSERT INTO ${rows} (lane, topic, key, event_id, headers, payload, created_at)
        VALUES (0, 'orders', 'k', 'e-1', '{}', '\\x7b7d', 1);`);
    // Two stores open the old table at once, as two processes starting together would.
    const [outbox, again] = await Promise.all(
      [1, 2].map(() => createPostgresOutbox({ pool, schema, table, lanes: 1, listen: false })),
    );
    const { rows: indexes } = await pool.query<{ indexname: string }>(
      'SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2',
      [schema, table],
    );
    const names = indexes.map((index) => index.indexname);
    expect(names).toEqual(expect.arrayContaining([`${table}_ready`, `${table}_failed`]));
    expect(names).not.toContain(`${table}_pending`);
    expect(await outbox!.stats()).toEqual({ pending: 1, oldestPendingAt: 1, failed: 0 });
    await outbox!.claimLanes({ owner: 'r', leaseMs: 60_000 });
    const [row] = await outbox!.fetchPending(0, 10);
    expect(row?.key).toBe('k');
    expect(await outbox!.markFailed({ owner: 'r', lane: 0, id: row!.id, error: 'bad' })).toBe(true);
    expect(await again!.failedRows()).toMatchObject([{ id: row!.id, error: 'bad' }]);
    expect(await outbox!.stats()).toMatchObject({ pending: 0, failed: 1 });
    await outbox!.close();
    await again!.close();
  });

  it('adds the attempts column to an outbox that already set rows aside; those rows read without it', async () => {
    const table = randomName('ob');
    const rows = `"${schema}"."${table}"`;
    // The table as a release with failed rows but no attempts created it, one row already set aside.
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await pool.query(`
      CREATE TABLE ${rows} (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, lane int NOT NULL, topic text NOT NULL,
        key text, event_id text NOT NULL, headers jsonb NOT NULL, payload bytea NOT NULL,
        traceparent text, tracestate text, created_at bigint NOT NULL, published_at bigint,
        failed_at bigint, error text);
      INSERT INTO ${rows} (lane, topic, key, event_id, headers, payload, created_at, failed_at, error)
        VALUES (0, 'orders', 'k', 'e-1', '{}', '\\x7b7d', 1, 2, 'old'),
               (0, 'orders', 'k', 'e-2', '{}', '\\x7b7d', 1, NULL, NULL);`);
    const outbox = await createPostgresOutbox({ pool, schema, table, lanes: 1, listen: false });
    const { rows: columns } = await pool.query<{ column_name: string }>(
      'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
      [schema, table],
    );
    expect(columns.map((column) => column.column_name)).toContain('attempts');
    const [before] = await outbox.failedRows();
    expect(before).toMatchObject({ error: 'old', failedAt: 2 });
    expect(before?.attempts).toBeUndefined();

    await outbox.claimLanes({ owner: 'r', leaseMs: 60_000 });
    const [row] = await outbox.fetchPending(0, 10);
    expect(await outbox.markFailed({ owner: 'r', lane: 0, id: row!.id, error: 'new', attempts: 4 })).toBe(
      true,
    );
    expect((await outbox.failedRows()).map((failed) => failed.attempts)).toEqual([undefined, 4]);
    expect(await outbox.discardFailed([before!.id])).toBe(1);
    expect(await outbox.stats()).toMatchObject({ pending: 0, failed: 1 });
    await outbox.close();
    // Opening again changes nothing more.
    const reopened = await createPostgresOutbox({ pool, schema, table, lanes: 1, listen: false });
    expect(await reopened.failedRows()).toMatchObject([{ id: row!.id, attempts: 4 }]);
    await reopened.close();
  });

  it('splits lanes between relays, never gives one lane to two, and rejects another lane count', async () => {
    const table = randomName('ob');
    const stores = await Promise.all(
      [1, 2, 3].map(() => createPostgresOutbox({ pool, schema, table, lanes: 9, listen: false })),
    );
    const claims = await Promise.all(
      stores.map((store, i) => store.claimLanes({ owner: `r${i}`, leaseMs: 5_000 })),
    );
    const again = await Promise.all(
      stores.map((store, i) => store.claimLanes({ owner: `r${i}`, leaseMs: 5_000 })),
    );
    const all = [...claims, ...again].slice(3).flatMap((claim) => claim.lanes);
    expect(new Set(all).size).toBe(all.length);
    expect(await stores[0]!.markPublished({ owner: 'nobody', lane: 0, ids: [1], delete: false })).toBe(false);
    await expect(createPostgresOutbox({ pool, schema, table, lanes: 4, listen: false })).rejects.toThrow(
      /created with 9 lanes/,
    );
    for (const store of stores) await store.close();
  });
});
