import { createBus } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryRequestStore, createRequestTracker, type RequestStore } from '@eddy/webhooks';

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
    expect(() => createRequestTracker({ bus, store, purgeIntervalMs: 0 })).toThrow(
      expect.objectContaining({ code: 'EDDY_INVALID_OPTION' }),
    );
    await bus.stop();
  });
});
