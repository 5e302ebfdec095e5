import { createBus } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { thrown } from './thrown.js';
import {
  createMemoryDeliveryStore,
  createMemoryEndpointStore,
  createMemoryRequestStore,
  createRequestCallbacks,
  createRequestTracker,
  generateSecret,
  type RequestStore,
} from '@eddy/webhooks';

const T0 = Date.UTC(2030, 0, 1);

afterEach(() => {
  vi.useRealTimers();
});

/** A memory store that records what each purge removed. */
function recordingStore(): { store: RequestStore; purged: number[] } {
  const inner = createMemoryRequestStore();
  const purged: number[] = [];
  return {
    purged,
    store: {
      ...inner,
      async purge(now) {
        const removed = await inner.purge(now);
        purged.push(removed);
        return removed;
      },
    },
  };
}

describe('request tracker purge', () => {
  it('deletes expired requests every purgeIntervalMs and stops on close', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let clock = T0;
    const { store, purged } = recordingStore();
    const bus = createBus<Record<string, unknown>>({ transport: createMemoryTransport() });
    const tracker = createRequestTracker({ bus, store, now: () => clock, purgeIntervalMs: 10_000 });
    await store.create({ id: 'soon', type: 't', expiresAt: T0 + 1_000 }, T0);
    await store.create({ id: 'later', type: 't', expiresAt: T0 + 25_000 }, T0);

    await vi.advanceTimersByTimeAsync(9_999);
    expect(purged).toEqual([]);
    clock = T0 + 10_000;
    await vi.advanceTimersByTimeAsync(1);
    expect(purged).toEqual([1]);
    clock = T0 + 20_000;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(purged).toEqual([1, 0]);
    clock = T0 + 30_000;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(purged).toEqual([1, 0, 1]);

    tracker.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(purged).toHaveLength(3);
    await bus.stop();
  });

  it('purges every 60 s by default and refuses a non-positive interval', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { store, purged } = recordingStore();
    const bus = createBus<Record<string, unknown>>({ transport: createMemoryTransport() });
    const tracker = createRequestTracker({ bus, store, now: () => T0 });
    await vi.advanceTimersByTimeAsync(59_999);
    expect(purged).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(purged).toEqual([0]);
    tracker.close();
    expect(thrown(() => createRequestTracker({ bus, store, purgeIntervalMs: 0 }))?.code).toBe(
      'EDDY_INVALID_OPTION',
    );
    await bus.stop();
  });

  it('fails a timed-out request with a callback on the purge tick, and enqueues its callback', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let clock = T0;
    const store = createMemoryRequestStore();
    const deliveries = createMemoryDeliveryStore();
    const callbacks = createRequestCallbacks({
      endpoints: createMemoryEndpointStore(),
      deliveries,
      secret: generateSecret(),
      now: () => clock,
    });
    const bus = createBus<Record<string, unknown>>({ transport: createMemoryTransport() });
    const tracker = createRequestTracker({
      bus,
      store,
      callbacks,
      now: () => clock,
      timeoutMs: 5_000,
      purgeIntervalMs: 1_000,
    });
    const callbackUrl = 'https://client.example/results';
    await store.create({ id: 'waiting', type: 'quote', expiresAt: T0 + 100_000, callbackUrl }, T0);
    await store.create({ id: 'polled', type: 'quote', expiresAt: T0 + 100_000 }, T0);
    clock = T0 + 4_000;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await deliveries.list()).toEqual([]);
    clock = T0 + 6_000;
    await vi.advanceTimersByTimeAsync(1_000);
    const [delivery, ...rest] = await deliveries.list();
    expect(rest).toEqual([]);
    expect(delivery).toMatchObject({
      eventId: 'waiting',
      eventType: 'eddy.request.failed',
      status: 'pending',
    });
    expect(JSON.parse(delivery!.payload)).toMatchObject({
      data: { id: 'waiting', status: 'failed', error: 'no reply within 5000 ms' },
    });
    // A request without a callback waits for its next read to be failed.
    expect((await store.get('polled', clock))?.status).toBe('pending');
    tracker.close();
    await bus.stop();
  });
});
