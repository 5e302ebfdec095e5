import { type ReceivedMessage, Nack } from '@eddy/core';
import { createRedisTransport, type RedisTransport } from '@eddy/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decode, deleteKeys, REDIS_URL, text, uniqueName, uniquePrefix, waitFor } from './helpers.js';

const prefix = uniquePrefix('transport');
const open: RedisTransport[] = [];
const transport = async (): Promise<RedisTransport> => {
  const created = await createRedisTransport({
    url: REDIS_URL,
    prefix,
    heartbeatIntervalMs: 200,
    sessionTimeoutMs: 2_000,
  });
  open.push(created);
  return created;
};

afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  await deleteKeys(prefix);
});

describe('redis transport', () => {
  let t: RedisTransport;
  beforeAll(async () => {
    t = await transport();
  });

  // The conformance suite runs only what a transport declares: a flag turned false would drop its
  // cases silently, so the declared object is pinned whole (durable is pinned per server setting
  // in persistence.int.test.ts).
  it('declares every capability, and durable false on the shared server without persistence', async () => {
    expect(t.persistence).toContain('appendonly=no');
    expect(t.capabilities).toEqual({
      durable: false,
      orderingPerKey: true,
      consumerGroups: true,
      replay: true,
      replayFromTime: true,
      delayedDelivery: true,
      nackDelay: true,
      filtering: false,
      supersede: false,
      maxMessageBytes: 1_048_576,
      leaseExtension: true,
    });
    expect(await t.native.ping()).toBe('PONG');
  });

  it('delivers published messages with headers, keys and binary payloads intact', async () => {
    const topic = uniqueName('basic');
    const received: ReceivedMessage[] = [];
    const sub = await t.subscribe(topic, { group: 'g', from: 'earliest' }, (m) => {
      received.push(m);
    });
    const payload = new Uint8Array([0, 255, 1, 254, 0]);
    const positions = await t.publish(topic, [
      { key: 'k1', headers: { 'ce-type': 'x.y', a: 'b' }, payload },
      { payload: text('unkeyed') },
    ]);
    expect(positions).toHaveLength(2);
    await waitFor(() => received.length === 2, 'two messages');
    const keyed = received.find((m) => m.key === 'k1')!;
    expect(keyed.payload).toEqual(payload);
    expect(keyed.headers).toEqual({ 'ce-type': 'x.y', a: 'b' });
    expect(keyed.deliveryCount).toBe(1);
    expect(keyed.offset).toBe(positions[0]!.offset);
    expect(received.find((m) => m.key === undefined)!.payload).toEqual(text('unkeyed'));
    await sub.close();
  });

  it('keeps per-key order across two competing members and a nack with delay', async () => {
    const topic = uniqueName('order');
    const seen = new Map<string, number[]>();
    const handler = (member: string) => async (m: ReceivedMessage) => {
      const [key, n] = decode(m.payload).split(':') as [string, string];
      if (Number(n) === 3 && m.deliveryCount === 1) throw new Nack(100);
      const list = seen.get(key) ?? [];
      list.push(Number(n));
      seen.set(key, list);
      void member;
    };
    const a = await t.subscribe(topic, { group: 'g', from: 'earliest' }, handler('a'));
    const other = await transport();
    const b = await other.subscribe(topic, { group: 'g', from: 'earliest' }, handler('b'));
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
    for (let n = 0; n < 20; n++) {
      await t.publish(
        topic,
        keys.map((key) => ({ key, payload: text(`${key}:${n}`) })),
      );
    }
    await waitFor(() => keys.every((key) => seen.get(key)?.length === 20), 'all messages');
    for (const key of keys) expect(seen.get(key)).toEqual([...Array(20).keys()]);
    await Promise.all([a.close(), b.close()]);
  });

  it('splits the partitions between members by the time the second subscribe resolves', async () => {
    const topic = uniqueName('split');
    const partitionsOf = { a: new Set<number>(), b: new Set<number>() };
    const a = await t.subscribe(topic, { group: 'g' }, (m) => {
      partitionsOf.a.add(m.partition);
    });
    const b = await (
      await transport()
    ).subscribe(topic, { group: 'g' }, (m) => {
      partitionsOf.b.add(m.partition);
    });
    await t.publish(
      topic,
      Array.from({ length: 40 }, (_, i) => ({ payload: text(String(i)) })),
    );
    await waitFor(() => partitionsOf.a.size + partitionsOf.b.size === 4, 'all four partitions');
    expect(partitionsOf.a.size).toBe(2);
    expect(partitionsOf.b.size).toBe(2);
    expect([...partitionsOf.a].filter((partition) => partitionsOf.b.has(partition))).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('holds a scheduled message (deliverAt) and the later messages of its key, not other keys, and counts its first delivery as 1', async () => {
    const topic = uniqueName('scheduled');
    const got: { text: string; at: number; count: number }[] = [];
    const sub = await t.subscribe(topic, { group: 'g', maxInFlight: 1 }, (m) => {
      got.push({ text: decode(m.payload), at: Date.now(), count: m.deliveryCount });
    });
    const deliverAt = Date.now() + 500;
    await t.publish(topic, [
      { key: 'a', payload: text('a-scheduled'), deliverAt },
      { key: 'a', payload: text('a-after') },
      { key: 'b', payload: text('b-now') },
    ]);
    await waitFor(() => got.length === 3, 'three messages');
    expect(got.map((entry) => entry.text)).toEqual(['b-now', 'a-scheduled', 'a-after']);
    expect(got[1]!.at).toBeGreaterThanOrEqual(deliverAt - 20);
    expect(got.map((entry) => entry.count)).toEqual([1, 1, 1]);
    await sub.close();
  });

  it('redelivers after the ack timeout with a growing delivery count', async () => {
    const topic = uniqueName('timeout');
    const counts: number[] = [];
    const sub = await t.subscribe(topic, { group: 'g', from: 'earliest', ackTimeoutMs: 300 }, async (m) => {
      counts.push(m.deliveryCount);
      if (m.deliveryCount === 1) await new Promise(() => undefined);
    });
    await t.publish(topic, [{ payload: text('x') }]);
    await waitFor(() => counts.length === 2, 'redelivery');
    expect(counts).toEqual([1, 2]);
    await sub.close();
  });

  it('replays from earliest, an offset and a time, and starts a latest group after existing messages', async () => {
    const topic = uniqueName('replay');
    const first = await t.publish(topic, [{ key: 'a', payload: text('0') }]);
    // Wait on the clock, not a fixed sleep: the later messages must carry a later millisecond.
    const published = Date.now();
    await waitFor(() => Date.now() > published + 1, 'the clock to pass the first publish');
    const middle = Date.now();
    const rest = await t.publish(
      topic,
      [1, 2, 3].map((n) => ({ key: 'a', payload: text(String(n)) })),
    );
    const collect = async (group: string, from: Parameters<RedisTransport['subscribe']>[1]['from']) => {
      const got: string[] = [];
      const sub = await t.subscribe(topic, { group, ...(from === undefined ? {} : { from }) }, (m) => {
        got.push(decode(m.payload));
      });
      return { got, sub };
    };
    const earliest = await collect('earliest', 'earliest');
    const offset = await collect('offset', { positions: [rest[1]!] });
    const time = await collect('time', { time: middle });
    const latest = await collect('latest', 'latest');
    await t.publish(topic, [{ key: 'a', payload: text('4') }]);
    await waitFor(
      () =>
        earliest.got.length === 5 &&
        offset.got.length === 3 &&
        time.got.length === 4 &&
        latest.got.length === 1,
      'replays',
    );
    expect(earliest.got).toEqual(['0', '1', '2', '3', '4']);
    expect(offset.got).toEqual(['2', '3', '4']);
    expect(time.got).toEqual(['1', '2', '3', '4']);
    expect(latest.got).toEqual(['4']);
    expect(first[0]!.offset < rest[0]!.offset).toBe(true);
    await Promise.all([earliest, offset, time, latest].map((c) => c.sub.close()));
  });
});
