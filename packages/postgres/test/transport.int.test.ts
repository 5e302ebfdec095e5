import {
  Nack,
  type BatchMessageHandler,
  type ReceivedMessage,
  type StartPosition,
  type Subscription,
} from '@eddy/core';
import { createPostgresTransport, type PostgresTransport } from '@eddy/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, dropSchema, randomName, TEST_URL, testSchema, text, waitFor } from './helpers.js';

const schema = testSchema();
const transports: PostgresTransport[] = [];

async function open(): Promise<PostgresTransport> {
  const transport = await createPostgresTransport({
    connectionString: TEST_URL,
    schema,
    pollIntervalMs: 200,
  });
  transports.push(transport);
  return transport;
}

let transport: PostgresTransport;

beforeAll(async () => {
  transport = await open();
});

afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await dropSchema(schema);
});

/** Publishes 30 messages to each of six keys, waits until all arrived, and checks each key's order. */
async function publishKeysAndAwaitOrder(topic: string, order: Map<string, number[]>): Promise<void> {
  const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
  for (let i = 0; i < 30; i++) {
    await transport.publish(
      topic,
      keys.map((key) => ({ key, payload: bytes(String(i)) })),
    );
  }
  await waitFor('all keys complete', () => keys.every((k) => (order.get(k)?.length ?? 0) === 30));
  for (const key of keys) expect(order.get(key)).toEqual(Array.from({ length: 30 }, (_, i) => i));
}

describe('PostgreSQL transport', () => {
  // The conformance suite runs only what a transport declares: a flag turned false would drop its
  // cases silently, so the declared object is pinned whole.
  it('declares every capability', () => {
    expect(transport.capabilities).toEqual({
      durable: true,
      orderingPerKey: true,
      consumerGroups: true,
      replay: true,
      replayFromTime: true,
      delayedDelivery: true,
      nackDelay: true,
      filtering: true,
      supersede: true,
      maxMessageBytes: 1024 * 1024,
      leaseExtension: true,
      publishDedupe: true,
    });
    expect(transport.native).toBe(transport.pool);
  });

  it('publishes durably and delivers headers, keys and binary payloads intact', async () => {
    const topic = randomName('t');
    const received: ReceivedMessage[] = [];
    const sub = await transport.subscribe(topic, { group: 'g', from: 'earliest' }, (m) => {
      received.push(m);
    });
    const payload = new Uint8Array([0, 255, 1, 254, 0]);
    const positions = await transport.publish(topic, [
      { key: 'k1', headers: { 'x-a': 'ü' }, payload },
      { payload: bytes('two') },
    ]);
    expect(positions).toHaveLength(2);
    await waitFor('2 messages', () => received.length === 2);
    const first = received.find((m) => m.key === 'k1');
    expect(first?.headers).toEqual({ 'x-a': 'ü' });
    expect([...(first?.payload ?? [])]).toEqual([...payload]);
    expect(first?.deliveryCount).toBe(1);
    expect(first?.publishedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(received.find((m) => m.key === undefined)?.headers).toEqual({});
    await sub.close();
  });

  it('assigns gap-free increasing offsets per partition under concurrent publishers', async () => {
    const topic = randomName('t');
    const other = await open();
    const batches = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? transport : other).publish(topic, [
          { key: 'same', payload: bytes(String(i)) },
          { key: 'same', payload: bytes(`${i}b`) },
        ]),
      ),
    );
    const offsets = batches
      .flat()
      .map((p) => Number(p.offset))
      .sort((a, b) => a - b);
    expect(offsets).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (const batch of batches) expect(Number(batch[1]!.offset)).toBe(Number(batch[0]!.offset) + 1);
  });

  it('shares a group between competing members and fans out across groups', async () => {
    const topic = randomName('t');
    const other = await open();
    const seenA: string[] = [];
    const seenB: string[] = [];
    const seenOther: string[] = [];
    const subs: Subscription[] = [
      await transport.subscribe(
        topic,
        { group: 'shared', from: 'earliest' },
        (m) => void seenA.push(text(m.payload)),
      ),
      await other.subscribe(
        topic,
        { group: 'shared', from: 'earliest' },
        (m) => void seenB.push(text(m.payload)),
      ),
      await other.subscribe(
        topic,
        { group: 'audit', from: 'earliest' },
        (m) => void seenOther.push(text(m.payload)),
      ),
    ];
    for (let i = 0; i < 10; i++) {
      await transport.publish(
        topic,
        Array.from({ length: 20 }, (_, j) => ({ payload: bytes(`${i}-${j}`) })),
      );
    }
    await waitFor('200 in the shared group', () => seenA.length + seenB.length >= 200);
    await waitFor('200 in the audit group', () => seenOther.length >= 200);
    expect(new Set([...seenA, ...seenB]).size).toBe(200);
    expect(seenA.length + seenB.length).toBe(200);
    expect(seenOther.length).toBe(200);
    await Promise.all(subs.map((s) => s.close()));
  });

  // 128 in flight runs two fetch loops per member, on disjoint partitions.
  it.each([8, 128])(
    'keeps per-key order across members, with nacks in between (maxInFlight %i)',
    async (maxInFlight) => {
      const topic = randomName('t');
      const other = await open();
      const order = new Map<string, number[]>();
      let nacked = false;
      const handler = (m: ReceivedMessage): void => {
        const n = Number(text(m.payload));
        if (n === 3 && m.key === 'a' && !nacked) {
          nacked = true;
          throw new Nack(20);
        }
        const list = order.get(m.key ?? '') ?? [];
        list.push(n);
        order.set(m.key ?? '', list);
      };
      const subs = [
        await transport.subscribe(topic, { group: 'g', from: 'earliest', maxInFlight }, handler),
        await other.subscribe(topic, { group: 'g', from: 'earliest', maxInFlight }, handler),
      ];
      await publishKeysAndAwaitOrder(topic, order);
      await Promise.all(subs.map((s) => s.close()));
    },
  );

  it.each([16, 128])(
    'batch delivery keeps per-key order across members when a batch fails one message (maxInFlight %i)',
    async (maxInFlight) => {
      const topic = randomName('t');
      const other = await open();
      const order = new Map<string, number[]>();
      const sizes: number[] = [];
      let nacked = false;
      const handler: BatchMessageHandler = (messages) => {
        sizes.push(messages.length);
        const failed = new Map<ReceivedMessage, unknown>();
        for (const m of messages) {
          const n = Number(text(m.payload));
          if (n === 3 && m.key === 'a' && !nacked) {
            nacked = true;
            failed.set(m, new Nack(20));
            continue;
          }
          const list = order.get(m.key ?? '') ?? [];
          list.push(n);
          order.set(m.key ?? '', list);
        }
        return { failed };
      };
      const subs = [
        await transport.subscribeBatch(topic, { group: 'g', from: 'earliest', maxInFlight }, handler),
        await other.subscribeBatch(topic, { group: 'g', from: 'earliest', maxInFlight }, handler),
      ];
      await publishKeysAndAwaitOrder(topic, order);
      expect(nacked).toBe(true);
      // Several keys were ready together, so some call held more than one message.
      expect(Math.max(...sizes)).toBeGreaterThan(1);
      await Promise.all(subs.map((s) => s.close()));
    },
  );

  it('redelivers after a nack delay and after the ack timeout, counting deliveries', async () => {
    const topic = randomName('t');
    const deliveries: { count: number; at: number }[] = [];
    const sub = await transport.subscribe(
      topic,
      { group: 'g', from: 'earliest', ackTimeoutMs: 300 },
      async (m) => {
        deliveries.push({ count: m.deliveryCount, at: Date.now() });
        if (m.deliveryCount === 1) throw new Nack(200);
        // Second delivery never settles in time: the lease expires and it comes back.
        if (m.deliveryCount === 2) await new Promise((resolve) => setTimeout(resolve, 600));
      },
    );
    await transport.publish(topic, [{ payload: bytes('x') }]);
    await waitFor('third delivery', () => deliveries.length >= 3);
    expect(deliveries.map((d) => d.count).slice(0, 3)).toEqual([1, 2, 3]);
    expect(deliveries[1]!.at - deliveries[0]!.at).toBeGreaterThanOrEqual(190);
    expect(deliveries[2]!.at - deliveries[1]!.at).toBeGreaterThanOrEqual(290);
    await sub.close();
  });

  it('honours deliverAt', async () => {
    const topic = randomName('t');
    const got: number[] = [];
    const sub = await transport.subscribe(
      topic,
      { group: 'g', from: 'earliest' },
      () => void got.push(Date.now()),
    );
    const deliverAt = Date.now() + 400;
    await transport.publish(topic, [{ payload: bytes('later'), deliverAt }]);
    await waitFor('delayed message', () => got.length === 1);
    expect(got[0]).toBeGreaterThanOrEqual(deliverAt - 5);
    await sub.close();
  });

  it('replays from earliest, from offsets and from a time; latest skips the past', async () => {
    const topic = randomName('t');
    const first = await transport.publish(topic, [
      { key: 'k', payload: bytes('0') },
      { key: 'k', payload: bytes('1') },
    ]);
    const before = Date.now();
    await waitFor('a new millisecond', () => Date.now() > before + 2);
    await transport.publish(topic, [{ key: 'k', payload: bytes('2') }]);
    const collect = async (group: string, from: StartPosition) => {
      const got: string[] = [];
      const sub = await transport.subscribe(topic, { group, from }, (m) => void got.push(text(m.payload)));
      return { got, sub };
    };
    const earliest = await collect('e', 'earliest');
    const offsets = await collect('o', { positions: [first[1]!] });
    const time = await collect('t', { time: before + 2 });
    const latest = await collect('l', 'latest');
    await transport.publish(topic, [{ key: 'k', payload: bytes('3') }]);
    await waitFor(
      'replays',
      () =>
        earliest.got.length === 4 &&
        offsets.got.length === 3 &&
        time.got.length === 2 &&
        latest.got.length === 1,
    );
    expect(earliest.got).toEqual(['0', '1', '2', '3']);
    expect(offsets.got).toEqual(['1', '2', '3']);
    expect(time.got).toEqual(['2', '3']);
    expect(latest.got).toEqual(['3']);
    await Promise.all([earliest, offsets, time, latest].map((c) => c.sub.close()));
  });

  it('resumes a durable group from its position after the members were away', async () => {
    const topic = randomName('t');
    const got: string[] = [];
    const sub = await transport.subscribe(
      topic,
      { group: 'g', from: 'earliest' },
      (m) => void got.push(text(m.payload)),
    );
    await transport.publish(topic, [{ payload: bytes('a') }]);
    await waitFor('first', () => got.length === 1);
    await sub.close();
    await transport.publish(topic, [{ payload: bytes('b') }, { payload: bytes('c') }]);
    const again = await open();
    const sub2 = await again.subscribe(
      topic,
      { group: 'g', from: 'latest' },
      (m) => void got.push(text(m.payload)),
    );
    await waitFor('the rest', () => got.length === 3);
    expect(got.sort()).toEqual(['a', 'b', 'c']);
    await sub2.close();
  });

  it('close waits for in-flight handlers and applies their acks', async () => {
    const topic = randomName('t');
    let release: (() => void) | undefined;
    let started = 0;
    let finished = 0;
    const sub = await transport.subscribe(topic, { group: 'g', from: 'earliest' }, async () => {
      started++;
      await new Promise<void>((resolve) => (release = resolve));
      finished++;
    });
    await transport.publish(topic, [{ payload: bytes('x') }]);
    await waitFor('handler start', () => started === 1);
    const closing = sub.close();
    release?.();
    await closing;
    expect(finished).toBe(1);
    const { rows } = await transport.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${schema}".claims WHERE topic = $1`,
      [topic],
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('rejects bad names, oversize messages and bad start offsets with typed errors', async () => {
    await expect(transport.publish('bad name', [{ payload: bytes('x') }])).rejects.toMatchObject({
      code: 'EDDY_INVALID_TOPIC',
    });
    await expect(
      transport.publish(randomName('t'), [
        { payload: new Uint8Array(transport.capabilities.maxMessageBytes + 1) },
      ]),
    ).rejects.toMatchObject({ code: 'EDDY_MESSAGE_TOO_LARGE' });
    await expect(
      transport.subscribe(
        randomName('t'),
        { group: 'g', from: { positions: [{ partition: 0, offset: 'x' }] } },
        () => undefined,
      ),
    ).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
    await expect(
      transport.subscribe(
        randomName('t'),
        { group: 'g', from: { positions: [{ partition: 99, offset: '0' }] } },
        () => undefined,
      ),
    ).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
  });
});

describe('PostgreSQL migration', () => {
  it('is idempotent and safe to run from several processes at once', async () => {
    const fresh = testSchema();
    try {
      const opened = await Promise.all(
        Array.from({ length: 3 }, () =>
          createPostgresTransport({ connectionString: TEST_URL, schema: fresh }),
        ),
      );
      const { rows } = await opened[0]!.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${fresh}".schema_version`,
      );
      expect(rows[0]?.n).toBe(1);
      await opened[0]!.publish('after-migration', [{ payload: bytes('ok') }]);
      await Promise.all(opened.map((t) => t.close()));
      const again = await createPostgresTransport({ connectionString: TEST_URL, schema: fresh });
      await expect(again.publish('after-migration', [{ payload: bytes('ok') }])).resolves.toHaveLength(1);
      await again.close();
    } finally {
      await dropSchema(fresh);
    }
  });
});

describe('PostgreSQL transport on a shared pool', () => {
  it("runs on the application's pool and leaves it open on close", async () => {
    const pool = new pg.Pool({ connectionString: TEST_URL, max: 4 });
    try {
      const shared = await createPostgresTransport({ pool, schema });
      const topic = randomName('t');
      const got: string[] = [];
      const sub = await shared.subscribe(
        topic,
        { group: 'g', from: 'earliest' },
        (m) => void got.push(text(m.payload)),
      );
      await shared.publish(topic, [{ payload: bytes('via shared pool') }]);
      await waitFor('the message', () => got.length === 1);
      await sub.close();
      await shared.close();
      const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(rows[0]?.one).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
