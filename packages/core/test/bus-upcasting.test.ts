import { createBus, upcastingMiddleware, type BusEvent } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { describe, expect, it } from 'vitest';
import { waitFor } from './bus-test-helpers.js';

interface Events {
  'user.registered': { name?: string; firstName?: string; lastName?: string; locale?: string };
}

const upcasters = [
  {
    type: 'user.registered',
    fromVersion: 1,
    upcast: (data: unknown) => {
      const [firstName, lastName] = String((data as { name: string }).name).split(' ');
      return { firstName, lastName };
    },
  },
  {
    type: 'user.registered',
    fromVersion: 2,
    upcast: (data: unknown) => ({ ...(data as object), locale: 'en' }),
  },
];

describe('upcasting on the bus', () => {
  it('hands the handler every event in its current shape, whatever version it was published with', async () => {
    const bus = createBus<Events>({
      transport: createMemoryTransport(),
      middleware: [upcastingMiddleware(upcasters)],
    });
    const seen: BusEvent[] = [];
    bus.on('user.registered', (event) => {
      seen.push(event);
    });
    await bus.start();
    await bus.publish('user.registered', { name: 'Ada Lovelace' }, { schemaVersion: 1, key: 'users' });
    await bus.publish('user.registered', { name: 'Alan Turing' }, { key: 'users' }); // no schemaversion: version 1
    await bus.publish(
      'user.registered',
      { firstName: 'Grace', lastName: 'Hopper' },
      { schemaVersion: 2, key: 'users' },
    );
    await bus.publish(
      'user.registered',
      { firstName: 'Edsger', locale: 'nl' },
      { schemaVersion: 3, key: 'users' },
    );
    await waitFor(() => seen.length === 4);
    await bus.stop();
    expect(seen.map((event) => ({ data: event.data, version: event['schemaversion'] }))).toEqual([
      { data: { firstName: 'Ada', lastName: 'Lovelace', locale: 'en' }, version: 3 },
      { data: { firstName: 'Alan', lastName: 'Turing', locale: 'en' }, version: 3 },
      { data: { firstName: 'Grace', lastName: 'Hopper', locale: 'en' }, version: 3 },
      { data: { firstName: 'Edsger', locale: 'nl' }, version: 3 },
    ]);
  });
});
