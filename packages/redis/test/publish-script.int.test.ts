// The batch publish runs as a cached server-side script (src/append-script.ts). A server that does
// not know the script (first use, a restart, SCRIPT FLUSH) must get it sent and still append the
// batch exactly once, in order; a private server keeps SCRIPT FLUSH away from the shared one.
import { createRedisTransport, type RedisTransport } from '@eddy/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startPrivateRedis, type PrivateRedis } from './private-redis.js';

describe('redis batch publish script', () => {
  let server: PrivateRedis;
  let transport: RedisTransport;
  beforeAll(async () => {
    server = await startPrivateRedis(['--appendonly', 'no']);
    transport = await createRedisTransport({ url: server.url, prefix: 'script:', partitions: 3 });
  });
  afterAll(async () => {
    await transport.close();
    await server.destroy();
  });

  const entriesOf = async (partition: number): Promise<string[]> => {
    const entries = await transport.native.xrange(`script:s:orders:${partition}`, '-', '+');
    return entries.map(([, fields]) => fields[fields.indexOf('p') + 1]!);
  };

  it('appends a batch once, in order per partition, on a server that did not know the script and after SCRIPT FLUSH', async () => {
    const batch = (from: number): { key: string; headers: Record<string, string>; payload: Buffer }[] =>
      Array.from({ length: 30 }, (_, i) => ({
        key: `k${(from + i) % 3}`,
        headers: { 'x-n': String(from + i) },
        payload: Buffer.from(`m${from + i}`),
      }));
    const first = await transport.publish('orders', batch(0));
    await transport.native.script('FLUSH');
    const second = await transport.publish('orders', batch(30));
    const positions = [...first, ...second];
    expect(new Set(positions.map((p) => `${p.partition}:${p.offset}`)).size).toBe(60);
    const stored = (await Promise.all([0, 1, 2].map(entriesOf))).flat();
    expect(stored).toHaveLength(60);
    for (const partition of [0, 1, 2]) {
      const texts = await entriesOf(partition);
      const numbers = texts.map((text) => Number(text.slice(1)));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
    const byPosition = await Promise.all(
      positions.map(async ({ partition, offset }) => {
        const [entry] = await transport.native.xrange(`script:s:orders:${partition}`, offset, offset);
        return entry?.[1][entry[1].indexOf('p') + 1];
      }),
    );
    expect(byPosition).toEqual(Array.from({ length: 60 }, (_, i) => `m${i}`));
  });
});
