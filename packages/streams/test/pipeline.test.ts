import { afterEach, describe, expect, it } from 'vitest';
import type { Bus } from '@eddy/core';
import { count, pipeline, sum } from '@eddy/streams';
import { memoryBus, record, waitFor } from './helpers.js';

/** The `code` of what `fn` throws, so a test names the error it expects. */
function codeThrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return undefined;
}

interface Events {
  'order.placed': { orderId: string; customer: string; total: number };
  'order.cancelled': { orderId: string; customer: string };
  'order.big': { orderId: string; total: number };
  'order.small': { orderId: string; total: number };
  'order.line': { orderId: string; line: number };
  'order.any': { orderId: string };
  'customer.total': { key: string; value: number };
  'customer.orders': { key: string; value: number };
}

let bus: Bus<Events> | undefined;
afterEach(async () => {
  await bus?.stop();
  bus = undefined;
});

describe('pipelines', () => {
  it('filters, maps and publishes, carrying correlation and causation', async () => {
    bus = memoryBus<Events>();
    const seen = record(bus, 'order.big');
    const p = pipeline(bus, { name: 'big-orders' });
    p.from('order.placed')
      .filter((event) => event.data.total >= 100)
      .map((event) => ({ orderId: event.data.orderId, total: event.data.total }))
      .to('order.big');
    await p.start();
    await bus.start();
    const small = await bus.publish('order.placed', { orderId: 'o-1', customer: 'c-1', total: 5 });
    const big = await bus.publish(
      'order.placed',
      { orderId: 'o-2', customer: 'c-1', total: 500 },
      {
        key: 'c-1',
        correlationId: 'corr-2',
      },
    );
    await waitFor(() => p.stats().processed === 2, 'both orders processed');
    await waitFor(() => seen.length === 1, 'the big order');
    expect(small.id).not.toBe(big.id);
    expect(seen.map((event) => event.data)).toEqual([{ orderId: 'o-2', total: 500 }]);
    expect(seen[0]).toMatchObject({ causationid: big.id, correlationid: 'corr-2', partitionkey: 'c-1' });
  });

  it('branches, merges, flat-maps and re-keys streams from several types', async () => {
    bus = memoryBus<Events>();
    const seen = record(bus, 'order.big', 'order.small', 'order.line', 'order.any');
    const p = pipeline(bus, { name: 'routing' });
    const orders = p.from('order.placed', 'order.cancelled');
    const placed = orders
      .filter((event) => event.type === 'order.placed')
      .map((event) => event.data as Events['order.placed']);
    const { big, small } = placed.branch({ big: (order) => order.total >= 100, small: () => true });
    big.map((order) => ({ orderId: order.orderId, total: order.total })).to('order.big');
    small.map((order) => ({ orderId: order.orderId, total: order.total })).to('order.small');
    big
      .merge(small)
      .flatMap((order) => [1, 2].map((line) => ({ orderId: order.orderId, line })))
      .to('order.line');
    orders
      .keyBy((event) => event.data.orderId)
      .map((event) => ({ orderId: event.data.orderId }))
      .to('order.any');
    await p.start();
    await bus.start();
    await bus.publish('order.placed', { orderId: 'o-1', customer: 'c-1', total: 500 });
    await bus.publish('order.placed', { orderId: 'o-2', customer: 'c-2', total: 5 });
    await bus.publish('order.cancelled', { orderId: 'o-3', customer: 'c-3' });
    await waitFor(() => seen.length === 9, 'every output', 10_000);
    const of = (type: string): unknown[] =>
      seen.filter((event) => event.type === type).map((event) => event.data);
    expect(of('order.big')).toEqual([{ orderId: 'o-1', total: 500 }]);
    expect(of('order.small')).toEqual([{ orderId: 'o-2', total: 5 }]);
    expect(of('order.line')).toHaveLength(4);
    expect(new Set(seen.filter((e) => e.type === 'order.line').map((e) => e.id)).size).toBe(4);
    const any = seen.filter((event) => event.type === 'order.any');
    expect(any.map((event) => event.partitionkey).sort()).toEqual(['o-1', 'o-2', 'o-3']);
  });

  it('aggregates per key: sum and count', async () => {
    bus = memoryBus<Events>();
    const seen = record(bus, 'customer.total', 'customer.orders');
    const p = pipeline(bus, { name: 'totals' });
    const byCustomer = p.from('order.placed').keyBy((event) => event.data.customer);
    byCustomer
      .aggregate(
        sum((event) => event.data.total),
        { name: 'total' },
      )
      .to('customer.total');
    byCustomer.aggregate(count(), { name: 'orders' }).to('customer.orders');
    await p.start();
    await bus.start();
    for (const [customer, total] of [
      ['a', 1],
      ['b', 10],
      ['a', 2],
      ['a', 3],
    ] as const) {
      await bus.publish('order.placed', { orderId: `${customer}${total}`, customer, total });
    }
    await waitFor(() => seen.length === 8, 'eight running results');
    const last = (type: string, key: string): unknown =>
      seen.filter((e) => e.type === type && (e.data as { key: string }).key === key).at(-1)?.data;
    expect(last('customer.total', 'a')).toEqual({ key: 'a', value: 6 });
    expect(last('customer.total', 'b')).toEqual({ key: 'b', value: 10 });
    expect(last('customer.orders', 'a')).toEqual({ key: 'a', value: 3 });
  });

  it('undoes the state changes and outputs of an input that fails, keeping those of its batch', async () => {
    bus = memoryBus<Events>();
    const seen = record(bus, 'customer.total');
    const p = pipeline(bus, { name: 'undo' });
    p.from('order.placed')
      .keyBy((event) => event.data.customer)
      .aggregate(
        sum((event) => event.data.total),
        { name: 'total' },
      )
      // Fails after the sum took the order in: the failed input's new total must go with it.
      .map((result) => {
        if (result.value >= 100) throw new Error('total too large');
        return result;
      })
      .to('customer.total');
    await p.start();
    // Published before the consumers start: the pipeline reads them in one batch.
    await bus.publishBatch(
      [1, 2, 100, 3].map((total) => ({
        type: 'order.placed' as const,
        data: { orderId: `o-${total}`, customer: 'a', total },
      })),
    );
    await bus.start();
    await waitFor(() => seen.length === 3 && p.stats().failed === 2, 'three totals and the failed order');
    expect(seen.map((event) => event.data)).toEqual([
      { key: 'a', value: 1 },
      { key: 'a', value: 3 },
      { key: 'a', value: 6 },
    ]);
    expect(p.stats().processed).toBe(3);
  });

  it("runs stages with the bus's retries and dead-letters what keeps failing", async () => {
    bus = memoryBus<Events>();
    const seen = record(bus, 'order.big');
    const deadLettered: string[] = [];
    const p = pipeline(bus, { name: 'failing' });
    let attempts = 0;
    p.from('order.placed')
      .map((event) => {
        if (event.data.orderId === 'poison') {
          attempts++;
          throw new Error('cannot handle poison');
        }
        return { orderId: event.data.orderId, total: event.data.total };
      })
      .to('order.big');
    await p.start();
    // The dead-letter topic carries the original event, so a handler of its type reads it there.
    bus.on('order.placed', (event) => void deadLettered.push(event.data.orderId), {
      topic: 'order.placed.dlq',
      name: 'dlq-watch',
      from: 'earliest',
    });
    await bus.start();
    await bus.publish('order.placed', { orderId: 'poison', customer: 'c', total: 1 });
    await bus.publish('order.placed', { orderId: 'fine', customer: 'c', total: 2 });
    await waitFor(() => seen.length === 1 && deadLettered.length === 1, 'the good order and the dead letter');
    expect(seen[0]!.data).toEqual({ orderId: 'fine', total: 2 });
    expect(deadLettered).toEqual(['poison']);
    expect(p.stats().failed).toBe(2);
    expect(attempts).toBe(2);
  });

  it('rejects definitions that cannot run', () => {
    bus = memoryBus<Events>();
    expect(codeThrownBy(() => pipeline(bus!, { name: 'bad name!' }))).toBe('EDDY_INVALID_PIPELINE');
    const p = pipeline(bus, { name: 'dupes' });
    const s = p.from('order.placed');
    expect(() => p.from('order.placed')).toThrow(/already reads/);
    s.aggregate(count(), { name: 'n' });
    expect(() => s.aggregate(count(), { name: 'n' })).toThrow(/two stages named "n"/);
    expect(codeThrownBy(() => s.to(''))).toBe('EDDY_INVALID_PIPELINE');
  });
});
