import { createBus, type BatchMessageHandler } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { createPostgresStateStore, createPostgresTransport } from '@eddy/postgres';
import { count, pipeline, type KeyedResult } from '@eddy/streams';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, TEST_URL, testSchema, waitFor } from './helpers.js';

const schema = testSchema();
const logSchema = testSchema();
const pool = new pg.Pool({ connectionString: TEST_URL, max: 4 });
afterAll(async () => {
  await pool.end();
  await dropSchema(schema);
  await dropSchema(logSchema);
});

type Events = { click: { user: string }; clicks: KeyedResult<number> };

describe('a pipeline with PostgreSQL state', () => {
  it('counts each event once when the whole input is delivered again, and keeps its state', async () => {
    const transport = createMemoryTransport();
    let store = await createPostgresStateStore({ pool, schema });
    const define = (group: string) => {
      const bus = createBus<Events>({ transport, group, closeTransport: false });
      const p = pipeline(bus, { name: 'clicks', store, batchSize: 25 });
      p.from('click')
        .keyBy((event) => event.data.user)
        .aggregate(count(), { name: 'per-user' })
        .to('clicks');
      return { bus, p };
    };
    const first = define('first');
    await first.p.start();
    await first.bus.start();
    for (let i = 0; i < 100; i++) await first.bus.publish('click', { user: `u${i % 4}` }, { id: `c-${i}` });
    await waitFor('100 clicks', () => first.p.stats().processed === 100);
    await first.p.stop();
    await first.bus.stop();
    await store.close();

    // Another bus group reads the same topic from the start: every event comes again, as after a
    // lost acknowledgement. The store's consumed positions make each one a duplicate.
    store = await createPostgresStateStore({ pool, schema });
    const second = define('second');
    await second.p.start();
    await second.bus.start();
    await waitFor('100 redeliveries', () => second.p.stats().duplicates === 100);
    await second.p.stop();
    await second.bus.stop();
    expect(second.p.stats().processed).toBe(0);
    expect(await store.entries('clicks')).toEqual(
      ['u0', 'u1', 'u2', 'u3'].map((user) => ({ key: `per-user|${user}`, value: 25 })),
    );
    expect(await store.pendingOutputs('clicks')).toEqual([]);
    const positions = await store.positions('clicks');
    expect(new Set(positions.map((position) => position.topic))).toEqual(new Set(['click']));
    expect(new Set(positions.map((position) => position.partition)).size).toBe(positions.length);
    await store.close();
  });

  it('reads a PostgreSQL transport through its batches and counts each event once', async () => {
    const transport = await createPostgresTransport({ connectionString: TEST_URL, schema: logSchema });
    // Records the size of each call the transport makes, then hands the batch on unchanged.
    const calls: number[] = [];
    const subscribeBatch = transport.subscribeBatch.bind(transport);
    transport.subscribeBatch = (topic, options, handler: BatchMessageHandler) =>
      subscribeBatch(topic, options, (messages) => {
        calls.push(messages.length);
        return handler(messages);
      });
    const store = await createPostgresStateStore({ pool, schema });
    const bus = createBus<Events>({ transport, group: 'on-postgres' });
    const p = pipeline(bus, { name: 'clicks-on-postgres', store, batchSize: 50 });
    p.from('click')
      .keyBy((event) => event.data.user)
      .aggregate(count(), { name: 'per-user' })
      .to('clicks');
    for (let i = 0; i < 200; i++) await bus.publish('click', { user: `u${i % 4}` }, { id: `pc-${i}` });
    await p.start();
    await bus.start();
    await waitFor('200 clicks', () => p.stats().processed === 200);
    await p.stop();
    await bus.stop();
    expect(p.stats().duplicates).toBe(0);
    expect(await store.entries('clicks-on-postgres')).toEqual(
      ['u0', 'u1', 'u2', 'u3'].map((user) => ({ key: `per-user|${user}`, value: 50 })),
    );
    // The backlog came through subscribeBatch in calls of several events, at most batchSize each.
    expect(calls.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...calls)).toBeGreaterThan(1);
    expect(Math.max(...calls)).toBeLessThanOrEqual(50);
    await store.close();
  });
});
