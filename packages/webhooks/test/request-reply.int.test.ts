import { createBus, type Bus } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryRequestStore, createRequester, createRequestTracker, replyTo } from '@eddy/webhooks';

type AnyBus = Bus<Record<string, unknown>>;
const buses: AnyBus[] = [];
afterEach(async () => {
  for (const bus of buses.splice(0)) await bus.stop();
});

/** A bus with a handler that quotes `qty * 2`, fails for qty < 0, and ignores qty 0. */
function quotingBus(): AnyBus {
  const bus = createBus<Record<string, unknown>>({ transport: createMemoryTransport() });
  buses.push(bus);
  bus.on('quote.requested', async (event) => {
    const { qty } = event.data as { qty: number };
    if (qty === 0) return;
    await replyTo(bus, event, qty < 0 ? { error: 'qty must be positive' } : { data: { price: qty * 2 } });
  });
  return bus;
}

describe('createRequester', () => {
  it('resolves with the reply event correlated to the request', async () => {
    const bus = quotingBus();
    const requester = createRequester(bus);
    await bus.start();
    const [a, b] = await Promise.all([
      requester.request('quote.requested', { qty: 3 }, { timeoutMs: 5_000 }),
      requester.request('quote.requested', { qty: 5 }, { timeoutMs: 5_000 }),
    ]);
    expect([a.data, b.data]).toEqual([{ price: 6 }, { price: 10 }]);
    expect(a.type).toBe('eddy.reply');
    expect(a['inreplyto']).not.toBe(b['inreplyto']);
  });

  it('rejects with RequestFailedError for a failure reply and TimeoutError when no reply comes', async () => {
    const bus = quotingBus();
    const requester = createRequester(bus);
    await bus.start();
    await expect(
      requester.request('quote.requested', { qty: -1 }, { timeoutMs: 5_000 }),
    ).rejects.toMatchObject({
      code: 'EDDY_REQUEST_FAILED',
    });
    await expect(requester.request('quote.requested', { qty: 0 }, { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'EDDY_TIMEOUT',
    });
  });
});

describe('createRequestTracker', () => {
  it('records pending, then completed with the result; a long poll returns as soon as the reply lands', async () => {
    const bus = quotingBus();
    const store = createMemoryRequestStore();
    const tracker = createRequestTracker({ bus, store });
    await bus.start();
    const submitted = await tracker.submit('quote.requested', { qty: 4 });
    expect(submitted.status).toBe('pending');
    const done = await tracker.get(submitted.id, { waitMs: 10_000 });
    expect(done).toMatchObject({ id: submitted.id, status: 'completed', result: { price: 8 } });
    expect(await tracker.get('unknown')).toBeUndefined();
  });

  it('records failures, and fails a request that got no reply within the timeout', async () => {
    const bus = quotingBus();
    let clock = Date.now();
    const tracker = createRequestTracker({
      bus,
      store: createMemoryRequestStore(),
      timeoutMs: 200,
      now: () => clock,
    });
    await bus.start();
    const failing = await tracker.submit('quote.requested', { qty: -2 });
    expect(await tracker.get(failing.id, { waitMs: 5_000 })).toMatchObject({
      status: 'failed',
      error: 'qty must be positive',
    });
    const silent = await tracker.submit('quote.requested', { qty: 0 });
    expect(await tracker.get(silent.id)).toMatchObject({ status: 'pending' });
    clock += 200;
    expect(await tracker.get(silent.id, { waitMs: 5_000 })).toMatchObject({
      status: 'failed',
      error: 'no reply within 200 ms',
    });
  });
});
