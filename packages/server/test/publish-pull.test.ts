import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

interface Delivery {
  ackId: string;
  deliveryCount: number;
  topic: string;
  event: Record<string, unknown>;
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ consume: { ackTimeoutMs: 1_000 } });
});
afterAll(async () => {
  await server.close();
});

async function pull(topic: string, group: string, query: string): Promise<Delivery[]> {
  const response = await fetch(`${server.url}/v1/topics/${topic}/groups/${group}/messages?${query}`);
  expect(response.status).toBe(200);
  return (await json<{ messages: Delivery[] }>(response)).messages;
}

describe('health', () => {
  it('answers liveness and readiness', async () => {
    expect(await json(await fetch(`${server.url}/health`))).toEqual({ status: 'ok' });
    expect(await json(await fetch(`${server.url}/ready`))).toEqual({ status: 'ready', transport: 'sqlite' });
  });
});

describe('publish to a topic and pull', () => {
  it('publishes one envelope and returns its position', async () => {
    const topic = unique('orders');
    const response = await post(`${server.url}/v1/topics/${topic}/events`, {
      type: 'order.placed',
      data: { id: 1 },
      key: 'o-1',
    });
    expect(response.status).toBe(200);
    const body = await json<{
      positions: { id: string; topic: string; partition: number; offset: string }[];
    }>(response);
    expect(body.positions).toHaveLength(1);
    expect(body.positions[0]!.topic).toBe(topic);
    expect(body.positions[0]!.partition).toBeGreaterThanOrEqual(0);
    expect(body.positions[0]!.offset).toMatch(/^\d+$/);
    const messages = await pull(topic, 'g1', 'from=earliest&max=10&wait=5');
    expect(messages).toHaveLength(1);
    expect(messages[0]!.event).toMatchObject({
      specversion: '1.0',
      type: 'order.placed',
      data: { id: 1 },
      partitionkey: 'o-1',
      id: body.positions[0]!.id,
    });
    expect(messages[0]!.deliveryCount).toBe(1);
  });

  it('publishes a batch, pulls it all and acks it so a later pull is empty', async () => {
    const topic = unique('batch');
    const events = Array.from({ length: 50 }, (_, i) => ({ data: { i }, key: `k${i % 5}` }));
    const body = await json<{ positions: { id: string }[] }>(
      await post(`${server.url}/v1/topics/${topic}/events`, events),
    );
    expect(body.positions).toHaveLength(50);
    // Same key, same order: the next event of a key is delivered once the previous one is acked,
    // so the client acks as it goes.
    const received: Delivery[] = [];
    await eventually(async () => {
      const batch = await pull(topic, 'g', 'from=earliest&max=100&wait=1');
      received.push(...batch);
      if (batch.length > 0) {
        const ack = await json<{ settled: number; unknown: string[] }>(
          await post(`${server.url}/v1/topics/${topic}/groups/g/ack`, { ackIds: batch.map((m) => m.ackId) }),
        );
        expect(ack).toEqual({ settled: batch.length, unknown: [] });
      }
      return received.length >= 50 ? true : undefined;
    });
    const values = received.map((m) => (m.event['data'] as { i: number }).i);
    expect(new Set(values).size).toBe(50);
    // Per key, events arrive in publish order.
    for (let key = 0; key < 5; key++) {
      const ofKey = values.filter((i) => i % 5 === key);
      expect(ofKey).toEqual([...ofKey].sort((a, b) => a - b));
    }
    // Type defaults to the topic name.
    expect(received[0]!.event['type']).toBe(topic);
    expect(await pull(topic, 'g', 'max=10&wait=0.2')).toEqual([]);
  });

  it('redelivers a nacked message and one whose ack timed out', async () => {
    const topic = unique('redeliver');
    await post(`${server.url}/v1/topics/${topic}/events`, { data: 'x' });
    const [first] = await pull(topic, 'g', 'from=earliest&max=1&wait=5');
    const nack = await json(
      await post(`${server.url}/v1/topics/${topic}/groups/g/nack`, { ackIds: [first!.ackId], delayMs: 0 }),
    );
    expect(nack).toEqual({ settled: 1, unknown: [] });
    const [second] = await pull(topic, 'g', 'max=1&wait=5');
    expect(second!.event['id']).toBe(first!.event['id']);
    expect(second!.deliveryCount).toBe(2);
    // Not acked: after the 1 s ack timeout it comes back.
    const [third] = await pull(topic, 'g', 'max=1&wait=10');
    expect(third!.event['id']).toBe(first!.event['id']);
    expect(third!.deliveryCount).toBe(3);
    // The expired ack id is unknown now.
    const late = await json(
      await post(`${server.url}/v1/topics/${topic}/groups/g/ack`, { ackIds: [second!.ackId, third!.ackId] }),
    );
    expect(late).toEqual({ settled: 1, unknown: [second!.ackId] });
  });

  it('long-polls until an event is published', async () => {
    const topic = unique('longpoll');
    // Create the group first so it starts before the publish.
    expect(await pull(topic, 'g', 'from=earliest&max=1&wait=0')).toEqual([]);
    const waiting = pull(topic, 'g', 'max=5&wait=20');
    const started = Date.now();
    await post(`${server.url}/v1/topics/${topic}/events`, { data: { late: true } });
    const messages = await waiting;
    expect(messages).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('rejects bad input with precise 400s', async () => {
    const topic = unique('bad');
    const badEnvelope = await post(`${server.url}/v1/topics/${topic}/events`, [
      { data: 1 },
      { data: 2, typo: true },
      { source: 'not a uri' },
    ]);
    expect(badEnvelope.status).toBe(400);
    const problem = await json<{ error: { code: string; message: string } }>(badEnvelope);
    expect(problem.error.code).toBe('EDDY_INVALID_CLOUDEVENT');
    expect(problem.error.message).toContain('event [1] has unknown member "typo"');
    expect(problem.error.message).toContain('event [2]: "source" must be a URI-reference');

    const badTopic = await post(`${server.url}/v1/topics/..bad/events`, { data: 1 });
    expect(badTopic.status).toBe(400);
    expect((await json<{ error: { code: string } }>(badTopic)).error.code).toBe('EDDY_INVALID_TOPIC');

    const notJson = await fetch(`${server.url}/v1/topics/${topic}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(notJson.status).toBe(400);
    expect((await json<{ error: { code: string } }>(notJson)).error.code).toBe('EDDY_DECODE_FAILED');

    const badMax = await fetch(`${server.url}/v1/topics/${topic}/groups/g/messages?max=0`);
    expect(badMax.status).toBe(400);
    const unknownRoute = await fetch(`${server.url}/v1/nothing`);
    expect(unknownRoute.status).toBe(404);
    expect((await json<{ error: { code: string } }>(unknownRoute)).error.code).toBe('EDDY_NOT_FOUND');
  });

  it('answers 413 for a body over the limit', async () => {
    const big = 'x'.repeat(1024 * 1024 + 10);
    const response = await post(`${server.url}/v1/topics/${unique('big')}/events`, { data: big });
    expect(response.status).toBe(413);
    expect((await json<{ error: { code: string } }>(response)).error.code).toBe('EDDY_REQUEST_TOO_LARGE');
  });
});
