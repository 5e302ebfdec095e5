import { createBus } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { createRedisStateStore } from '@eddy/redis';
import { count, pipeline, type KeyedResult } from '@eddy/streams';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, uniquePrefix, waitFor } from './helpers.js';

const prefix = uniquePrefix('state-pipeline');
afterAll(() => deleteKeys(prefix));

type Events = { click: { user: string }; clicks: KeyedResult<number> };

describe('a pipeline with Redis state', () => {
  it('counts each event once when the whole input is delivered again, and keeps its state', async () => {
    const transport = createMemoryTransport();
    let store = await createRedisStateStore({ url: REDIS_URL, prefix });
    const define = (group: string) => {
      const bus = createBus<Events>({ transport, group, closeTransport: false });
      const p = pipeline(bus, { name: 'clicks', store, batchSize: 25 });
      p.from('click')
        .keyBy((event) => event.data.user)
        .aggregate(count(), { name: 'per-user' })
        .to('clicks');
      return { bus, p };
    };
    const first = define('first');
    await first.p.start();
    await first.bus.start();
    for (let i = 0; i < 100; i++) await first.bus.publish('click', { user: `u${i % 4}` }, { id: `c-${i}` });
    await waitFor(() => first.p.stats().processed === 100, '100 clicks');
    await first.p.stop();
    await first.bus.stop();
    await store.close();

    // Another bus group reads the same topic from the start: every event comes again, as after a
    // lost acknowledgement. The store's consumed positions make each one a duplicate.
    store = await createRedisStateStore({ url: REDIS_URL, prefix });
    const second = define('second');
    await second.p.start();
    await second.bus.start();
    await waitFor(() => second.p.stats().duplicates === 100, '100 redeliveries');
    await second.p.stop();
    await second.bus.stop();
    expect(second.p.stats().processed).toBe(0);
    expect(await store.entries('clicks')).toEqual(
      ['u0', 'u1', 'u2', 'u3'].map((user) => ({ key: `per-user|${user}`, value: 25 })),
    );
    expect(await store.pendingOutputs('clicks')).toEqual([]);
    const positions = await store.positions('clicks');
    expect(new Set(positions.map((position) => position.topic))).toEqual(new Set(['click']));
    expect(new Set(positions.map((position) => position.partition)).size).toBe(positions.length);
    await store.close();
  });
});
