import { adminOf, createBus, NonRetryableError } from '@eddy/core';
import type { StatsHistoryResponse } from '@eddy/server/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  // Sampled fast so the test sees several samples within a second or two.
  server = await startTestServer({ statsHistory: { intervalMs: 100, retentionMs: 60_000 } });
});
afterAll(async () => {
  await server.close();
});

const history = async (query = '') =>
  json<StatsHistoryResponse>(await fetch(`${server.url}/v1/stats/history${query}`));

describe('GET /v1/stats/history', () => {
  it('serves sampled publish rate, group lag and dead-letter depth, aligned with the sample times', async () => {
    const topic = unique('history');
    const transport = server.handle.server.transport;
    // A group that is behind by three, and a handler that dead-letters one event.
    expect((await post(`${server.url}/v1/topics`, { name: topic, partitions: 1 })).status).toBe(201);
    const reset = await post(`${server.url}/v1/topics/${topic}/groups/idle/reset`, {
      to: 'earliest',
      create: true,
    });
    expect(reset.status).toBe(200);
    const bus = createBus<{ 'history.job': { n: number } }>({
      transport,
      group: 'work',
      topicFor: () => topic,
      closeTransport: false,
      retry: { maxAttempts: 1 },
    });
    const refused = new Set<string>();
    bus.on(
      'history.job',
      (event) => {
        // Refused once: the redriven copy goes through.
        if (event.data.n === 2 && !refused.has(event.id)) {
          refused.add(event.id);
          throw new NonRetryableError('job 2 refused');
        }
      },
      { name: 'runner', from: 'earliest' },
    );
    await bus.start();
    try {
      // A rate needs a sample from before the publish: wait until one saw the empty topic.
      await eventually(async () =>
        (await history()).topics.some((t) => t.topic === topic) ? true : undefined,
      );
      const published = await post(`${server.url}/v1/topics/${topic}/events`, [
        { type: 'history.job', data: { n: 1 } },
        { type: 'history.job', data: { n: 2 } },
        { type: 'history.job', data: { n: 3 } },
      ]);
      expect(published.status).toBe(200);

      const seen = await eventually(async () => {
        const answer = await history();
        const rates = answer.topics.find((t) => t.topic === topic)?.publishRate ?? [];
        const lag = answer.groups.find((g) => g.topic === topic && g.group === 'idle')?.lag ?? [];
        const depth = answer.deadLetters.find((d) => d.topic === `${topic}.dlq`)?.depth ?? [];
        return rates.some((rate) => (rate ?? 0) > 0) && lag.at(-1) === 3 && depth.at(-1) === 1
          ? answer
          : undefined;
        // A loaded machine stretches the 100 ms samples (each reads every topic and group).
      }, 30_000);
      expect(seen).toMatchObject({ intervalMs: 100, retentionMs: 60_000 });
      for (const series of [...seen.topics.map((t) => t.publishRate), ...seen.groups.map((g) => g.lag)]) {
        expect(series).toHaveLength(seen.times.length);
      }
      // Times only grow, a sample interval apart or more.
      expect(seen.times.every((time, index) => index === 0 || time > (seen.times[index - 1] ?? 0))).toBe(
        true,
      );

      const since = seen.times.at(-2) ?? 0;
      const recent = await history(`?since=${since}`);
      expect(recent.times.every((time) => time >= since)).toBe(true);
      expect(recent.times.length).toBeLessThan(seen.times.length + 20);
      const iso = await history(`?since=${new Date(since).toISOString()}`);
      expect(iso.times[0]).toBe(recent.times[0]);

      // Redriven, the entry leaves the queue: the depth drops to 0 (settled records are read too).
      const redriven = await post(`${server.url}/v1/dlq/${topic}.dlq/redrive`, {});
      expect((await json<{ redriven: number }>(redriven)).redriven).toBe(1);
      await eventually(async () => {
        const depth = (await history()).deadLetters.find((d) => d.topic === `${topic}.dlq`)?.depth ?? [];
        return depth.at(-1) === 0 ? true : undefined;
      });
      // Sampling reads with the browse route: no throwaway consumer group of its own is left on the topic
      // (the redrive above read the queue through the dead-letter admin, whose groups read `.dlq` topics).
      const raw = await adminOf(transport)!.listGroups(`${topic}.dlq`);
      expect(raw.length).toBeLessThanOrEqual(1);
    } finally {
      await bus.stop();
    }
  });

  it('answers 400 EDDY_INVALID_OPTION for a since that is not a time', async () => {
    const response = await fetch(`${server.url}/v1/stats/history?since=last-tuesday`);
    expect(response.status).toBe(400);
    expect((await json<{ error: { code: string } }>(response)).error.code).toBe('EDDY_INVALID_OPTION');
  });

  it('is empty, with intervalMs 0, when sampling is off', async () => {
    const off = await startTestServer({ statsHistory: { intervalMs: 0 } });
    try {
      const answer = await json<StatsHistoryResponse>(await fetch(`${off.url}/v1/stats/history`));
      expect(answer).toMatchObject({ intervalMs: 0, times: [], topics: [], groups: [] });
    } finally {
      await off.close();
    }
  });
});
