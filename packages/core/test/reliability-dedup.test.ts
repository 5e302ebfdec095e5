import { describe, expect, it } from 'vitest';
import { createBus, type Transport } from '@eddy/core';
import { createMemoryInboxStore, createMemoryTransport } from '@eddy/core/testing';
import { observedTransport, unique, waitFor } from './bus-test-helpers.js';

interface Events {
  'payment.captured': { paymentId: string; amount: number };
}

describe('reliability: idempotent handlers (memory inbox)', () => {
  it('applies the side effect once when the same event id is published three times', async () => {
    const transport = observedTransport(createMemoryTransport());
    const topic = unique('payments');
    const bus = createBus<Events>({
      transport,
      topicFor: () => topic,
      inbox: createMemoryInboxStore(),
      dedup: { busyRetryDelayMs: 10 },
    });
    const applied: string[] = [];
    let deliveries = 0;
    bus.on('payment.captured', async (event) => {
      deliveries++;
      await new Promise((resolve) => setImmediate(resolve));
      applied.push(event.id);
    });
    await bus.start();
    // Different keys, so the three copies can be handed out concurrently.
    for (const key of ['a', 'b', 'c']) {
      await bus.publish('payment.captured', { paymentId: 'p-1', amount: 5 }, { id: 'evt-1', key });
    }
    await bus.publish('payment.captured', { paymentId: 'p-2', amount: 6 }, { id: 'evt-2' });
    await waitFor(() => transport.acked.get(topic) === 4, 10_000, 'all four deliveries acked');
    expect(applied.filter((id) => id === 'evt-1')).toEqual(['evt-1']);
    expect(applied.filter((id) => id === 'evt-2')).toEqual(['evt-2']);
    expect(deliveries).toBe(2);
    await bus.stop();
  });

  it('skips a redelivery after the ack was lost (crash between side effect and ack)', async () => {
    const inner = createMemoryTransport();
    const topic = unique('payments');
    // The ack of each first delivery is lost after the bus handled it (as when a consumer dies
    // right before acknowledging), so the transport redelivers.
    let lostAcks = 0;
    let settledRedeliveries = 0;
    const transport: Transport = {
      name: inner.name,
      capabilities: inner.capabilities,
      publish: (t, messages) => inner.publish(t, messages),
      close: () => inner.close(),
      subscribe: (t, options, handler) =>
        inner.subscribe(t, { ...options, nackDelayMs: 1 }, async (message) => {
          await handler(message);
          if (message.deliveryCount === 1) {
            lostAcks++;
            throw new Error('connection dropped before ack');
          }
          settledRedeliveries++;
        }),
    };
    const applied: string[] = [];
    const bus = createBus<Events>({ transport, topicFor: () => topic, inbox: createMemoryInboxStore() });
    bus.on('payment.captured', (event) => {
      applied.push(event.data.paymentId);
    });
    await bus.start();
    await bus.publish('payment.captured', { paymentId: 'p-9', amount: 1 });
    await bus.publish('payment.captured', { paymentId: 'p-10', amount: 2 });
    await waitFor(() => lostAcks === 2 && settledRedeliveries === 2);
    expect(applied.sort()).toEqual(['p-10', 'p-9']);
    await bus.stop();
  });

  it('processes again after the TTL window and per handler', async () => {
    let now = 1_000_000;
    const store = createMemoryInboxStore({ now: () => now });
    expect(await store.claim('h1', 'e1', { leaseMs: 100 })).toBe('acquired');
    expect(await store.claim('h1', 'e1', { leaseMs: 100 })).toBe('busy');
    expect(await store.claim('h2', 'e1', { leaseMs: 100 })).toBe('acquired');
    await store.complete('h1', 'e1', { ttlMs: 1_000 });
    expect(await store.claim('h1', 'e1', { leaseMs: 100 })).toBe('processed');
    now += 1_001;
    expect(await store.claim('h1', 'e1', { leaseMs: 100 })).toBe('acquired');
    await store.release('h1', 'e1');
    expect(await store.claim('h1', 'e1', { leaseMs: 100 })).toBe('acquired');
    now += 101;
    // h2's lease expired (its claimer "crashed"): claimable again.
    expect(await store.claim('h2', 'e1', { leaseMs: 100 })).toBe('acquired');
    now += 1_000;
    expect(await store.purgeExpired()).toBe(2);
    await store.close();
  });
});
