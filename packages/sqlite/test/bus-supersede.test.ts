import { afterAll, describe, expect, it } from 'vitest';
import { createBus, ErrorCodes, type BusMetrics } from '@eddy/core';
import { noopMetrics } from '@eddy/core/internal';
import { createSqliteTransport } from '@eddy/sqlite';
import { tempDir, unique, waitFor } from './helpers.js';

interface Events {
  'price.changed': { symbol: string; price: number };
}

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('supersede by key on the SQLite transport', () => {
  it('hands a handler only the newest undelivered price of each symbol; stale ones are settled and counted', async () => {
    const topic = unique('prices');
    let superseded = 0;
    const metrics: BusMetrics = { ...noopMetrics, superseded: () => (superseded += 1) };
    const bus = createBus<Events>({
      transport: createSqliteTransport({ path: tmp.file() }),
      group: unique('g'),
      topicFor: () => topic,
      metrics,
    });
    const handled: string[] = [];
    bus.on(
      'price.changed',
      (event) => {
        handled.push(`${event.data.symbol}=${event.data.price}`);
      },
      { from: 'earliest' },
    );
    // A backlog the consumer reads in one fetch: 100 ticks of one symbol, 1 of another.
    for (let price = 1; price <= 100; price++) {
      await bus.publish('price.changed', { symbol: 'EDY', price }, { key: 'EDY', supersede: true });
    }
    await bus.publish('price.changed', { symbol: 'ABC', price: 7 }, { key: 'ABC', supersede: true });
    await bus.start();
    await waitFor(() => handled.includes('EDY=100') && handled.includes('ABC=7'), 10_000, 'the last prices');
    await bus.stop();
    // Whatever was delivered came in publish order, ended with the newest, and nothing was lost
    // uncounted: each tick was either handled or superseded.
    const edy = handled.filter((entry) => entry.startsWith('EDY=')).map((entry) => Number(entry.slice(4)));
    expect(edy.at(-1)).toBe(100);
    expect([...edy].sort((a, b) => a - b)).toEqual(edy);
    expect(edy.length + superseded).toBe(100);
    expect(superseded).toBeGreaterThan(90);
  });

  it('refuses supersede without a key, or with a value that is not a boolean', async () => {
    const bus = createBus<Events>({ transport: createSqliteTransport({ path: tmp.file() }) });
    const noKey = await bus
      .publish('price.changed', { symbol: 'EDY', price: 1 }, { supersede: true })
      .catch((error: unknown) => error);
    expect(noKey).toMatchObject({ code: ErrorCodes.InvalidOption });
    const notBoolean = await bus
      .publish('price.changed', { symbol: 'EDY', price: 1 }, { key: 'EDY', supersede: 'yes' as never })
      .catch((error: unknown) => error);
    expect(notBoolean).toMatchObject({ code: ErrorCodes.InvalidOption });
    await bus.stop();
  });
});
