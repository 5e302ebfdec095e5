import { createBus, upcastingMiddleware, type BusEvent, type Upcaster } from '@eddy/core';
import { createSqliteTransport } from '@eddy/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, unique, waitFor } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

// On SQLite the `schemaversion` extension travels as a header string, not a number: the upcaster
// must read it from there.
describe('upcasting on the bus over SQLite', () => {
  it('reads schemaversion from the stored headers and hands the handler the current shape', async () => {
    const type = unique('user.registered');
    const upcasters: Upcaster[] = [
      {
        type,
        fromVersion: 1,
        upcast: (data) => {
          const [firstName, lastName] = String((data as { name: string }).name).split(' ');
          return { firstName, lastName };
        },
      },
      { type, fromVersion: 2, upcast: (data) => ({ ...(data as object), locale: 'en' }) },
    ];
    const bus = createBus<Record<string, Record<string, string>>>({
      transport: createSqliteTransport({ path: tmp.file() }),
      middleware: [upcastingMiddleware(upcasters)],
    });
    const seen: BusEvent[] = [];
    bus.on(type, (event) => void seen.push(event), { from: 'earliest' });
    await bus.start();
    await bus.publish(type, { name: 'Ada Lovelace' }, { schemaVersion: 1, key: 'users' });
    await bus.publish(type, { name: 'Alan Turing' }, { key: 'users' });
    await bus.publish(type, { firstName: 'Grace', lastName: 'Hopper' }, { schemaVersion: 2, key: 'users' });
    await bus.publish(type, { firstName: 'Edsger', locale: 'nl' }, { schemaVersion: 3, key: 'users' });
    await waitFor(() => seen.length === 4, 10_000, 'four events');
    await bus.stop();
    expect(seen.map((event) => ({ data: event.data, version: Number(event['schemaversion']) }))).toEqual([
      { data: { firstName: 'Ada', lastName: 'Lovelace', locale: 'en' }, version: 3 },
      { data: { firstName: 'Alan', lastName: 'Turing', locale: 'en' }, version: 3 },
      { data: { firstName: 'Grace', lastName: 'Hopper', locale: 'en' }, version: 3 },
      { data: { firstName: 'Edsger', locale: 'nl' }, version: 3 },
    ]);
  });
});
