import { createPostgresInboxStore, type PostgresInboxStore } from '@eddy/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, randomName, TEST_URL, testSchema, waitFor } from './helpers.js';

const schema = testSchema();
let pool: pg.Pool;
let store: PostgresInboxStore;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: TEST_URL, max: 6 });
  store = await createPostgresInboxStore({ pool, schema });
  await pool.query(`CREATE TABLE "${schema}".orders (id text PRIMARY KEY, amount integer NOT NULL)`);
});

afterAll(async () => {
  await store.close();
  await pool.end();
  await dropSchema(schema);
});

async function orderCount(id: string): Promise<number> {
  const result = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${schema}".orders WHERE id = $1`,
    [id],
  );
  return result.rows[0]?.n ?? 0;
}

describe('PostgreSQL inbox store', () => {
  it('claims once, reports busy while leased and processed after complete', async () => {
    const handler = randomName('h');
    const other = await createPostgresInboxStore({ connectionString: TEST_URL, schema });
    try {
      expect(await store.claim(handler, 'e1', { leaseMs: 60_000 })).toBe('acquired');
      expect(await other.claim(handler, 'e1', { leaseMs: 60_000 })).toBe('busy');
      expect(await other.claim('another-handler', 'e1', { leaseMs: 60_000 })).toBe('acquired');
      await store.complete(handler, 'e1', { ttlMs: 60_000 });
      expect(await other.claim(handler, 'e1', { leaseMs: 60_000 })).toBe('processed');
    } finally {
      await other.close();
    }
  });

  it('lets exactly one of many concurrent claimers acquire', async () => {
    const handler = randomName('h');
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () => store.claim(handler, 'race', { leaseMs: 60_000 })),
    );
    expect(outcomes.filter((outcome) => outcome === 'acquired')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'busy')).toHaveLength(11);
  });

  it('frees an expired lease, a released claim and an expired processed entry', async () => {
    const handler = randomName('h');
    expect(await store.claim(handler, 'lease', { leaseMs: 1_000 })).toBe('acquired');
    expect(await store.claim(handler, 'lease', { leaseMs: 60_000 })).toBe('busy');
    await waitFor(
      'the lease to expire',
      async () => (await store.claim(handler, 'lease', { leaseMs: 60_000 })) === 'acquired',
    );

    expect(await store.claim(handler, 'rel', { leaseMs: 60_000 })).toBe('acquired');
    await store.release(handler, 'rel');
    expect(await store.claim(handler, 'rel', { leaseMs: 60_000 })).toBe('acquired');

    await store.complete(handler, 'ttl', { ttlMs: 1_000 });
    expect(await store.claim(handler, 'ttl', { leaseMs: 60_000 })).toBe('processed');
    await waitFor(
      'the TTL to pass',
      async () => (await store.claim(handler, 'ttl', { leaseMs: 60_000 })) === 'acquired',
    );
  });

  it('purges expired entries only', async () => {
    const handler = randomName('h');
    await store.complete(handler, 'old', { ttlMs: 1 });
    await store.complete(handler, 'new', { ttlMs: 3_600_000 });
    const removed = await store.purgeExpired(Date.now() + 60_000);
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await store.claim(handler, 'new', { leaseMs: 1_000 })).toBe('processed');
    expect(await store.claim(handler, 'old', { leaseMs: 1_000 })).toBe('acquired');
  });

  it('processOnce commits the handler writes and the mark together, and skips duplicates', async () => {
    const handler = randomName('h');
    const id = randomName('order');
    const work = async (client: pg.ClientBase): Promise<string> => {
      await client.query(`INSERT INTO "${schema}".orders (id, amount) VALUES ($1, 10)`, [id]);
      return 'stored';
    };
    expect(await store.processOnce(handler, id, { ttlMs: 60_000 }, work)).toEqual({
      duplicate: false,
      value: 'stored',
    });
    expect(await store.processOnce(handler, id, { ttlMs: 60_000 }, work)).toEqual({
      duplicate: true,
      claim: 'processed',
    });
    expect(await orderCount(id)).toBe(1);
  });

  it('processOnce rolls back the mark with the writes when the handler fails', async () => {
    const handler = randomName('h');
    const id = randomName('order');
    await expect(
      store.processOnce(handler, id, { ttlMs: 60_000 }, async (client) => {
        await client.query(`INSERT INTO "${schema}".orders (id, amount) VALUES ($1, 10)`, [id]);
        throw new Error('payment declined');
      }),
    ).rejects.toThrow('payment declined');
    expect(await orderCount(id)).toBe(0);
    expect(await store.claim(handler, id, { leaseMs: 1_000 })).toBe('acquired');
  });

  it('concurrent duplicates of one event run the work once', async () => {
    const handler = randomName('h');
    const id = randomName('order');
    let runs = 0;
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        store.processOnce(handler, id, { ttlMs: 60_000 }, async (client) => {
          runs++;
          await client.query(`INSERT INTO "${schema}".orders (id, amount) VALUES ($1, 1)`, [id]);
        }),
      ),
    );
    expect(runs).toBe(1);
    expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
    expect(results.filter((result) => result.duplicate && result.claim === 'processed')).toHaveLength(4);
    expect(await orderCount(id)).toBe(1);
  });

  it('markProcessed joins a transaction the caller runs', async () => {
    const handler = randomName('h');
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      expect(await store.markProcessed(client, handler, 'e', { ttlMs: 60_000 })).toBe('acquired');
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      expect(await store.markProcessed(client, handler, 'e', { ttlMs: 60_000 })).toBe('acquired');
      await client.query('COMMIT');
      await client.query('BEGIN');
      expect(await store.markProcessed(client, handler, 'e', { ttlMs: 60_000 })).toBe('processed');
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('rejects use after close and bad durations with typed errors', async () => {
    const own = await createPostgresInboxStore({ connectionString: TEST_URL, schema });
    await expect(own.claim('h', 'e', { leaseMs: 0 })).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
    await own.close();
    await own.close();
    await expect(own.claim('h', 'e', { leaseMs: 1_000 })).rejects.toMatchObject({ code: 'EDDY_CLOSED' });
  });
});
