import { CloudEvent as SdkCloudEvent, emitterFor, HTTP, httpTransport, Mode } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestServer, unique, type TestServer } from './helpers.js';

interface Delivery {
  ackId: string;
  event: Record<string, unknown>;
}

interface Problem {
  error: { code: string; message: string };
}

let server: TestServer;
const routedType = unique('com.example.routed');
const routedTopic = unique('routed');

beforeAll(async () => {
  server = await startTestServer({ routes: [{ type: `${routedType}.*`, topic: routedTopic }] });
});
afterAll(async () => {
  await server.close();
});

async function pullAll(topic: string, count: number): Promise<Delivery[]> {
  const got: Delivery[] = [];
  const deadline = Date.now() + 10_000;
  while (got.length < count && Date.now() < deadline) {
    const response = await fetch(
      `${server.url}/v1/topics/${topic}/groups/reader/messages?from=earliest&max=100&wait=2`,
    );
    const { messages } = await json<{ messages: Delivery[] }>(response);
    got.push(...messages);
    if (messages.length > 0) {
      await fetch(`${server.url}/v1/topics/${topic}/groups/reader/ack`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ackIds: messages.map((m) => m.ackId) }),
      });
    }
  }
  return got;
}

describe('CloudEvents HTTP binding with the official SDK', () => {
  it.each([
    ['binary', Mode.BINARY],
    ['structured', Mode.STRUCTURED],
  ])(
    'publishes with the SDK emitter in %s mode, routed by type, and reads back events the SDK parses',
    async (_name, mode) => {
      const type = unique('com.example.order.placed');
      const emit = emitterFor(httpTransport(`${server.url}/v1/events`), { mode });
      const sent = new SdkCloudEvent({
        type,
        source: '/shop/orders',
        subject: 'Zürich',
        data: { orderId: 'o-1', total: 12.5 },
        correlationid: 'corr-1',
      });
      await emit(sent);

      const [delivery] = await pullAll(type, 1);
      expect(delivery).toBeDefined();
      // The delivered event, in structured JSON form, parses with the SDK as the same event.
      const parsed = HTTP.toEvent({
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify(delivery!.event),
      }) as SdkCloudEvent;
      expect(parsed.id).toBe(sent.id);
      expect(parsed.type).toBe(type);
      expect(parsed.source).toBe('/shop/orders');
      expect(parsed.subject).toBe('Zürich');
      expect(parsed.data).toEqual({ orderId: 'o-1', total: 12.5 });
      expect(parsed['correlationid']).toBe('corr-1');
    },
  );

  it('publishes a batch routed per type: configured routes first, else the topic named by the type', async () => {
    const plainType = unique('com.example.plain');
    const body = JSON.stringify([
      { specversion: '1.0', id: 'a', source: '/s', type: `${routedType}.one`, data: { n: 1 } },
      { specversion: '1.0', id: 'b', source: '/s', type: plainType, data: { n: 2 } },
      {
        specversion: '1.0',
        id: 'c',
        source: '/s',
        type: `${routedType}.two`,
        data_base64: Buffer.from([1, 2, 3]).toString('base64'),
        datacontenttype: 'application/octet-stream',
      },
    ]);
    const response = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body,
    });
    expect(response.status).toBe(200);
    const { positions } = await json<{ positions: { id: string; topic: string }[] }>(response);
    expect(positions.map((p) => [p.id, p.topic])).toEqual([
      ['a', routedTopic],
      ['b', plainType],
      ['c', routedTopic],
    ]);
    const routed = await pullAll(routedTopic, 2);
    expect(routed.map((d) => d.event['id']).sort()).toEqual(['a', 'c']);
    const binary = routed.find((d) => d.event['id'] === 'c')!;
    expect(binary.event['data_base64']).toBe(Buffer.from([1, 2, 3]).toString('base64'));
  });

  it('publishes CloudEvents in binary mode to an explicit topic', async () => {
    const topic = unique('explicit');
    const response = await fetch(`${server.url}/v1/topics/${topic}/events`, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'bin-1',
        'ce-source': '/devices/7',
        'ce-type': 'reading.taken',
        'content-type': 'text/plain',
      },
      body: 'hello',
    });
    expect(response.status).toBe(200);
    const [delivery] = await pullAll(topic, 1);
    expect(delivery!.event).toMatchObject({
      id: 'bin-1',
      type: 'reading.taken',
      datacontenttype: 'text/plain',
    });
    expect(Buffer.from(delivery!.event['data_base64'] as string, 'base64').toString()).toBe('hello');
  });

  it('rejects malformed CloudEvents with 400 and a precise message', async () => {
    const missing = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-source': '/s', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(missing.status).toBe(400);
    const problem = await json<Problem>(missing);
    expect(problem.error.code).toBe('EDDY_INVALID_CLOUDEVENT');
    expect(problem.error.message).toContain('header "ce-id" is missing');
    expect(problem.error.message).toContain('header "ce-type" is missing');

    const badStructured = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ specversion: '0.3', id: 'x', source: '/s', type: 't', time: 'yesterday' }),
    });
    expect(badStructured.status).toBe(400);
    const structuredProblem = await json<Problem>(badStructured);
    expect(structuredProblem.error.message).toContain('"specversion" must be "1.0"');
    expect(structuredProblem.error.message).toContain('"time" must be an RFC 3339 timestamp');

    const badBatch = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify([
        { specversion: '1.0', id: 'ok', source: '/s', type: 't' },
        { specversion: '1.0', source: '/s', type: 't' },
      ]),
    });
    expect(badBatch.status).toBe(400);
    expect((await json<Problem>(badBatch)).error.message).toContain('event [1]: "id" is required');

    const notJson = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: '{"id":',
    });
    expect(notJson.status).toBe(400);
    expect((await json<Problem>(notJson)).error.code).toBe('EDDY_DECODE_FAILED');

    const plain = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":"x"}',
    });
    expect(plain.status).toBe(415);
    expect((await json<Problem>(plain)).error.code).toBe('EDDY_UNSUPPORTED_MEDIA_TYPE');
  });
});
