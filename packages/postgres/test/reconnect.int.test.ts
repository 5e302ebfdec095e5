import { isEddyError } from '@eddy/core';
import { createPostgresTransport } from '@eddy/postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { bytes, dropSchema, randomName, TEST_URL, testSchema, text, waitFor } from './helpers.js';

const schema = testSchema();

afterAll(async () => {
  await dropSchema(schema);
});

async function terminateBackends(applicationName: string): Promise<number> {
  const admin = new pg.Client({ connectionString: TEST_URL });
  await admin.connect();
  try {
    const result = await admin.query<{ pid: number }>(
      // Materialize the pids first: the planner may evaluate pg_terminate_backend before a WHERE filter.
      `WITH target AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE application_name = $1)
       SELECT pid FROM target WHERE pg_terminate_backend(pid)`,
      [applicationName],
    );
    return result.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

async function listening(applicationName: string): Promise<number> {
  const admin = new pg.Client({ connectionString: TEST_URL });
  await admin.connect();
  try {
    const result = await admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'",
      [applicationName],
    );
    return result.rows[0]?.n ?? 0;
  } finally {
    await admin.end();
  }
}

describe('PostgreSQL reconnect', () => {
  it('recovers subscriptions when the server terminates every connection mid-stream, losing nothing', async () => {
    const applicationName = randomName('eddy_consumer');
    const errors: Error[] = [];
    const consumer = await createPostgresTransport({
      connectionString: TEST_URL,
      schema,
      applicationName,
      // No polling to speak of: after the cuts, only NOTIFY and the transport's own wake-ups drive it.
      pollIntervalMs: 60_000,
      reconnectDelayMs: 50,
      onError: (error) => errors.push(error),
    });
    const producer = await createPostgresTransport({ connectionString: TEST_URL, schema });
    const topic = randomName('t');
    const seen = new Set<string>();
    const sub = await consumer.subscribe(topic, { group: 'g', from: 'earliest', maxInFlight: 8 }, (m) => {
      seen.add(text(m.payload));
    });
    const total = 600;
    let published = 0;
    const publishing = (async () => {
      while (published < total) {
        await producer.publish(
          topic,
          Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, payload: bytes(String(published + i)) })),
        );
        published += 10;
      }
    })();
    await waitFor('consumption to start', () => seen.size >= 100);
    expect(await terminateBackends(applicationName)).toBeGreaterThan(0);
    await waitFor('consumption after the first cut', () => seen.size >= 300);
    expect(await terminateBackends(applicationName)).toBeGreaterThan(0);
    await publishing;
    await waitFor(`all ${total} messages`, () => seen.size === total, 30_000);
    expect([...seen].map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(errors.some((error) => isEddyError(error, 'EDDY_CONNECTION_FAILED'))).toBe(true);

    // The LISTEN connection came back too: new messages arrive without waiting for the poll.
    const late = randomName('late');
    const before = seen.size;
    await waitFor('listener reconnected', async () => (await listening(applicationName)) > 0);
    await producer.publish(topic, [{ payload: bytes(late) }]);
    await waitFor('a message published after the reconnect', () => seen.size === before + 1, 5_000);
    expect(seen.has(late)).toBe(true);

    await sub.close();
    await consumer.close();
    await producer.close();
  });
});
