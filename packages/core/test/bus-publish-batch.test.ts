import { createBus, isEddyError, type BusEvent, type PublishMiddleware, type Transport } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { describe, expect, it } from 'vitest';

interface Events {
  'order.placed': { orderId: string };
  'order.shipped': { orderId: string };
}

/** Counts the transport's publish calls and the messages in each. */
function counting(transport: Transport): { transport: Transport; calls: { topic: string; size: number }[] } {
  const calls: { topic: string; size: number }[] = [];
  return {
    calls,
    transport: {
      ...transport,
      name: transport.name,
      capabilities: transport.capabilities,
      publish: (topic, messages) => {
        calls.push({ topic, size: messages.length });
        return transport.publish(topic, messages);
      },
      subscribe: (topic, options, handler) => transport.subscribe(topic, options, handler),
      close: () => transport.close(),
    },
  };
}

describe('bus.publishBatch', () => {
  it('publishes each topic in one transport call, in order, and delivers every event', async () => {
    const { transport, calls } = counting(createMemoryTransport());
    const bus = createBus<Events>({ transport, group: 'batch' });
    const seen: BusEvent[] = [];
    bus.on('order.placed', (event) => void seen.push(event), { from: 'earliest' });
    bus.on('order.shipped', (event) => void seen.push(event), { from: 'earliest' });
    await bus.start();
    const results = await bus.publishBatch([
      { type: 'order.placed', data: { orderId: 'o-1' }, options: { id: 'e-1', key: 'k' } },
      { type: 'order.shipped', data: { orderId: 'o-1' }, options: { id: 'e-2', key: 'k' } },
      { type: 'order.placed', data: { orderId: 'o-2' }, options: { id: 'e-3', key: 'k' } },
    ]);
    expect(results.map((result) => result.id)).toEqual(['e-1', 'e-2', 'e-3']);
    expect(calls.map((call) => call.size).sort()).toEqual([1, 2]);
    const deadline = Date.now() + 5_000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await bus.stop();
    expect(seen.filter((event) => event.type === 'order.placed').map((event) => event.id)).toEqual([
      'e-1',
      'e-3',
    ]);
    expect(seen).toHaveLength(3);
  });

  it('runs publish middleware per event and rejects with its error, sending the rest', async () => {
    const { transport, calls } = counting(createMemoryTransport());
    const refuse: PublishMiddleware = (next) => (outgoing) => {
      if ((outgoing.event.data as { orderId: string }).orderId === 'bad') {
        return Promise.reject(new Error('refused by middleware'));
      }
      return next(outgoing);
    };
    const bus = createBus<Events>({ transport, group: 'batch', publishMiddleware: [refuse] });
    const error: unknown = await bus
      .publishBatch([
        { type: 'order.placed', data: { orderId: 'good' } },
        { type: 'order.placed', data: { orderId: 'bad' } },
      ])
      .catch((reason: unknown) => reason);
    expect(isEddyError(error, 'EDDY_BACKEND')).toBe(true);
    expect(calls).toEqual([{ topic: calls[0]!.topic, size: 1 }]);
    expect(await bus.publishBatch([])).toEqual([]);
    await bus.stop();
  });
});
