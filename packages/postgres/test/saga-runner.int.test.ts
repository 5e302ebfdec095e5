import { createBus } from '@eddy/core';
import {
  createSagaRunner,
  defineSaga,
  idempotencyKeyOf,
  isTerminalSagaStatus,
  type SagaRunner,
} from '@eddy/core/saga';
import { createPostgresSagaStore, createPostgresTransport } from '@eddy/postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, randomName, TEST_URL, testSchema, waitFor } from './helpers.js';

const schema = testSchema();
// Two pools stand for two processes sharing the database.
const pools = [
  new pg.Pool({ connectionString: TEST_URL, max: 4 }),
  new pg.Pool({ connectionString: TEST_URL, max: 4 }),
];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await dropSchema(schema);
});

describe('saga runners on PostgreSQL', () => {
  it('two runners sharing the store run each attempt once and settle every saga', async () => {
    const executions = new Map<string, number>();
    const count = (key: string): void => void executions.set(key, (executions.get(key) ?? 0) + 1);
    const step = (name: string) => ({
      name,
      action: ({
        sagaId,
        input,
        idempotencyKey,
      }: {
        sagaId: string;
        input: { fail?: string };
        idempotencyKey: string;
      }) => {
        count(`${idempotencyKey}`);
        if (input.fail === name) throw new Error(`${name} failed for ${sagaId}`);
      },
      compensate: ({ idempotencyKey }: { idempotencyKey: string }) => void count(idempotencyKey),
    });
    const saga = defineSaga<{ fail?: string }>({
      name: randomName('pg_order'),
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
      steps: [step('payment'), step('inventory'), step('shipping')],
    });
    const stores = await Promise.all(pools.map((pool) => createPostgresSagaStore({ pool, schema })));
    const runners: SagaRunner<{ fail?: string }>[] = stores.map((store) =>
      createSagaRunner({ saga, store, pollIntervalMs: 10 }),
    );
    await Promise.all(runners.map((r) => r.start()));
    try {
      const total = 30;
      const failOf = (i: number): string | undefined =>
        i % 3 === 1 ? 'inventory' : i % 3 === 2 ? 'shipping' : undefined;
      for (let i = 0; i < total; i++) {
        const fail = failOf(i);
        await runners[i % 2]!.startSaga(`pg-${i}`, fail === undefined ? {} : { fail });
      }
      await waitFor('all sagas settled', async () => {
        const all = await stores[0]!.list({ sagaName: saga.name, limit: total });
        return all.length === total && all.every((i) => isTerminalSagaStatus(i.status));
      });
      for (let i = 0; i < total; i++) {
        const id = `pg-${i}`;
        const instance = await stores[1]!.load(id);
        const fail = failOf(i);
        expect(instance?.status, id).toBe(fail === undefined ? 'completed' : 'compensated');
        const expected: Record<string, number> =
          fail === undefined
            ? { payment: 1, inventory: 1, shipping: 1 }
            : fail === 'inventory'
              ? { payment: 1, inventory: 2, 'payment:compensate': 1 }
              : { payment: 1, inventory: 1, shipping: 2, 'inventory:compensate': 1, 'payment:compensate': 1 };
        const actual = Object.fromEntries(
          [...executions]
            .filter(([key]) => key.startsWith(`${id}:`))
            .map(([key, n]) => [key.slice(id.length + 1), n]),
        );
        expect(actual, id).toEqual(expected);
      }
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
    }
  });

  it('runs a request/reply step over the PostgreSQL transport and ignores a duplicate reply', async () => {
    interface Events {
      'stock.reserve': { sku: string };
      'stock.reserved': { reservationId: string };
    }
    const transport = await createPostgresTransport({
      pool: pools[0]!,
      schema,
      partitions: 2,
      pollIntervalMs: 20,
    });
    const bus = createBus<Events>({ transport, group: randomName('shop') });
    const keys: string[] = [];
    bus.on('stock.reserve', async (event) => {
      keys.push(idempotencyKeyOf(event));
      await bus.publish('stock.reserved', { reservationId: 'r-1' }, { id: `${event.id}:reply` });
      await bus.publish('stock.reserved', { reservationId: 'r-1' }, { id: `${event.id}:reply` });
    });
    const saga = defineSaga<{ sku: string }, { reservationId: string }>({
      name: randomName('pg_stock'),
      steps: [
        {
          name: 'stock',
          timeoutMs: 10_000,
          request: {
            command: 'stock.reserve',
            data: ({ input }) => ({ sku: input.sku }),
            success: 'stock.reserved',
            onReply: (reply) => ({ reservationId: (reply.data as Events['stock.reserved']).reservationId }),
          },
        },
      ],
    });
    const store = await createPostgresSagaStore({ pool: pools[1]!, schema });
    const runner = createSagaRunner({ saga, store, bus, pollIntervalMs: 20 });
    await bus.start();
    await runner.start();
    try {
      await runner.startSaga('stock-1', { sku: 'widget' });
      const done = await runner.whenSettled('stock-1', { timeoutMs: 20_000 });
      expect(done.status).toBe('completed');
      expect(done.context).toEqual({ reservationId: 'r-1' });
      expect(keys).toEqual(['stock-1:stock']);
      expect(done.handledEventIds).toHaveLength(1);
    } finally {
      await runner.stop();
      await bus.stop();
    }
  });
});
