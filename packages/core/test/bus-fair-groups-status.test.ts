import { describe, expect, it } from 'vitest';
import { createBus, dedupeOf } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { unique, waitFor } from './bus-test-helpers.js';

type Events = Record<string, { tenant: string }>;

describe('bus.fairGroups()', () => {
  it('lists nothing before start, then each key’s running, waiting and delivered, busiest first', async () => {
    const topic = unique('t');
    const bus = createBus<Events>({
      transport: createMemoryTransport(),
      group: unique('g'),
      topicFor: () => topic,
    });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    bus.on('job', () => gate, {
      name: 'work',
      maxInFlight: 3,
      group: { key: 'data.tenant', concurrency: 1 },
    });
    bus.on('other', () => undefined, { name: 'plain' });
    expect(bus.fairGroups()).toEqual([]);
    await bus.start();
    try {
      for (const tenant of ['a', 'b', 'b', 'b']) await bus.publish('job', { tenant });
      await waitFor(() => bus.fairGroups()[0]?.waiting === 2);
      const [status] = bus.fairGroups();
      expect(status).toEqual({
        handler: 'work',
        topic,
        group: status!.group,
        concurrency: 1,
        ratePerSecond: undefined,
        buffer: 1_000,
        shared: false,
        running: 2,
        waiting: 2,
        keys: [
          { key: 'b', running: 1, waiting: 2, delivered: 1 },
          { key: 'a', running: 1, waiting: 0, delivered: 1 },
        ],
      });
      open();
      await waitFor(() => bus.fairGroups()[0]?.running === 0 && bus.fairGroups()[0]?.waiting === 0);
      // Idle keys stay listed by deliveries started.
      expect(bus.fairGroups()[0]?.keys).toEqual([
        { key: 'b', running: 0, waiting: 0, delivered: 3 },
        { key: 'a', running: 0, waiting: 0, delivered: 1 },
      ]);
    } finally {
      open();
      await bus.stop();
    }
  });
});

describe('dedupeOf(memory transport)', () => {
  it('counts the broker’s decisions and is absent where publish dedupe is declared false', async () => {
    const transport = createMemoryTransport();
    const payload = new Uint8Array([1]);
    await transport.publish('t', [{ payload, dedupe: { key: 'k', ttlMs: 60_000 } }]);
    await transport.publish('t', [{ payload, dedupe: { key: 'k', ttlMs: 60_000 } }]);
    const view = dedupeOf(transport);
    expect(view?.decisions()).toEqual([{ topic: 't', passed: 1, dropped: 1, replaced: 0, extended: 0 }]);
    expect((await view!.keys('t')).map((key) => key.key)).toEqual(['k']);
    expect(dedupeOf(createMemoryTransport({ capabilities: { delayedDelivery: false } }))).toBeUndefined();
    await transport.close();
  });
});
