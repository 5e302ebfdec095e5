import { createPostgresTransport, type PostgresTransport } from '@eddy/postgres';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

const POSTGRES_URL = process.env['EDDY_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

interface TopicView {
  name: string;
  partitions: number;
  messages: number;
}

interface GroupView {
  topic: string;
  group: string;
  lag: number;
  partitions: { partition: number; position: string; lag: number }[];
}

let transport: PostgresTransport;
let server: TestServer;

beforeAll(async () => {
  transport = await createPostgresTransport({
    connectionString: POSTGRES_URL,
    // A schema of its own, so the topic list holds only this file's topics.
    schema: `eddy_gw_${randomBytes(5).toString('hex')}`,
    pollIntervalMs: 200,
  });
  server = await startTestServer({ transport });
});

afterAll(async () => {
  await server?.close();
  await transport?.pool.query(`DROP SCHEMA IF EXISTS "${transport.schema}" CASCADE`);
  await transport?.close();
});

describe('admin routes over the PostgreSQL transport', () => {
  it('lists topics and groups with lag, and resets a group, instead of answering 501', async () => {
    const topic = unique('pg-admin');
    const group = unique('billing');
    await post(`${server.url}/v1/topics/${topic}/events`, [
      { data: 1, key: 'a' },
      { data: 2, key: 'a' },
      { data: 3, key: 'a' },
    ]);
    const subscription = await transport.subscribe(topic, { group, from: 'earliest' }, () => undefined);

    const topics = await fetch(`${server.url}/v1/topics`);
    expect(topics.status).toBe(200);
    expect((await json<{ topics: TopicView[] }>(topics)).topics).toContainEqual(
      expect.objectContaining({ name: topic, partitions: 4, messages: 3 }),
    );

    const settled = await eventually(async () => {
      const response = await fetch(`${server.url}/v1/topics/${topic}/groups`);
      expect(response.status).toBe(200);
      const found = (await json<{ groups: GroupView[] }>(response)).groups.find((g) => g.group === group);
      return found?.lag === 0 ? found : undefined;
    });
    expect(settled.topic).toBe(topic);
    await subscription.close();

    const everyGroup = await fetch(`${server.url}/v1/groups?topic=${topic}`);
    expect(everyGroup.status).toBe(200);
    expect((await json<{ groups: GroupView[] }>(everyGroup)).groups.map((g) => g.group)).toEqual([group]);

    const reset = await post(`${server.url}/v1/topics/${topic}/groups/${group}/reset`, { to: 'earliest' });
    expect(reset.status).toBe(200);
    expect((await json<{ group: GroupView }>(reset)).group.lag).toBe(3);
  });
});
