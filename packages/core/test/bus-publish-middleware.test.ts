import { createBus, EddyError, type BusEvent, type PublishMiddleware } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { describe, expect, it } from 'vitest';
import { waitFor } from './bus-test-helpers.js';

interface Events {
  'order.placed': { total: number };
}

describe('publish middleware on the bus', () => {
  it('runs in order around publish, may change the event, and refuses a publish by throwing', async () => {
    const calls: string[] = [];
    const tag =
      (name: string): PublishMiddleware =>
      (next) =>
      async (outgoing) => {
        calls.push(`${name}:${outgoing.topic}`);
        return next({ ...outgoing, event: { ...outgoing.event, dataschema: `urn:test:${name}` } });
      };
    const refuseNegative: PublishMiddleware = (next) => (outgoing) => {
      if ((outgoing.event.data as { total: number }).total < 0) {
        throw new EddyError('EDDY_SCHEMA_VIOLATION', 'total must be >= 0');
      }
      return next(outgoing);
    };
    const transport = createMemoryTransport();
    const bus = createBus<Events>({
      transport,
      publishMiddleware: [tag('outer'), refuseNegative, tag('inner')],
    });
    const seen: BusEvent[] = [];
    bus.on('order.placed', (event) => void seen.push(event), { from: 'earliest' });
    await bus.start();

    const published = await bus.publish('order.placed', { total: 5 });
    expect(published.topic).toBe('order.placed');
    await expect(bus.publish('order.placed', { total: -1 })).rejects.toMatchObject({
      code: 'EDDY_SCHEMA_VIOLATION',
    });
    await waitFor(() => seen.length === 1);
    await bus.stop();
    // The innermost change wins; the refused publish never reached the inner middleware or the transport.
    expect(seen.map((event) => [event.id, event.dataschema, event.data])).toEqual([
      [published.id, 'urn:test:inner', { total: 5 }],
    ]);
    expect(calls).toEqual(['outer:order.placed', 'inner:order.placed', 'outer:order.placed']);
  });
});
