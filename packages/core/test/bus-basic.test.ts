import { describe, expect, it } from 'vitest';
import { createBus, type BusEvent } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { unique, waitFor } from './bus-test-helpers.js';

/** What `fn` throws, so a test can assert the error's code. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

interface Events {
  'order.placed': { orderId: string; total: number };
  'invoice.issued': { orderId: string; amount: number };
  'invoice.sent': { orderId: string };
}

describe('bus: publish and handle', () => {
  it('delivers typed events with their envelope and handler context', async () => {
    const transport = createMemoryTransport();
    const bus = createBus<Events>({ transport, group: 'billing', source: '/shop' });
    const seen: {
      event: BusEvent<'order.placed', Events['order.placed']>;
      handler: string;
      count: number;
      topic: string;
      aborted: boolean;
    }[] = [];
    const registered = bus.on('order.placed', (event, ctx) => {
      seen.push({
        event,
        handler: ctx.handlerName,
        count: ctx.deliveryCount,
        topic: ctx.message.topic,
        aborted: ctx.signal.aborted,
      });
    });
    expect(registered).toEqual({
      name: 'order.placed',
      type: 'order.placed',
      topic: 'order.placed',
      group: 'billing.order.placed',
      emits: [],
    });
    await bus.start();
    const result = await bus.publish('order.placed', { orderId: 'o-1', total: 42 }, { key: 'o-1' });
    await waitFor(() => seen.length === 1);
    const [first] = seen;
    expect(first!.event.data).toEqual({ orderId: 'o-1', total: 42 });
    expect(first!.event.id).toBe(result.id);
    expect(first!.event.source).toBe('/shop');
    expect(first!.event.specversion).toBe('1.0');
    expect(first!.event.partitionkey).toBe('o-1');
    // A root event is its own correlation.
    expect(first!.event.correlationid).toBe(result.id);
    expect(first!.event.causationid).toBeUndefined();
    expect(first!.handler).toBe('order.placed');
    expect(first!.count).toBe(1);
    expect(first!.topic).toBe('order.placed');
    expect(first!.aborted).toBe(false);
    await bus.stop();
  });

  it('carries correlation and causation through events published inside handlers', async () => {
    const transport = createMemoryTransport();
    const bus = createBus<Events>({ transport });
    const sent: BusEvent[] = [];
    const issued: BusEvent[] = [];
    bus.on('order.placed', async (event) => {
      await bus.publish('invoice.issued', { orderId: event.data.orderId, amount: event.data.total });
    });
    bus.on('invoice.issued', async (event) => {
      issued.push(event);
      await bus.publish('invoice.sent', { orderId: event.data.orderId });
    });
    bus.on('invoice.sent', (event) => {
      sent.push(event);
    });
    await bus.start();
    const root = await bus.publish(
      'order.placed',
      { orderId: 'o-7', total: 10 },
      { correlationId: 'flow-1' },
    );
    await waitFor(() => sent.length === 1);
    expect(issued[0]!.correlationid).toBe('flow-1');
    expect(issued[0]!.causationid).toBe(root.id);
    expect(sent[0]!.correlationid).toBe('flow-1');
    expect(sent[0]!.causationid).toBe(issued[0]!.id);
    // Outside a handler nothing leaks from the previous scope.
    const loose = await bus.publish('invoice.sent', { orderId: 'o-8' });
    await waitFor(() => sent.length === 2);
    expect(sent[1]!.correlationid).toBe(loose.id);
    expect(sent[1]!.causationid).toBeUndefined();
    await bus.stop();
  });

  it('rejects a second handler with the same name', () => {
    const bus = createBus<Events>({ transport: createMemoryTransport() });
    bus.on('order.placed', () => undefined);
    expect(thrown(() => bus.on('order.placed', () => undefined))).toMatchObject({
      code: 'EDDY_DUPLICATE_HANDLER',
    });
    // A distinct name is a second consumer group of the same topic.
    expect(bus.on('order.placed', () => undefined, { name: 'audit' }).group).toBe('default.audit');
  });

  it('fans out to every handler and routes types sharing a topic to their own handlers', async () => {
    const transport = createMemoryTransport();
    const topic = unique('orders');
    const bus = createBus<Events>({ transport, topicFor: () => topic });
    const got: string[] = [];
    bus.on('order.placed', (event) => void got.push(`a:${event.type}`));
    bus.on('order.placed', (event) => void got.push(`b:${event.type}`), { name: 'second' });
    bus.on('invoice.sent', (event) => void got.push(`c:${event.type}`));
    await bus.start();
    const result = await bus.publish('invoice.sent', { orderId: 'x' });
    expect(result.topic).toBe(topic);
    await bus.publish('order.placed', { orderId: 'x', total: 1 });
    await waitFor(() => got.length === 3);
    expect(got.sort()).toEqual(['a:order.placed', 'b:order.placed', 'c:invoice.sent']);
    await bus.stop();
  });

  it('stops gracefully: in-flight work finishes, then publishing fails with ClosedError', async () => {
    const transport = createMemoryTransport();
    const bus = createBus<Events>({ transport });
    let release: () => void = () => undefined;
    let started = false;
    let finished = false;
    bus.on('order.placed', async (event) => {
      started = true;
      await new Promise<void>((resolve) => (release = resolve));
      // Follow-ups of in-flight work still go out while the bus drains.
      await bus.publish('invoice.sent', { orderId: event.data.orderId });
      finished = true;
    });
    await bus.start();
    await bus.publish('order.placed', { orderId: 'o', total: 1 });
    await waitFor(() => started);
    const stopping = bus.stop();
    release();
    await stopping;
    expect(finished).toBe(true);
    await expect(bus.publish('order.placed', { orderId: 'p', total: 1 })).rejects.toMatchObject({
      code: 'EDDY_CLOSED',
    });
    await expect(transport.publish('t', [{ payload: new Uint8Array() }])).rejects.toMatchObject({
      code: 'EDDY_CLOSED',
    });
  });

  it('nacks deliveries still running at the stop deadline; they are redelivered, not failed', async () => {
    const transport = createMemoryTransport();
    const topic = unique('slow');
    const bus = createBus<Events>({ transport, topicFor: () => topic, closeTransport: false });
    let aborted = false;
    let started = false;
    bus.on(
      'order.placed',
      (_event, ctx) => {
        started = true;
        return new Promise<void>((resolve) =>
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          }),
        );
      },
      { name: 'slow' },
    );
    await bus.start();
    await bus.publish('order.placed', { orderId: 'o', total: 1 });
    await waitFor(() => started);
    const deliveries: number[] = [];
    await bus.stop({ deadlineMs: 50 });
    expect(aborted).toBe(true);
    const next = createBus<Events>({ transport, topicFor: () => topic });
    next.on('order.placed', (_event, ctx) => void deliveries.push(ctx.deliveryCount), { name: 'slow' });
    await next.start();
    await waitFor(() => deliveries.length === 1);
    expect(deliveries[0]).toBe(2);
    await next.stop();
  });

  it('checks event types and data at compile time', () => {
    const bus = createBus<Events>({ transport: createMemoryTransport() });
    const typed = (): void => {
      // @ts-expect-error: not a declared event type
      void bus.publish('order.cancelled', { orderId: 'x' });
      // @ts-expect-error: total must be a number
      void bus.publish('order.placed', { orderId: 'x', total: '1' });
      bus.on('invoice.issued', (event) => {
        const amount: number = event.data.amount;
        // @ts-expect-error: invoice.issued has no total
        void event.data.total;
        void amount;
      });
    };
    expect(typeof typed).toBe('function');
  });

  it('takes the partition key from the partitionkey extension and rejects reserved extension names', async () => {
    const transport = createMemoryTransport();
    const bus = createBus<Events>({ transport });
    const got: BusEvent[] = [];
    const keys: (string | undefined)[] = [];
    bus.on('invoice.sent', (event, ctx) => {
      got.push(event);
      keys.push(ctx.message.key);
    });
    await bus.start();
    await bus.publish(
      'invoice.sent',
      { orderId: 'z' },
      { extensions: { partitionkey: 'customer-9', tenant: 'acme' } },
    );
    await waitFor(() => got.length === 1);
    expect(got[0]!.partitionkey).toBe('customer-9');
    expect(keys).toEqual(['customer-9']);
    expect(got[0]!['tenant']).toBe('acme');
    await expect(
      bus.publish('invoice.sent', { orderId: 'z' }, { extensions: { id: 'x' } }),
    ).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
    await bus.stop();
  });

  it('throws EddyError for bad input', () => {
    const bus = createBus<Events>({ transport: createMemoryTransport(), topicFor: () => 'bad topic' });
    expect(thrown(() => bus.on('order.placed', () => undefined))).toMatchObject({
      code: 'EDDY_INVALID_TOPIC',
    });
    expect(thrown(() => createBus<Events>({ transport: createMemoryTransport(), group: '' }))).toMatchObject({
      code: 'EDDY_INVALID_GROUP',
    });
  });
});
