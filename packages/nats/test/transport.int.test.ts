import { isEddyError, Nack, type ReceivedMessage, type Transport } from '@eddy/core';
import { createNatsTransport, type NatsTransport } from '@eddy/nats';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bytes, deleteStreams, text, unique, waitFor } from './helpers.js';

const prefix = unique('eddytest');
const open: Transport[] = [];

async function transport(options: Parameters<typeof createNatsTransport>[0] = {}): Promise<NatsTransport> {
  const created = await createNatsTransport({ prefix, partitions: 4, ...options });
  open.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});
afterAll(async () => {
  await deleteStreams(prefix);
});

describe('NATS JetStream transport', () => {
  // The conformance suite runs only what a transport declares: a flag turned false would drop its
  // cases silently, so the declared object is pinned whole.
  it('declares everything but delayed delivery, with the server max_payload minus the header reserve as maxMessageBytes', async () => {
    const t = await transport();
    const declared = {
      durable: true,
      orderingPerKey: true,
      consumerGroups: true,
      replay: true,
      replayFromTime: true,
      delayedDelivery: false,
      nackDelay: true,
      filtering: false,
      supersede: false,
      maxMessageBytes: 1024 * 1024 - 1024,
      leaseExtension: true,
    };
    expect(t.capabilities).toEqual(declared);
    expect(t.native.isClosed()).toBe(false);
    const [memory, unordered] = [
      await transport({ storage: 'memory' }),
      await transport({ maxAckPendingPerPartition: 4 }),
    ];
    expect(memory.capabilities).toEqual({ ...declared, durable: false });
    expect(unordered.capabilities).toEqual({ ...declared, orderingPerKey: false });
    await expect(t.publish(unique('big'), [{ payload: new Uint8Array(1024 * 1024) }])).rejects.toMatchObject({
      code: 'EDDY_MESSAGE_TOO_LARGE',
    });
  });

  it('delivers key, headers and payload, and positions match publish', async () => {
    const t = await transport();
    const topic = unique('orders.created');
    const received: ReceivedMessage[] = [];
    await t.subscribe(topic, { group: 'g1', from: 'earliest' }, (m) => {
      received.push(m);
    });
    const [position] = await t.publish(topic, [
      { key: 'k-1', headers: { 'content-type': 'application/json', empty: '' }, payload: bytes('{"a":1}') },
    ]);
    await waitFor(() => received.length === 1, 'one message');
    const [m] = received;
    expect(m).toMatchObject({
      topic,
      key: 'k-1',
      deliveryCount: 1,
      partition: position!.partition,
      offset: position!.offset,
    });
    expect(m!.headers).toEqual({ 'content-type': 'application/json', empty: '' });
    expect(text(m!.payload)).toBe('{"a":1}');
    expect(Math.abs(m!.publishedAt - Date.now())).toBeLessThan(10_000);
  });

  it('redelivers a nacked message after the Nack delay with a growing delivery count', async () => {
    const t = await transport();
    const topic = unique('nack');
    const seen: { count: number; at: number }[] = [];
    await t.subscribe(topic, { group: 'g', from: 'earliest' }, (m) => {
      seen.push({ count: m.deliveryCount, at: Date.now() });
      if (m.deliveryCount < 3) throw new Nack(300);
    });
    await t.publish(topic, [{ payload: bytes('x') }]);
    await waitFor(() => seen.length === 3, 'three deliveries');
    expect(seen.map((s) => s.count)).toEqual([1, 2, 3]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(250);
  });

  it('redelivers an unsettled message after the ack timeout', async () => {
    const t = await transport();
    const topic = unique('acktimeout');
    const counts: number[] = [];
    let release = (): void => undefined;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    await t.subscribe(topic, { group: 'g', from: 'earliest', ackTimeoutMs: 1000 }, (m) => {
      counts.push(m.deliveryCount);
      if (m.deliveryCount === 1) return stuck;
    });
    await t.publish(topic, [{ payload: bytes('x') }]);
    await waitFor(() => counts.length === 2, 'redelivery after ack timeout');
    release();
    expect(counts).toEqual([1, 2]);
  });

  it('keeps per-key order across competing members of a group', async () => {
    const topic = unique('ordered');
    const members = await Promise.all([transport(), transport(), transport()]);
    const byKey = new Map<string, number[]>();
    const memberOf = new Set<number>();
    await Promise.all(
      members.map((member, index) =>
        member.subscribe(topic, { group: 'g', from: 'earliest', maxInFlight: 8 }, async (m) => {
          memberOf.add(index);
          const [key, n] = text(m.payload).split(':');
          byKey.set(key!, [...(byKey.get(key!) ?? []), Number(n)]);
          await new Promise((resolve) => setImmediate(resolve));
        }),
      ),
    );
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    const perKey = 25;
    for (let n = 0; n < perKey; n += 1) {
      await members[0].publish(
        topic,
        keys.map((key) => ({ key, payload: bytes(`${key}:${n}`) })),
      );
    }
    await waitFor(
      () => [...byKey.values()].reduce((sum, list) => sum + list.length, 0) >= keys.length * perKey,
      'every message',
    );
    for (const key of keys) expect(byKey.get(key)).toEqual(Array.from({ length: perKey }, (_, n) => n));
    expect(memberOf.size).toBeGreaterThan(1);
  });

  it('starts a new group from a position or a time', async () => {
    const t = await transport();
    const topic = unique('replay');
    const positions = await t.publish(
      topic,
      ['a', 'b', 'c'].map((v) => ({ key: 'same', payload: bytes(v) })),
    );
    const fromPosition: string[] = [];
    await t.subscribe(topic, { group: 'pos', from: { positions: [positions[1]!] } }, (m) => {
      fromPosition.push(text(m.payload));
    });
    await waitFor(() => fromPosition.length === 2, 'b and c');
    expect(fromPosition).toEqual(['b', 'c']);

    const cut = Date.now() + 1;
    await waitFor(() => Date.now() > cut + 5, 'clock past the cut');
    await t.publish(topic, [{ key: 'same', payload: bytes('d') }]);
    const fromTime: string[] = [];
    await t.subscribe(topic, { group: 'time', from: { time: cut } }, (m) => {
      fromTime.push(text(m.payload));
    });
    await waitFor(() => fromTime.length === 1, 'd');
    expect(fromTime).toEqual(['d']);
  });

  it('refuses a topic that was created with another partition count', async () => {
    const topic = unique('parts');
    await (await transport()).publish(topic, [{ payload: bytes('x') }]);
    const other = await transport({ partitions: 2 });
    const error: unknown = await other.publish(topic, [{ payload: bytes('y') }]).catch((e: unknown) => e);
    expect(isEddyError(error, 'EDDY_INVALID_OPTION')).toBe(true);
    expect((error as Error).message).toContain('partitions: 4');
  });

  it('rejects bad options with EDDY_INVALID_OPTION', async () => {
    await expect(createNatsTransport({ prefix: 'a.b' })).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
    await expect(createNatsTransport({ partitions: 0 })).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
  });
});
