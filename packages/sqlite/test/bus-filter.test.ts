import { afterAll, describe, expect, it } from 'vitest';
import { createBus, type BusMetrics, type MessageHandler, type Transport } from '@eddy/core';
import { noopMetrics } from '@eddy/core/internal';
import { createSqliteTransport, type SqliteTransport } from '@eddy/sqlite';
import { tempDir, unique, waitFor } from './helpers.js';

interface Events {
  'order.placed': { orderId: string };
  'order.paid': { orderId: string };
  'invoice.sent': { invoiceId: string };
}

const tmp = tempDir();
const open: SqliteTransport[] = [];
afterAll(async () => {
  await Promise.all(open.map((transport) => transport.close()));
  tmp.remove();
});

/** The transport, counting the messages it hands to the bus. */
function counted(inner: SqliteTransport): { transport: Transport; delivered: () => number } {
  let delivered = 0;
  const transport: Transport = {
    name: inner.name,
    capabilities: inner.capabilities,
    publish: (topic, messages) => inner.publish(topic, messages),
    subscribe: (topic, options, handler: MessageHandler) =>
      inner.subscribe(topic, options, (message) => {
        delivered += 1;
        return handler(message);
      }),
    close: () => inner.close(),
  };
  return { transport, delivered: () => delivered };
}

async function scenario(filter: 'pushed' | 'predicate'): Promise<{
  handled: string[];
  filtered: number;
  delivered: number;
  lag: number;
}> {
  const inner = createSqliteTransport({ path: tmp.file() });
  open.push(inner);
  const { transport, delivered } = counted(inner);
  const topic = unique('orders');
  let filtered = 0;
  const metrics: BusMetrics = { ...noopMetrics, filtered: () => (filtered += 1) };
  const bus = createBus<Events>({
    transport,
    group: unique('g'),
    topicFor: () => topic,
    metrics,
    closeTransport: false,
  });
  const handled: string[] = [];
  const registered = bus.on(
    'order.*',
    (event) => {
      handled.push(`${event.type}:${event.subject ?? ''}`);
    },
    {
      topic,
      from: 'earliest',
      filter: filter === 'pushed' ? { exact: { subject: 'eu' } } : (event) => event.subject === 'eu',
    },
  );
  await bus.publish('order.placed', { orderId: '1' }, { subject: 'eu' });
  await bus.publish('order.placed', { orderId: '2' }, { subject: 'us' });
  await bus.publish('invoice.sent', { invoiceId: 'i' }, { subject: 'eu' });
  await bus.publish('order.paid', { orderId: '1' }, { subject: 'eu' });
  await bus.publish('order.paid', { orderId: '2' }, { subject: 'us' });
  await bus.start();
  await waitFor(() => handled.length === 2 && filtered === 2, 10_000, 'two handled, two filtered');
  const admin = inner.admin;
  let lag = -1;
  const deadline = Date.now() + 10_000;
  while (lag !== 0 && Date.now() < deadline) {
    const [group] = admin.listGroups(topic);
    lag = group?.group === registered.group ? group.lag : -1;
    if (lag !== 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await bus.stop();
  return { handled, filtered, delivered: delivered(), lag };
}

describe('filters on the SQLite transport', () => {
  it('runs a CloudEvents filter and the type pattern in the transport: dropped events never reach the bus, are counted and settled', async () => {
    const result = await scenario('pushed');
    expect(result.handled.sort()).toEqual(['order.paid:eu', 'order.placed:eu']);
    // The invoice is another handler's type on a shared topic: dropped, but not counted as filtered.
    expect(result.filtered).toBe(2);
    expect(result.delivered).toBe(2);
    expect(result.lag).toBe(0);
  });

  it('a predicate filter runs in the subscriber: same outcome, but every event crosses into the bus', async () => {
    const result = await scenario('predicate');
    expect(result.handled.sort()).toEqual(['order.paid:eu', 'order.placed:eu']);
    expect(result.filtered).toBe(2);
    // The type pattern still runs in the transport, so the invoice stays out.
    expect(result.delivered).toBe(4);
    expect(result.lag).toBe(0);
  });
});
