import { type InboxStore } from '@eddy/core';
import { createRedisInboxStore } from '@eddy/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { deleteKeys, REDIS_URL, uniqueName, uniquePrefix, waitFor } from './helpers.js';

const prefix = uniquePrefix('inbox');
let redis: Redis;
let store: InboxStore;

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
  store = await createRedisInboxStore({ redis, prefix });
});
afterAll(async () => {
  await store.close();
  redis.disconnect();
  await deleteKeys(prefix);
});

describe('redis inbox store', () => {
  it('claims once, reports busy while leased and processed after complete', async () => {
    const id = uniqueName('event');
    expect(await store.claim('handler-a', id, { leaseMs: 10_000 })).toBe('acquired');
    expect(await store.claim('handler-a', id, { leaseMs: 10_000 })).toBe('busy');
    await store.complete('handler-a', id, { ttlMs: 10_000 });
    expect(await store.claim('handler-a', id, { leaseMs: 10_000 })).toBe('processed');
    // A late release must not forget a completed entry.
    await store.release('handler-a', id);
    expect(await store.claim('handler-a', id, { leaseMs: 10_000 })).toBe('processed');
    // Another handler has its own entry for the same event.
    expect(await store.claim('handler-b', id, { leaseMs: 10_000 })).toBe('acquired');
  });

  it('a released claim can be claimed again at once', async () => {
    const id = uniqueName('event');
    expect(await store.claim('h', id, { leaseMs: 10_000 })).toBe('acquired');
    await store.release('h', id);
    expect(await store.claim('h', id, { leaseMs: 10_000 })).toBe('acquired');
  });

  it('an expired lease (crashed claimer) and an expired dedup window free the entry', async () => {
    const leased = uniqueName('event');
    expect(await store.claim('h', leased, { leaseMs: 50 })).toBe('acquired');
    await waitFor(
      async () => (await store.claim('h', leased, { leaseMs: 10_000 })) === 'acquired',
      'lease expiry',
      5_000,
    );

    const done = uniqueName('event');
    expect(await store.claim('h', done, { leaseMs: 10_000 })).toBe('acquired');
    await store.complete('h', done, { ttlMs: 50 });
    await waitFor(
      async () => (await store.claim('h', done, { leaseMs: 10_000 })) === 'acquired',
      'ttl expiry',
      5_000,
    );
  });

  it('concurrent claims from separate connections: exactly one acquires', async () => {
    const id = uniqueName('event');
    const stores = await Promise.all(
      Array.from({ length: 5 }, () => createRedisInboxStore({ url: REDIS_URL, prefix })),
    );
    try {
      const outcomes = await Promise.all(
        stores.flatMap((s) => Array.from({ length: 4 }, () => s.claim('race', id, { leaseMs: 10_000 }))),
      );
      expect(outcomes.filter((outcome) => outcome === 'acquired')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'busy')).toHaveLength(19);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('handler names containing ":" cannot collide with other (handler, id) pairs', async () => {
    const id = uniqueName('x');
    expect(await store.claim('a:b', id, { leaseMs: 10_000 })).toBe('acquired');
    expect(await store.claim('a', `b:${id}`, { leaseMs: 10_000 })).toBe('acquired');
  });

  it('purgeExpired has nothing to do (Redis expires keys itself); a closed store rejects with ClosedError and leaves a borrowed client open', async () => {
    const own = await createRedisInboxStore({ redis, prefix });
    expect(await own.purgeExpired()).toBe(0);
    await own.close();
    await expect(own.claim('h', 'e', { leaseMs: 1_000 })).rejects.toMatchObject({ code: 'EDDY_CLOSED' });
    expect(await redis.ping()).toBe('PONG');
  });
});
