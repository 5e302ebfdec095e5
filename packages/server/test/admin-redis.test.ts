import { randomBytes } from 'node:crypto';

import { createRedisTransport, type RedisTransport } from '@eddy/redis';
import { deleteKeys } from '../../redis/test/helpers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

const REDIS_URL = process.env.EDDY_REDIS_URL ?? 'redis://127.0.0.1:6379';
// A prefix of its own on the shared Redis, removed afterwards.
const prefix = `eddy-test-gateway-admin-${randomBytes(4).toString('hex')}:`;

let transport: RedisTransport;
let server: TestServer;

beforeAll(async () => {
  transport = await createRedisTransport({ url: REDIS_URL, prefix, partitions: 2 });
  server = await startTestServer({ transport });
});
afterAll(async () => {
  await server?.close();
  await transport?.close();
  await deleteKeys(prefix, REDIS_URL);
});

interface GroupView {
  topic: string;
  group: string;
  lag: number;
  partitions: { partition: number; lag: number }[];
}

describe('gateway admin routes over the Redis transport', () => {
  it('lists topics and groups, browses messages and resets a group (200, not 501)', async () => {
    const topic = unique('redis-admin');
    const group = unique('billing');
    await post(`${server.url}/v1/topics/${topic}/events`, [
      { data: 1, key: 'a' },
      { data: 2, key: 'a' },
    ]);
    let received = 0;
    const subscription = await transport.subscribe(topic, { group, from: 'earliest' }, () => {
      received += 1;
    });
    await eventually(() => (received === 2 ? true : undefined));

    const topics = await fetch(`${server.url}/v1/topics`);
    expect(topics.status).toBe(200);
    const listed = (await json<{ topics: { name: string; partitions: number; messages: number }[] }>(topics))
      .topics;
    expect(listed.find((candidate) => candidate.name === topic)).toMatchObject({
      partitions: 2,
      messages: 2,
    });

    const settled = await eventually(async () => {
      const response = await fetch(`${server.url}/v1/groups?topic=${topic}`);
      expect(response.status).toBe(200);
      const { groups } = await json<{ groups: GroupView[] }>(response);
      const found = groups.find((candidate) => candidate.group === group);
      return found?.lag === 0 ? found : undefined;
    });
    expect(settled).toMatchObject({ topic, group, lag: 0 });
    await subscription.close();

    const one = await fetch(`${server.url}/v1/topics/${topic}/groups/${group}`);
    expect(one.status).toBe(200);
    expect((await json<{ group: GroupView }>(one)).group.partitions).toHaveLength(2);

    const { topic: detail } = await json<{
      topic: { partitionInfo: { partition: number; messages: number }[] };
    }>(await fetch(`${server.url}/v1/topics/${topic}`));
    const partition = detail.partitionInfo.find((info) => info.messages === 2)!.partition;
    const browsed = await fetch(`${server.url}/v1/topics/${topic}/messages?partition=${partition}`);
    expect(browsed.status).toBe(200);
    const { messages } = await json<{ messages: { event: { data: number } }[] }>(browsed);
    expect(messages.map((message) => message.event.data)).toEqual([1, 2]);

    const reset = await post(`${server.url}/v1/topics/${topic}/groups/${group}/reset`, { to: 'earliest' });
    expect(reset.status).toBe(200);
    expect((await json<{ group: GroupView }>(reset)).group.lag).toBe(2);
  });

  it('answers 501 for per-topic retention, which Redis sets per transport', async () => {
    const response = await post(`${server.url}/v1/topics`, { name: unique('kept'), retentionMs: 60_000 });
    expect(response.status).toBe(501);
    expect(await json(response)).toMatchObject({ error: { code: 'EDDY_NOT_SUPPORTED' } });
  });
});
