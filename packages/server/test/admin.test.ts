import { createBus, NonRetryableError } from '@eddy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

interface TopicView {
  name: string;
  partitions: number;
  messages: number;
  retentionMs?: number;
}

interface GroupView {
  topic: string;
  group: string;
  lag: number;
}

interface Delivery {
  ackId: string;
  event: Record<string, unknown>;
}

async function pull(topic: string, group: string, query: string): Promise<Delivery[]> {
  const response = await fetch(`${server.url}/v1/topics/${topic}/groups/${group}/messages?${query}`);
  return (await json<{ messages: Delivery[] }>(response)).messages;
}

describe('admin: topics and groups', () => {
  it('creates a topic with partitions and retention, lists it with stats, and browses its messages', async () => {
    const name = unique('admin-topic');
    const created = await post(`${server.url}/v1/topics`, { name, partitions: 3, retentionMs: 3_600_000 });
    expect(created.status).toBe(201);
    expect((await json<{ topic: TopicView }>(created)).topic).toMatchObject({
      name,
      partitions: 3,
      messages: 0,
      retentionMs: 3_600_000,
    });
    await post(`${server.url}/v1/topics/${name}/events`, [
      { data: 1, key: 'a' },
      { data: 2, key: 'a' },
    ]);
    const { topics } = await json<{ topics: TopicView[] }>(await fetch(`${server.url}/v1/topics`));
    expect(topics.find((t) => t.name === name)).toMatchObject({ partitions: 3, messages: 2 });

    const one = await json<{ topic: { partitionInfo: { partition: number; messages: number }[] } }>(
      await fetch(`${server.url}/v1/topics/${name}`),
    );
    const partition = one.topic.partitionInfo.find((p) => p.messages === 2)!.partition;
    const browsed = await json<{ messages: { offset: string; event: { data: number } }[] }>(
      await fetch(`${server.url}/v1/topics/${name}/messages?partition=${partition}&limit=10`),
    );
    expect(browsed.messages.map((m) => m.event.data)).toEqual([1, 2]);

    const changePartitions = await post(`${server.url}/v1/topics`, { name, partitions: 5 });
    expect(changePartitions.status).toBe(501);
    const missing = await fetch(`${server.url}/v1/topics/${unique('none')}`);
    expect(missing.status).toBe(404);
  });

  it('reports group lag and resets a group to replay from earliest', async () => {
    const topic = unique('lag');
    await post(
      `${server.url}/v1/topics/${topic}/events`,
      Array.from({ length: 10 }, (_, i) => ({ data: i })),
    );
    const first = await eventually(async () => {
      const got = await pull(topic, 'billing', 'from=earliest&max=100&wait=1');
      return got.length > 0 ? got : undefined;
    });
    await post(`${server.url}/v1/topics/${topic}/groups/billing/ack`, { ackIds: first.map((m) => m.ackId) });
    const lagAfter = await eventually(async () => {
      const { group } = await json<{ group: GroupView }>(
        await fetch(`${server.url}/v1/topics/${topic}/groups/billing`),
      );
      return group.lag === 10 - first.length ? group : undefined;
    });
    expect(lagAfter.topic).toBe(topic);
    const { groups } = await json<{ groups: GroupView[] }>(
      await fetch(`${server.url}/v1/groups?topic=${topic}`),
    );
    expect(groups.map((g) => g.group)).toEqual(['billing']);

    const reset = await post(`${server.url}/v1/topics/${topic}/groups/billing/reset`, { to: 'earliest' });
    expect(reset.status).toBe(200);
    expect((await json<{ group: GroupView }>(reset)).group.lag).toBe(10);
    const badReset = await post(`${server.url}/v1/topics/${topic}/groups/billing/reset`, { to: 'yesterday' });
    expect(badReset.status).toBe(400);
  });
});

describe('admin: dead-letter queue', () => {
  it('lists, inspects, redrives and purges dead letters', async () => {
    const topic = unique('payments');
    const { transport } = server.handle.server;
    let failing = true;
    const handled: number[] = [];
    const bus = createBus<{ 'payment.requested': { n: number } }>({
      transport,
      group: 'pay',
      topicFor: () => topic,
      closeTransport: false,
    });
    bus.on(
      'payment.requested',
      (event) => {
        if (failing) throw new NonRetryableError(`card declined for ${event.data.n}`);
        handled.push(event.data.n);
      },
      { name: 'charge' },
    );
    await bus.start();
    try {
      for (let n = 1; n <= 3; n++) await bus.publish('payment.requested', { n });
      const dlq = `${topic}.dlq`;
      const entries = await eventually(async () => {
        const body = await json<{
          entries: {
            id: string;
            event: { data: { n: number } };
            error: { message: string; code: string | null };
            original: { topic: string };
          }[];
        }>(await fetch(`${server.url}/v1/dlq/${dlq}/entries`));
        return body.entries.length === 3 ? body.entries : undefined;
      });
      expect(entries[0]!.original.topic).toBe(topic);
      expect(entries.map((e) => e.error.message).sort()).toEqual([
        'card declined for 1',
        'card declined for 2',
        'card declined for 3',
      ]);
      expect(entries.map((e) => e.error.code)).toEqual([
        'EDDY_NON_RETRYABLE',
        'EDDY_NON_RETRYABLE',
        'EDDY_NON_RETRYABLE',
      ]);
      const byCode = async (code: string): Promise<number> =>
        (await json<{ matched: number }>(await fetch(`${server.url}/v1/dlq/${dlq}/entries?code=${code}`)))
          .matched;
      expect(await byCode('EDDY_NON_RETRYABLE')).toBe(3);
      expect(await byCode('EDDY_SCHEMA_VIOLATION')).toBe(0);
      const { queues } = await json<{ queues: { topic: string }[] }>(await fetch(`${server.url}/v1/dlq`));
      expect(queues.map((q) => q.topic)).toContain(dlq);

      const one = entries.find((e) => e.event.data.n === 2)!;
      const inspected = await json<{ entry: { id: string } }>(
        await fetch(`${server.url}/v1/dlq/${dlq}/entries/${one.id}`),
      );
      expect(inspected.entry.id).toBe(one.id);
      expect((await fetch(`${server.url}/v1/dlq/${dlq}/entries/9:999`)).status).toBe(404);

      failing = false;
      const redriven = await json(await post(`${server.url}/v1/dlq/${dlq}/redrive`, { ids: [one.id] }));
      expect(redriven).toEqual({ redriven: 1 });
      await eventually(() => (handled.includes(2) ? true : undefined));
      const purged = await json(await post(`${server.url}/v1/dlq/${dlq}/purge`, {}));
      expect(purged).toEqual({ purged: 2 });
      const after = await json<{ entries: unknown[] }>(await fetch(`${server.url}/v1/dlq/${dlq}/entries`));
      expect(after.entries).toEqual([]);
      expect(handled).toEqual([2]);
    } finally {
      await bus.stop();
    }
  });
});
