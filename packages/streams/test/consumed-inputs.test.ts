import { describe, expect, it } from 'vitest';
import type { BatchContext, Bus, BusEvent, ReceivedMessage } from '@eddy/core';
import { count, createMemoryStateStore, pipeline } from '@eddy/streams';
import { inputKey } from '../src/engine/input-key.js';

interface Events {
  reading: { sensor: string };
  'reading.count': { key: string; value: number };
}

/** A pipeline counting readings per sensor, fed batches of events at given positions of topic `readings`. */
async function countingPipeline(store = createMemoryStateStore()) {
  let handler: ((events: readonly BusEvent[], ctx: BatchContext) => Promise<void> | void) | undefined;
  const counts: { key: string; value: number }[] = [];
  const bus = {
    onBatch: (type: string, batchHandler: typeof handler) => {
      handler = batchHandler;
      return { name: type, type, topic: 'readings', group: `direct.${type}`, emits: [] };
    },
    publishBatch: (items: readonly { data: { key: string; value: number } }[]) => {
      for (const { data } of items) counts.push(data);
      return Promise.resolve([]);
    },
  } as unknown as Bus<Events>;
  const p = pipeline(bus, { name: 'counting', store });
  p.from('reading')
    .keyBy((event) => event.data.sensor)
    .aggregate(count(), { name: 'per-sensor' })
    .to('reading.count');
  await p.start();
  /** Feeds events, each `[id, sensor, offset]`, as one batch read from partition 0. */
  const feed = async (...events: (readonly [string, string, string])[]): Promise<void> => {
    const messages = new Map<string, ReceivedMessage>();
    const batch = events.map(([id, sensor, offset]): BusEvent => {
      const event = {
        specversion: '1.0',
        id,
        source: '/test',
        type: 'reading',
        data: { sensor },
      } as BusEvent;
      messages.set(id, {
        topic: 'readings',
        partition: 0,
        offset,
        headers: {},
        payload: new Uint8Array(),
        publishedAt: 0,
        deliveryCount: 1,
      } as unknown as ReceivedMessage);
      return event;
    });
    const ctx = {
      fail: (_event: BusEvent, error: unknown) => {
        throw error;
      },
      message: (event: BusEvent) => messages.get(event.id),
    } as unknown as BatchContext;
    await handler!(batch, ctx);
  };
  const latest = (sensor: string): number | undefined => counts.filter((c) => c.key === sensor).at(-1)?.value;
  return { p, feed, latest, store };
}

describe('consumed inputs', () => {
  it('skips a redelivered message by its position and counts a copy published at a new one', async () => {
    const { p, feed, latest } = await countingPipeline();
    await feed(['e-1', 'a', '5'], ['e-2', 'b', '6']);
    // The same messages again, as after a crash between the commit and the acknowledgements.
    await feed(['e-1', 'a', '5'], ['e-2', 'b', '6']);
    expect(p.stats().duplicates).toBe(2);
    expect(latest('a')).toBe(1);
    // The same event published once more is another message of the log: it counts.
    await feed(['e-1', 'a', '7']);
    expect(latest('a')).toBe(2);
    expect(p.stats()).toMatchObject({ processed: 3, duplicates: 2 });
    await p.stop();
  });

  it('skips a message that a store remembered by its event id', async () => {
    const store = createMemoryStateStore();
    // What a commit of an earlier version left: the input under its event id.
    await store.commit('counting', {
      inputs: [{ key: 'e-1', topic: 'readings', partition: 0, offset: '5' }],
    });
    const { p, feed, latest } = await countingPipeline(store);
    await feed(['e-1', 'a', '5'], ['e-2', 'a', '6']);
    expect(p.stats()).toMatchObject({ processed: 1, duplicates: 1 });
    expect(latest('a')).toBe(1);
    await p.stop();
  });

  it('keys inputs by position, in offset order within a partition', () => {
    const at = (offset: string, partition = 0): string => inputKey({ topic: 'readings', partition, offset });
    expect(at('9') < at('10')).toBe(true);
    expect(at('99999') < at('100000')).toBe(true);
    expect(at('5')).not.toBe(at('5', 1));
    // Offsets that are not plain numbers (Redis entry ids, broker message ids) are kept as they are.
    expect(at('1700000000000-3')).toBe('readings/0/1700000000000-3');
  });
});
