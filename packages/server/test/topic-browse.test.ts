import { randomBytes } from 'node:crypto';
import { createRedisTransport, type RedisTransport } from '@eddy/redis';
import type { MessageListResponse, TopicSearchResponse } from '@eddy/server/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys } from '../../redis/test/helpers.js';
import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

const REDIS_URL = process.env.EDDY_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `eddy-test-topic-browse-${randomBytes(4).toString('hex')}:`;

let sqlite: TestServer;
let redisTransport: RedisTransport;
let redis: TestServer;

beforeAll(async () => {
  sqlite = await startTestServer();
  redisTransport = await createRedisTransport({ url: REDIS_URL, prefix, partitions: 2 });
  redis = await startTestServer({ transport: redisTransport });
});
afterAll(async () => {
  await sqlite?.close();
  await redis?.close();
  await redisTransport?.close();
  await deleteKeys(prefix, REDIS_URL);
});

/** Publishes `count` events of batch `batch` to partition-less keys, one request. */
async function publishBatch(server: TestServer, topic: string, batch: string, count: number): Promise<void> {
  const response = await post(
    `${server.url}/v1/topics/${topic}/events`,
    Array.from({ length: count }, (_, n) => ({
      type: 'browse.item',
      key: 'same',
      data: { batch, n, note: n === 7 ? `needle-${batch}` : 'hay' },
    })),
  );
  expect(response.status).toBe(200);
}

/** Waits until the clock has moved past `time`, so the next batch is published strictly later. */
async function clockPast(time: number): Promise<void> {
  await eventually(() => (Date.now() > time + 1 ? true : undefined));
}

const messagesOf = async (server: TestServer, topic: string, query: string) =>
  json<MessageListResponse>(await fetch(`${server.url}/v1/topics/${topic}/messages?${query}`));

for (const backend of ['sqlite', 'redis'] as const) {
  const server = () => (backend === 'sqlite' ? sqlite : redis);

  describe(`topic browse and search over ${backend}`, () => {
    it('starts at the first message published at or after a time', async () => {
      const topic = unique(`browse-time-${backend}`);
      // One key: every event in the same partition, in publish order.
      await publishBatch(server(), topic, 'a', 40);
      const detail = await json<{ topic: { partitionInfo: { partition: number; messages: number }[] } }>(
        await fetch(`${server().url}/v1/topics/${topic}`),
      );
      const partition = detail.topic.partitionInfo.find((p) => p.messages > 0)!.partition;
      const batchA = (await messagesOf(server(), topic, `partition=${partition}&limit=1000`)).messages;
      expect(batchA).toHaveLength(40);
      const endOfA = Date.parse(batchA.at(-1)!.publishedAt);
      await clockPast(endOfA);
      const between = Date.now();
      await publishBatch(server(), topic, 'b', 25);

      const fromTime = (await messagesOf(server(), topic, `partition=${partition}&time=${between}&limit=5`))
        .messages;
      expect(fromTime.map((m) => (m.event?.data as { batch: string; n: number }).n)).toEqual([0, 1, 2, 3, 4]);
      expect((fromTime[0]?.event?.data as { batch: string }).batch).toBe('b');

      // RFC 3339 works too; a time before everything starts at the oldest; after everything, nothing.
      const iso = new Date(between).toISOString();
      const viaIso = (await messagesOf(server(), topic, `partition=${partition}&time=${iso}&limit=1`))
        .messages;
      expect(viaIso[0]?.offset).toBe(fromTime[0]?.offset);
      const early = (await messagesOf(server(), topic, `partition=${partition}&time=0&limit=1`)).messages;
      expect(early[0]?.offset).toBe(batchA[0]?.offset);
      const late = await messagesOf(server(), topic, `partition=${partition}&time=${Date.now() + 60_000}`);
      expect(late.messages).toEqual([]);

      const bad = await fetch(
        `${server().url}/v1/topics/${topic}/messages?partition=${partition}&time=yesterday`,
      );
      expect(bad.status).toBe(400);
      expect((await json<{ error: { code: string } }>(bad)).error.code).toBe('EDDY_INVALID_OPTION');
      const both = await fetch(
        `${server().url}/v1/topics/${topic}/messages?partition=${partition}&time=0&from=${batchA[0]!.offset}`,
      );
      expect((await json<{ error: { code: string } }>(both)).error.code).toBe('EDDY_INVALID_OPTION');
    });

    it('finds messages by key and by text in the payload, within a stated scan bound', async () => {
      const topic = unique(`browse-search-${backend}`);
      await publishBatch(server(), topic, 'x', 30);
      const other = await post(`${server().url}/v1/topics/${topic}/events`, [
        { type: 'browse.other', key: 'k-1', data: { text: 'hello' } },
        { type: 'browse.other', key: 'k-2', data: { text: 'needle-x too' } },
      ]);
      expect(other.status).toBe(200);

      const search = async (query: string) =>
        json<TopicSearchResponse>(await fetch(`${server().url}/v1/topics/${topic}/search?${query}`));

      const byKey = await search('key=k-1');
      expect(byKey.messages.map((m) => m.key)).toEqual(['k-1']);
      expect(byKey).toMatchObject({ scanned: 32, scanLimit: 10_000, complete: true });

      const byText = await search('q=needle-x');
      expect(byText.messages.map((m) => m.key).sort()).toEqual(['k-2', 'same']);
      expect(byText.scanned).toBe(32);

      // Both filters at once; a bound smaller than the topic stops early and says so.
      expect((await search('q=needle-x&key=same')).messages).toHaveLength(1);
      const bounded = await search('q=hay&scan=10');
      expect(bounded.scanned).toBe(10);
      expect(bounded.complete).toBe(false);
      expect(bounded.messages.length).toBeLessThanOrEqual(10);
      const limited = await search('q=hay&limit=3');
      expect(limited.messages).toHaveLength(3);
      expect(limited.complete).toBe(false);

      const tooMuch = await fetch(`${server().url}/v1/topics/${topic}/search?q=a&scan=100001`);
      expect(tooMuch.status).toBe(400);
      expect((await json<{ error: { code: string } }>(tooMuch)).error.code).toBe('EDDY_INVALID_OPTION');
      const fromWithoutPartition = await fetch(`${server().url}/v1/topics/${topic}/search?q=a&from=0`);
      expect((await json<{ error: { code: string } }>(fromWithoutPartition)).error.code).toBe(
        'EDDY_INVALID_OPTION',
      );
      const missing = await fetch(`${server().url}/v1/topics/${unique('nope')}/search?q=a`);
      expect(missing.status).toBe(404);
    });
  });
}
