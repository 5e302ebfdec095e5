import { randomBytes } from 'node:crypto';
import { describeFairSlotStoreConformance } from '@eddy/conformance';
import { createRedisFairSlotStore } from '@eddy/redis';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

// A prefix per run: several runs share the Redis server.
const prefix = `eddytest:${randomBytes(4).toString('hex')}:`;

describeFairSlotStoreConformance({
  name: 'redis',
  createStore: () => createRedisFairSlotStore({ prefix }),
});

describe('redis fair-slot keys', () => {
  it('puts the slots key and its rate key under one Redis Cluster hash tag', async () => {
    const tagged = `eddytest:${randomBytes(4).toString('hex')}:`;
    const store = await createRedisFairSlotStore({ prefix: tagged });
    const redis = new Redis(process.env['EDDY_REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    try {
      // A scope holding a closing brace, which could end a tag early.
      expect(await store.tryAcquire('orders:eu}', 'tenant-1', 'holder-1', 1, 5_000, 1)).toBe(true);
      const keys = await redis.keys(`${tagged}*`);
      expect(keys).toHaveLength(2);
      // Redis hashes only what lies between the first '{' and the next '}' when that is not empty.
      const tagOf = (key: string): string => {
        const open = key.indexOf('{');
        const close = key.indexOf('}', open + 1);
        return open === -1 || close === -1 || close === open + 1 ? key : key.slice(open + 1, close);
      };
      expect(new Set(keys.map(tagOf)).size).toBe(1);
    } finally {
      await store.close();
      for (const key of await redis.keys(`${tagged}*`)) await redis.del(key);
      redis.disconnect();
    }
  });
});
