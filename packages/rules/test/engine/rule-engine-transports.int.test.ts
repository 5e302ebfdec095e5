import { randomBytes } from 'node:crypto';
import type { CloudEvent, Transport } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { parseDeadLetterHeaders } from '@eddy/core/internal';
import { waitFor } from '@eddy/conformance';
import { createNatsTransport } from '@eddy/nats';
import { createPostgresTransport } from '@eddy/postgres';
import { createRedisTransport } from '@eddy/redis';
import { createMemoryRuleStore, createRuleEngine } from '@eddy/rules';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, publishEvents, unique } from './engine-harness.js';

// The engine only speaks the Transport port, so the scenario that proves routing, per-target
// retries and dead-lettering on SQLite runs here unchanged on the other backends.

const POSTGRES_URL = process.env['EDDY_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env['EDDY_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const NATS_SERVERS = process.env['EDDY_NATS_SERVERS'] ?? '127.0.0.1:4222';

interface Backend {
  readonly name: string;
  /** A transport on names of its own, and what removes them afterwards. */
  open(): Promise<{ transport: Transport; remove: () => Promise<void> }>;
}

const tag = (): string => randomBytes(4).toString('hex');

const backends: Backend[] = [
  {
    name: 'memory',
    open: () => Promise.resolve({ transport: createMemoryTransport(), remove: () => Promise.resolve() }),
  },
  {
    name: 'postgres',
    async open() {
      const schema = `rules_${tag()}`;
      return {
        transport: await createPostgresTransport({
          connectionString: POSTGRES_URL,
          schema,
          pollIntervalMs: 50,
        }),
        remove: async () => {
          const client = new pg.Client({ connectionString: POSTGRES_URL });
          await client.connect();
          try {
            await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          } finally {
            await client.end();
          }
        },
      };
    },
  },
  {
    name: 'redis',
    async open() {
      const prefix = `eddy-test-rules-${tag()}:`;
      return {
        transport: await createRedisTransport({ url: REDIS_URL, prefix }),
        remove: async () => {
          const redis = new Redis(REDIS_URL);
          try {
            let cursor = '0';
            do {
              const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
              cursor = next;
              if (keys.length > 0) await redis.unlink(...keys);
            } while (cursor !== '0');
          } finally {
            redis.disconnect();
          }
        },
      };
    },
  },
  {
    name: 'nats',
    async open() {
      const prefix = `rules${tag()}`;
      return {
        transport: await createNatsTransport({ servers: NATS_SERVERS, prefix }),
        remove: async () => {
          const nc = await connect({ servers: NATS_SERVERS });
          try {
            const jsm = await jetstreamManager(nc);
            for await (const name of jsm.streams.names()) {
              if (name.startsWith(`${prefix}_`)) await jsm.streams.delete(name);
            }
          } finally {
            await nc.close();
          }
        },
      };
    },
  },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(backends)('rule engine on $name', (backend) => {
  it('routes by content, retries one target alone and dead-letters the one that keeps failing', async () => {
    const { transport, remove } = await backend.open();
    cleanups.push(remove, () => transport.close());
    const store = createMemoryRuleStore();
    const group = unique('rules');
    const source = unique('orders');
    const flagged = unique('flagged');
    await store.put({
      name: 'big',
      pattern: { type: ['order.placed'], data: { total: [{ numeric: ['>=', 100] }] } },
      targets: [
        { id: 'flag', kind: 'topic', topic: flagged, type: 'order.flagged' },
        { id: 'flaky', kind: 'handler', handler: 'flaky' },
        { id: 'broken', kind: 'handler', handler: 'broken', maxAttempts: 2 },
      ],
    });
    const flaky: { id: string; attempt: number }[] = [];
    const broken: { id: string; attempt: number }[] = [];
    const engine = createRuleEngine({
      transport,
      store,
      group,
      sources: [source],
      from: 'earliest',
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
      handlers: {
        flaky: (event: CloudEvent, { attempt }) => {
          flaky.push({ id: event.id, attempt });
          if (attempt < 3) throw new Error(`not yet (attempt ${attempt})`);
        },
        broken: (event: CloudEvent, { attempt }) => {
          broken.push({ id: event.id, attempt });
          throw new Error('always down');
        },
      },
    });
    cleanups.push(() => engine.stop());
    await engine.start();
    const out = await collect(transport, flagged);
    const dlq = await collect(transport, `${group}.big.broken.dlq`);
    cleanups.push(
      () => out.subscription.close(),
      () => dlq.subscription.close(),
    );

    const events = await publishEvents(transport, source, [
      { type: 'order.placed', data: { total: 250 }, partitionkey: 'c-1' },
      { type: 'order.placed', data: { total: 5 }, partitionkey: 'c-1' },
      { type: 'order.placed', data: { total: 100 }, partitionkey: 'c-2' },
      { type: 'order.cancelled', data: { total: 900 }, partitionkey: 'c-2' },
    ]);
    const big = [events[0]!.id, events[2]!.id].sort();
    await waitFor(
      () =>
        out.messages.length >= 2 &&
        dlq.messages.length >= 2 &&
        flaky.filter((call) => call.attempt === 3).length >= 2,
      {
        timeoutMs: 30_000,
        description: () =>
          `flagged ${out.messages.length}, dead-lettered ${dlq.messages.length}, flaky calls ${flaky.length}`,
      },
    );
    await engine.stop();

    expect(out.messages.map(({ event }) => event.causationid).sort()).toEqual(big);
    expect(out.messages.every(({ event }) => event.type === 'order.flagged')).toBe(true);
    // The flaky target was tried three times per event and the others were not repeated for it.
    expect(flaky.map((call) => call.id).sort()).toEqual([...big, ...big, ...big].sort());
    expect(broken.map((call) => call.attempt).sort()).toEqual([1, 1, 2, 2]);
    expect(dlq.messages.map(({ event }) => event.id).sort()).toEqual(big);
    expect(parseDeadLetterHeaders(dlq.messages[0]!.message.headers)?.metadata).toMatchObject({
      attempts: 2,
      errorMessage: 'always down',
    });
    expect(out.messages).toHaveLength(2);
    expect(engine.counts().get('big')).toEqual({ matched: 2, delivered: 4, failed: 2 });
  });
});
