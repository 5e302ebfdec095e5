import { ErrorCodes, isEddyError, Nack, type ReceivedMessage, type Transport } from '@eddy/core';
import { partitionForKey } from '@eddy/core/internal';
import { createMemoryTransport, MemoryBroker } from '@eddy/core/testing';
import { createGate, waitFor } from '@eddy/conformance';
import { afterEach, describe, expect, it } from 'vitest';

const encoder = new TextEncoder();
const text = (value: string): Uint8Array => encoder.encode(value);
const decode = (message: ReceivedMessage): string => new TextDecoder().decode(message.payload);

const open: Transport[] = [];
function transport(options: Parameters<typeof createMemoryTransport>[0] = {}): Transport {
  const created = createMemoryTransport(options);
  open.push(created);
  return created;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return isEddyError(error) ? error.code : 'not an EddyError';
  }
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

describe('memory transport', () => {
  it('maps keys with partitionForKey and spreads keyless messages round-robin', async () => {
    const t = transport({ broker: new MemoryBroker({ partitions: 8 }) });
    const keyed = await t.publish('orders', [
      { key: 'order-1', payload: text('a') },
      { key: 'Ünï', payload: text('b') },
    ]);
    expect(keyed.map((p) => p.partition)).toEqual([partitionForKey('order-1', 8), partitionForKey('Ünï', 8)]);
    const keyless = await t.publish(
      'orders',
      Array.from({ length: 8 }, () => ({ payload: text('x') })),
    );
    expect(keyless.map((p) => p.partition).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('rejects a broker without partitions and start positions that cannot exist', async () => {
    expect(await codeOf(Promise.resolve().then(() => new MemoryBroker({ partitions: 0 })))).toBe(
      ErrorCodes.InvalidOption,
    );
    const t = transport({ broker: new MemoryBroker({ partitions: 2 }) });
    const noop = (): void => {};
    expect(
      await codeOf(
        t.subscribe('t', { group: 'g', from: { positions: [{ partition: 2, offset: '0' }] } }, noop),
      ),
    ).toBe(ErrorCodes.InvalidOption);
    expect(
      await codeOf(
        t.subscribe('t', { group: 'g', from: { positions: [{ partition: 0, offset: 'x-1' }] } }, noop),
      ),
    ).toBe(ErrorCodes.InvalidOption);
  });

  // The conformance suite runs only what a transport declares: a flag turned false would drop its
  // cases silently, so the declared object is pinned whole.
  it('declares every capability but durable, and declares false what the capabilities option turns off', async () => {
    expect(transport().capabilities).toEqual({
      durable: false,
      orderingPerKey: true,
      consumerGroups: true,
      replay: true,
      replayFromTime: true,
      delayedDelivery: true,
      nackDelay: true,
      filtering: false,
      supersede: false,
      maxMessageBytes: 4 * 1024 * 1024,
      leaseExtension: true,
      publishDedupe: true,
    });
    const queueLike = transport({ capabilities: { replay: false, replayFromTime: false } });
    expect(queueLike.capabilities).toMatchObject({ replay: false, replayFromTime: false, nackDelay: true });
    const position = { partition: 0, offset: '0' };
    expect(
      await codeOf(queueLike.subscribe('limited', { group: 'g', from: { positions: [position] } }, () => {})),
    ).toBe(ErrorCodes.NotSupported);
  });

  it('honours a custom maxMessageBytes and reports it in capabilities', async () => {
    const t = transport({ maxMessageBytes: 10 });
    expect(t.capabilities.maxMessageBytes).toBe(10);
    expect(t.capabilities.durable).toBe(false);
    await expect(t.publish('small', [{ payload: new Uint8Array(10) }])).resolves.toHaveLength(1);
    expect(await codeOf(t.publish('small', [{ payload: new Uint8Array(11) }]))).toBe(
      ErrorCodes.MessageTooLarge,
    );
  });

  // A Buffer's slice() is a view of the same memory, where a Uint8Array's is a copy: both must hold.
  it.each([
    ['Uint8Array', text],
    ['Buffer', (value: string): Uint8Array => Buffer.from(value)],
  ])(
    'keeps what was published when the producer or a handler mutates its buffer or headers (%s)',
    async (_kind, bytes) => {
      const t = transport();
      const seen: string[][] = [[], []];
      for (const index of [0, 1]) {
        await t.subscribe('copies', { group: `g${index}`, nackDelayMs: 0 }, (message) => {
          seen[index]!.push(`${decode(message)} ${JSON.stringify(message.headers)}`);
          message.payload.fill(0);
          const headers = message.headers as Record<string, string>;
          headers['h'] = 'changed';
          headers['added'] = 'x';
          // The first group takes its message twice: the redelivery must not see the changes either.
          if (index === 0 && message.deliveryCount === 1) throw new Nack(0);
        });
      }
      const payload = bytes('original');
      const headers: Record<string, string> = { h: 'v' };
      await t.publish('copies', [{ payload, headers }]);
      payload.fill(0);
      headers['h'] = 'producer';
      await waitFor(() => seen[0]!.length === 2 && seen[1]!.length === 1);
      const original = 'original {"h":"v"}';
      expect(seen).toEqual([[original, original], [original]]);
    },
  );

  it('runs keyless messages concurrently but holds a key until its earlier message is acknowledged', async () => {
    const t = transport();
    const gate = createGate();
    const started: string[] = [];
    await t.subscribe('rule', { group: 'g', maxInFlight: 10 }, async (message) => {
      started.push(decode(message));
      await gate.promise;
    });
    await t.publish('rule', [
      { payload: text('free-1') },
      { payload: text('free-2') },
      { key: 'k', payload: text('k-1') },
      { key: 'k', payload: text('k-2') },
    ]);
    await waitFor(() => started.length === 3);
    expect(started.sort()).toEqual(['free-1', 'free-2', 'k-1']);
    gate.open();
    await waitFor(() => started.length === 4);
    expect(started[3]).toBe('k-2');
  });

  it('ignores a late settle from a delivery that already timed out', async () => {
    const t = transport();
    const gate = createGate();
    const deliveries: number[] = [];
    await t.subscribe('late', { group: 'g', ackTimeoutMs: 50 }, async (message) => {
      if (decode(message) === 'marker') return;
      deliveries.push(message.deliveryCount);
      if (message.deliveryCount === 1) {
        await gate.promise;
        throw new Nack(0);
      }
    });
    await t.publish('late', [{ key: 'k', payload: text('slow') }]);
    await waitFor(() => deliveries.length === 2);
    gate.open();
    let markerSeen = false;
    await t.subscribe('late', { group: 'marker-watch' }, (message) => {
      if (decode(message) === 'marker') markerSeen = true;
    });
    // The stale nack must neither redeliver nor release the key twice: a later message of the key flows once.
    await t.publish('late', [{ key: 'k', payload: text('marker') }]);
    await waitFor(() => markerSeen);
    expect(deliveries).toEqual([1, 2]);
  });

  it('leaves no timers running after close, even with delayed messages and deliveries in flight', async () => {
    const baseline = activeTimers();
    const t = createMemoryTransport();
    const gate = createGate();
    let started = false;
    await t.subscribe('timers', { group: 'g', ackTimeoutMs: 60_000 }, async () => {
      started = true;
      await gate.promise;
    });
    await t.publish('timers', [
      { payload: text('held') },
      { payload: text('later'), deliverAt: Date.now() + 60_000 },
    ]);
    await waitFor(() => started);
    await t.subscribe('timers', { group: 'nack', from: 'earliest', nackDelayMs: 60_000 }, () => {
      throw new Error('always');
    });
    expect(activeTimers()).toBeGreaterThan(baseline);
    const closing = t.close();
    gate.open();
    await closing;
    expect(activeTimers()).toBe(baseline);
  });

  it('keeps a group position on the broker across transports, like a restarted process', async () => {
    const broker = new MemoryBroker();
    const first = transport({ broker });
    const got: string[] = [];
    const subscription = await first.subscribe(
      'resume',
      { group: 'billing' },
      (m) => void got.push(decode(m)),
    );
    await first.publish('resume', [{ payload: text('one') }]);
    await waitFor(() => got.length === 1);
    await subscription.close();
    await first.close();
    const second = transport({ broker });
    await second.publish('resume', [{ payload: text('two') }]);
    await second.subscribe('resume', { group: 'billing', from: 'earliest' }, (m) => void got.push(decode(m)));
    await waitFor(() => got.length === 2);
    expect(got).toEqual(['one', 'two']);
  });

  it('a delayed nack does not hold back other keys', async () => {
    const t = transport();
    const handled: string[] = [];
    await t.subscribe('delays', { group: 'g' }, (message) => {
      const body = decode(message);
      if (body === 'retry' && message.deliveryCount === 1) throw new Nack(200);
      handled.push(body);
    });
    await t.publish('delays', [
      { key: 'a', payload: text('retry') },
      { key: 'b', payload: text('other') },
    ]);
    await waitFor(() => handled.length === 2);
    expect(handled).toEqual(['other', 'retry']);
  });

  it('keeps per-key order and loses nothing under random nacks and ack timeouts across two members', async () => {
    const broker = new MemoryBroker({ partitions: 3 });
    const [a, b] = [transport({ broker }), transport({ broker })];
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    const perKey = 50;
    const acked = new Map<string, number[]>(keys.map((key) => [key, []]));
    let seed = 7;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const redelivered = new Set<string>();
    let stalled = 0;
    const handler = async (message: ReceivedMessage): Promise<void> => {
      const body = decode(message);
      const [key, seq] = body.split(':') as [string, string];
      if (message.deliveryCount > 1) redelivered.add(body);
      await new Promise((resolve) => setImmediate(resolve));
      const roll = random();
      if (roll < 0.1) throw new Nack(roll < 0.05 ? 0 : 5);
      if (roll < 0.13 && message.deliveryCount === 1 && stalled < 2) {
        // Outlive the ack timeout: this late settle must be ignored once the message went elsewhere.
        stalled += 1;
        await waitFor(() => redelivered.has(body));
        stalled -= 1;
        return;
      }
      acked.get(key)!.push(Number(seq));
    };
    await a.subscribe('chaos', { group: 'g', maxInFlight: 4, ackTimeoutMs: 250 }, handler);
    await b.subscribe('chaos', { group: 'g', maxInFlight: 4, ackTimeoutMs: 250 }, handler);
    for (let seq = 0; seq < perKey; seq++) {
      await a.publish(
        'chaos',
        keys.map((key) => ({ key, payload: text(`${key}:${seq}`) })),
      );
    }
    const expected = Array.from({ length: perKey }, (_, i) => i);
    await waitFor(() => keys.every((key) => acked.get(key)!.length >= perKey), { timeoutMs: 20_000 });
    for (const key of keys) expect(acked.get(key), key).toEqual(expected);
  });

  it('refuses a maxBatchSize that is not a positive integer with EDDY_INVALID_OPTION', async () => {
    const t = transport();
    for (const maxBatchSize of [0, -1, 1.5]) {
      const error: unknown = await t.subscribeBatch!('batches', { group: 'g', maxBatchSize }, () => {}).then(
        () => undefined,
        (rejection: unknown) => rejection,
      );
      expect(isEddyError(error) && error.code).toBe(ErrorCodes.InvalidOption);
    }
  });
});
