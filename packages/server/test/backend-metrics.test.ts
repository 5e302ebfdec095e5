import { createBus, NonRetryableError } from '@eddy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, post, startTestServer, unique, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const metrics = async () => (await fetch(`${server.url}/metrics`)).text();

describe('GET /metrics: backend state read on scrape', () => {
  it('exposes consumer lag, members, DLQ depth (live entries only) and topic size', async () => {
    const topic = unique('alerting');
    const group = unique('reporting');
    expect(
      (await post(`${server.url}/v1/topics/${topic}/events`, [{ data: 1 }, { data: 2 }, { data: 3 }])).status,
    ).toBe(200);
    // A group nobody consumes for: its lag is the whole topic.
    const created = await post(`${server.url}/v1/topics/${topic}/groups/${group}/reset`, {
      to: 'earliest',
      create: true,
    });
    expect(created.status).toBe(200);

    const failing = unique('failing');
    const bus = createBus<{ 'job.run': { n: number } }>({
      transport: server.handle.server.transport,
      closeTransport: false,
      retry: { maxAttempts: 1 },
    });
    // Fails the first delivery of each event only, so a redriven one goes through.
    const failed = new Set<string>();
    bus.on(
      'job.run',
      (event) => {
        if (failed.has(event.id)) return;
        failed.add(event.id);
        throw new NonRetryableError(`job ${event.data.n} refused`);
      },
      { topic: failing, name: 'worker', from: 'earliest' },
    );
    await bus.start();
    try {
      await post(`${server.url}/v1/topics/${failing}/events`, [
        { type: 'job.run', data: { n: 1 } },
        { type: 'job.run', data: { n: 2 } },
      ]);
      const text = await eventually(async () => {
        const current = await metrics();
        return current.includes(`eddy_gateway_dlq_depth{topic="${failing}.dlq"} 2`) ? current : undefined;
      }, 20_000);
      expect(text).toContain(`eddy_gateway_consumer_lag{topic="${topic}",group="${group}"} 3`);
      expect(text).toContain(`eddy_gateway_consumer_members{topic="${topic}",group="${group}"} 0`);
      expect(text).toContain(`eddy_gateway_topic_messages{topic="${topic}"} 3`);
      expect(text).toMatch(new RegExp(`eddy_gateway_topic_bytes\\{topic="${topic}"\\} [1-9]\\d*`));
      expect(text).toContain('# TYPE eddy_gateway_consumer_lag gauge');

      // A redriven entry leaves the depth (it stays stored in the topic, which the depth must not count).
      const redrive = await post(`${server.url}/v1/dlq/${failing}.dlq/redrive`, {
        filter: { error: 'JOB 1 REFUSED' },
      });
      expect(await redrive.json()).toEqual({ redriven: 1 });
      const after = await eventually(async () => {
        const current = await metrics();
        return current.includes(`eddy_gateway_dlq_depth{topic="${failing}.dlq"} 1`) ? current : undefined;
      }, 20_000);
      expect(after).not.toContain(`topic="${failing}.dlq.resolved"`);
    } finally {
      await bus.stop();
    }
  });
});
