import type { Bus } from '@eddy/core';
import { createMemoryStateStore, lookupTable, pipeline, StreamsErrorCodes } from '@eddy/streams';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryBus, record, waitFor } from './helpers.js';

interface Events {
  'account.updated': { accountId: string; tier: 'gold' | 'basic' | null };
  'payment.made': { accountId: string; amount: number };
  'payment.enriched': { accountId: string; amount: number; tier: string };
}

let bus: Bus<Events> | undefined;
afterEach(async () => {
  await bus?.stop();
  bus = undefined;
});

describe('stream-table joins', () => {
  it('inner-joins a stream with the latest row per key of a table read from a topic', async () => {
    bus = memoryBus<Events>();
    const seen = record(bus, 'payment.enriched');
    const p = pipeline(bus, { name: 'enrich-inner' });
    const tiers = p.table('account.updated', {
      name: 'tiers',
      key: (event) => event.data.accountId,
      row: (event) => (event.data.tier === null ? undefined : { tier: event.data.tier }),
    });
    p.from('payment.made')
      .keyBy((event) => event.data.accountId)
      .join(tiers, (event, row) => ({ ...event.data, tier: row.tier }))
      .to('payment.enriched');
    await p.start();
    await bus.start();

    await bus.publish('account.updated', { accountId: 'a-1', tier: 'basic' });
    await bus.publish('account.updated', { accountId: 'a-1', tier: 'gold' });
    await bus.publish('account.updated', { accountId: 'a-2', tier: 'basic' });
    await bus.publish('account.updated', { accountId: 'a-2', tier: null });
    await waitFor(() => p.stats().processed === 4, 'the table events');
    await bus.publish('payment.made', { accountId: 'a-1', amount: 10 });
    await bus.publish('payment.made', { accountId: 'a-2', amount: 20 });
    await bus.publish('payment.made', { accountId: 'a-3', amount: 30 });
    await bus.publish('payment.made', { accountId: 'a-1', amount: 40 });
    await waitFor(() => p.stats().processed === 8, 'the payments');
    await waitFor(() => seen.length === 2, 'two joined payments');
    // a-2's row was deleted by its tombstone and a-3 never had one: the inner join drops both.
    expect(seen.map((event) => event.data)).toEqual([
      { accountId: 'a-1', amount: 10, tier: 'gold' },
      { accountId: 'a-1', amount: 40, tier: 'gold' },
    ]);
  });

  it('left-joins, passing undefined for keys without a row', async () => {
    bus = memoryBus<Events>();
    const seen = record(bus, 'payment.enriched');
    const p = pipeline(bus, { name: 'enrich-left' });
    const tiers = p.table('account.updated', { key: (event) => event.data.accountId });
    p.from('payment.made')
      .join(tiers, (event, row) => ({ ...event.data, tier: row?.tier ?? 'unknown' }), {
        kind: 'left',
        key: (event) => event.data.accountId,
      })
      .to('payment.enriched');
    await p.start();
    await bus.start();
    await bus.publish('account.updated', { accountId: 'a-1', tier: 'gold' });
    await waitFor(() => p.stats().processed === 1, 'the table event');
    await bus.publish('payment.made', { accountId: 'a-1', amount: 1 });
    await bus.publish('payment.made', { accountId: 'a-9', amount: 2 });
    await waitFor(() => seen.length === 2, 'both payments');
    expect(seen.map((event) => event.data)).toEqual([
      { accountId: 'a-1', amount: 1, tier: 'gold' },
      { accountId: 'a-9', amount: 2, tier: 'unknown' },
    ]);
  });

  it('keeps table rows in the state store, so a restarted pipeline joins with them', async () => {
    const store = createMemoryStateStore();
    const define = (b: Bus<Events>) => {
      const p = pipeline(b, { name: 'enrich-durable', store });
      const tiers = p.table('account.updated', { name: 'tiers', key: (event) => event.data.accountId });
      p.from('payment.made')
        .join(tiers, (event, row) => ({ ...event.data, tier: row.tier ?? 'none' }), {
          key: (event) => event.data.accountId,
        })
        .to('payment.enriched');
      return p;
    };
    const first = memoryBus<Events>();
    const p1 = define(first);
    await p1.start();
    await first.start();
    await first.publish('account.updated', { accountId: 'a-1', tier: 'gold' });
    await waitFor(() => p1.stats().processed === 1, 'the table event');
    await p1.stop();
    await first.stop();
    expect(await store.get('enrich-durable', 'tiers|a-1')).toEqual({ accountId: 'a-1', tier: 'gold' });

    // A new transport: the table topic is empty, the row comes from the store alone.
    bus = memoryBus<Events>();
    const seen = record(bus, 'payment.enriched');
    const p2 = define(bus);
    await p2.start();
    await bus.start();
    await bus.publish('payment.made', { accountId: 'a-1', amount: 5 });
    await waitFor(() => seen.length === 1, 'the joined payment');
    expect(seen[0]?.data).toEqual({ accountId: 'a-1', amount: 5, tier: 'gold' });
  });

  it('joins with a read model the application keeps, such as a projection', async () => {
    bus = memoryBus<Events>();
    const seen = record(bus, 'payment.enriched');
    const readModel = new Map<string, { tier: string }>([['a-1', { tier: 'gold' }]]);
    const tiers = lookupTable('tiers', (key) => readModel.get(key));
    const p = pipeline(bus, { name: 'enrich-lookup' });
    p.from('payment.made')
      .keyBy((event) => event.data.accountId)
      .join(tiers, (event, row) => ({ ...event.data, tier: row.tier }))
      .to('payment.enriched');
    await p.start();
    await bus.start();
    await bus.publish('payment.made', { accountId: 'a-1', amount: 1 });
    await bus.publish('payment.made', { accountId: 'a-2', amount: 2 });
    await waitFor(() => p.stats().processed === 2, 'both payments');
    readModel.set('a-2', { tier: 'basic' });
    await bus.publish('payment.made', { accountId: 'a-2', amount: 3 });
    await waitFor(() => seen.length === 2, 'two joined payments');
    expect(seen.map((event) => event.data)).toEqual([
      { accountId: 'a-1', amount: 1, tier: 'gold' },
      { accountId: 'a-2', amount: 3, tier: 'basic' },
    ]);
  });

  it('refuses a join with something that is not a table', () => {
    const p = pipeline(memoryBus<Events>(), { name: 'bad-join' });
    let code: unknown;
    try {
      p.from('payment.made').join({} as never, () => 1);
    } catch (error) {
      code = (error as { code?: unknown }).code;
    }
    expect(code).toBe(StreamsErrorCodes.InvalidPipeline);
  });
});
