import { randomBytes } from 'node:crypto';

import { createRedisTransport, type RedisTransport } from '@eddy/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys } from '../../redis/test/helpers.js';

import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

const REDIS_URL = process.env.EDDY_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `eddy-test-pull-joining-${randomBytes(4).toString('hex')}:`;

let transport: RedisTransport;
let server: TestServer;

beforeAll(async () => {
  // A session long enough that a joining member would wait for it: the pull must not.
  transport = await createRedisTransport({ url: REDIS_URL, prefix, partitions: 2, sessionTimeoutMs: 60_000 });
  server = await startTestServer({ transport });
});
afterAll(async () => {
  await server?.close();
  await transport?.close();
  await deleteKeys(prefix, REDIS_URL);
});

describe('a pull whose bridge is still joining its group', () => {
  it('answers empty within its wait, and the bridge goes on to take its partitions', async () => {
    const topic = unique('joining');
    const group = 'billing';
    await post(
      `${server.url}/v1/topics/${topic}/events`,
      Array.from({ length: 8 }, (_, index) => ({ data: index, key: `k${index}` })),
    );
    // Another member of the group holds every partition and keeps its handlers running, so it can
    // give none up: a joining member's start waits up to the session timeout for its share.
    const held: (() => void)[] = [];
    const holder = await transport.subscribe(topic, { group, from: 'earliest' }, () => {
      return new Promise<void>((resolve) => held.push(resolve));
    });
    await eventually(() => (held.length === 8 ? true : undefined));

    const pulled = await fetch(`${server.url}/v1/topics/${topic}/groups/${group}/messages?wait=0.2&max=10`);
    expect(pulled.status).toBe(200);
    expect((await json<{ messages: unknown[] }>(pulled)).messages).toEqual([]);

    for (const resolve of held) resolve();
    await holder.close();
    await post(`${server.url}/v1/topics/${topic}/events`, [{ data: 'after', key: 'k1' }]);
    const later = await eventually(async () => {
      const response = await fetch(
        `${server.url}/v1/topics/${topic}/groups/${group}/messages?wait=0.2&max=10`,
      );
      const { messages } = await json<{ messages: { event: { data: unknown } }[] }>(response);
      return messages.length > 0 ? messages : undefined;
    });
    expect(later.map((message) => message.event.data)).toEqual(['after']);
  }, 30_000);
});
