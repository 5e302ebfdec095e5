import { describe, expect, it } from 'vitest';
import { createBus, ErrorCodes, type BusEvent, type BusMetrics } from '@eddy/core';
import { noopMetrics } from '@eddy/core/internal';
import { createMemoryTransport } from '@eddy/core/testing';
import { observedTransport, unique, waitFor } from './bus-test-helpers.js';

interface Events {
  'order.placed': { orderId: string; region: string };
  'order.paid': { orderId: string };
  'invoice.sent': { invoiceId: string };
}

function countingMetrics(): { metrics: Partial<BusMetrics>; filtered: number[] } {
  const filtered: number[] = [];
  return { metrics: { filtered: () => filtered.push(1) }, filtered };
}

describe('filtered subscriptions on the bus', () => {
  it('a type pattern takes every matching type on the shared topic and no other', async () => {
    const topic = unique('orders');
    const transport = createMemoryTransport();
    const bus = createBus<Events>({ transport, group: unique('g'), topicFor: () => topic });
    const seen: string[] = [];
    const registered = bus.on(
      'order.*',
      (event) => {
        seen.push(event.type);
      },
      { topic, from: 'earliest' },
    );
    await bus.start();
    await bus.publish('order.placed', { orderId: '1', region: 'eu' });
    await bus.publish('invoice.sent', { invoiceId: 'i' });
    await bus.publish('order.paid', { orderId: '1' });
    await waitFor(() => seen.length >= 2, 5000, 'two order events');
    await bus.publish('order.paid', { orderId: '2' });
    await waitFor(() => seen.length >= 3, 5000, 'the third order event');
    await bus.stop();
    expect(seen).toEqual(['order.placed', 'order.paid', 'order.paid']);
    expect(registered.name).toBe('order.all');
  });

  it('drops what the filter refuses: acknowledged once, never redelivered, and counted', async () => {
    const topic = unique('orders');
    const transport = observedTransport(createMemoryTransport());
    const { metrics, filtered } = countingMetrics();
    const bus = createBus<Events>({
      transport,
      group: unique('g'),
      topicFor: () => topic,
      metrics: { ...noopMetrics, ...metrics },
    });
    const handled: string[] = [];
    bus.on(
      'order.placed',
      (event) => {
        handled.push(event.data.orderId);
      },
      {
        from: 'earliest',
        filter: { all: [{ exact: { type: 'order.placed' } }, { prefix: { subject: 'eu/' } }] },
      },
    );
    await bus.start();
    for (let i = 0; i < 10; i++) {
      await bus.publish(
        'order.placed',
        { orderId: String(i), region: i % 3 === 0 ? 'eu' : 'us' },
        {
          subject: `${i % 3 === 0 ? 'eu' : 'us'}/${i}`,
        },
      );
    }
    await waitFor(() => (transport.acked.get(topic) ?? 0) === 10, 5000, 'ten settled deliveries');
    await bus.stop();
    expect(handled).toEqual(['0', '3', '6', '9']);
    expect(filtered).toHaveLength(6);
    expect(transport.nacked.get(topic) ?? 0).toBe(0);
  });

  it('takes a predicate, for patterns of other dialects', async () => {
    const topic = unique('orders');
    const transport = createMemoryTransport();
    const bus = createBus<Events>({ transport, group: unique('g'), topicFor: () => topic });
    const handled: BusEvent[] = [];
    bus.on('order.placed', (event) => void handled.push(event), {
      from: 'earliest',
      filter: (event) => (event.data as { region: string }).region === 'eu',
    });
    await bus.start();
    await bus.publish('order.placed', { orderId: 'a', region: 'us' });
    await bus.publish('order.placed', { orderId: 'b', region: 'eu' });
    await waitFor(() => handled.length === 1, 5000, 'the eu order');
    await bus.publish('order.placed', { orderId: 'c', region: 'eu' });
    await waitFor(() => handled.length === 2, 5000, 'the second eu order');
    await bus.stop();
    expect(handled.map((event) => (event.data as { orderId: string }).orderId)).toEqual(['b', 'c']);
  });

  it('refuses a malformed filter and a type pattern without a topic when the handler registers', async () => {
    const bus = createBus<Events>({ transport: createMemoryTransport(), group: unique('g') });
    const caught = (register: () => unknown): unknown => {
      try {
        register();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(caught(() => bus.on('order.placed', () => undefined, { filter: { any: [] } }))).toMatchObject({
      code: ErrorCodes.InvalidFilter,
    });
    const noTopic = caught(() => bus.on('order.*', () => undefined, {} as { topic: string }));
    expect(noTopic).toMatchObject({ code: ErrorCodes.InvalidFilter });
    expect((noTopic as Error).message).toContain('needs the topic');
    expect(bus.handlers).toHaveLength(0);
    await bus.stop();
  });
});
