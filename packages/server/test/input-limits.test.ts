import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '@eddy/server';
import { json, post, startTestServer, unique, type TestServer } from './helpers.js';

interface Problem {
  error: { code: string; message: string };
}

interface Delivery {
  ackId: string;
  event: Record<string, unknown>;
}

const key = generateApiKey();
let server: TestServer;
let keyed: TestServer;

beforeAll(async () => {
  server = await startTestServer({ limits: { requestTimeoutMs: 300 } });
  keyed = await startTestServer({
    apiKeys: [{ id: 'reader', keyHash: hashApiKey(key), scopes: ['consume:*', 'publish:*'] }],
  });
});
afterAll(async () => {
  await Promise.all([server.close(), keyed.close()]);
});

async function pull(topic: string, group: string, query = 'from=earliest&max=100'): Promise<Delivery[]> {
  const response = await fetch(`${server.url}/v1/topics/${topic}/groups/${group}/messages?${query}`);
  expect(response.status).toBe(200);
  return (await json<{ messages: Delivery[] }>(response)).messages;
}

describe('limits checked before work', () => {
  it('refuses a CloudEvents batch over the event limit before validating any event (413, small body)', async () => {
    // The reported shape: ~900 KB of empty objects, each of which would fail validation.
    const body = `[${Array.from({ length: 300_000 }, () => '{}').join(',')}]`;
    const started = Date.now();
    const response = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body,
    });
    const text = await response.text();
    expect(response.status).toBe(413);
    expect((JSON.parse(text) as Problem).error.code).toBe('EDDY_REQUEST_TOO_LARGE');
    expect(text.length).toBeLessThan(1_000);
    // Not a timing assertion on the gateway's speed: a bound far above a parse, far below the 11 s reported.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it.each([
    ['CloudEvents batch', '/v1/events', 'application/cloudevents-batch+json'],
    ['JSON envelopes', '/v1/topics/capped/events', 'application/json'],
  ])('lists at most 20 problems for a %s of bad events, and counts the rest', async (_name, path, type) => {
    const events = Array.from({ length: 1_000 }, () =>
      type === 'application/json' ? { id: '', source: '', extensions: { BAD: 1 } } : { id: 7 },
    );
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: JSON.stringify(events),
    });
    const text = await response.text();
    expect(response.status).toBe(400);
    const { error } = JSON.parse(text) as Problem;
    expect(error.code).toBe('EDDY_INVALID_CLOUDEVENT');
    expect(error.message).toMatch(/and \d+ more problems/);
    expect(error.message.split('; ')).toHaveLength(21);
    expect(text.length).toBeLessThan(10_000);
  });

  it('cuts a problem that quotes a huge attribute name', async () => {
    const response = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({
        specversion: '1.0',
        id: '1',
        source: '/s',
        type: 't',
        ['x'.repeat(500_000)]: 1,
      }),
    });
    expect(response.status).toBe(400);
    expect((await response.text()).length).toBeLessThan(2_000);
  });
});

describe('ack and nack ids', () => {
  it('settles a repeated ack id once and still settles the others', async () => {
    const topic = unique('dup-ack');
    await post(`${server.url}/v1/topics/${topic}/events`, [{ data: 1 }, { data: 2 }]);
    // The two events may sit in different partitions, which the new group's member can claim in
    // different turns: a pull answers with what is there, so pull until both are leased.
    const leased: Delivery[] = [];
    const deadline = Date.now() + 10_000;
    while (leased.length < 2 && Date.now() < deadline) leased.push(...(await pull(topic, 'g')));
    const [first, second] = leased;
    const response = await post(`${server.url}/v1/topics/${topic}/groups/g/ack`, {
      ackIds: [first!.ackId, first!.ackId, second!.ackId],
    });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ settled: 2, unknown: [] });
    // Both are gone: acking them again finds nothing.
    const again = await post(`${server.url}/v1/topics/${topic}/groups/g/ack`, {
      ackIds: [second!.ackId],
    });
    expect(await json(again)).toEqual({ settled: 0, unknown: [second!.ackId] });
  });

  it('counts a repeated nack id once', async () => {
    const topic = unique('dup-nack');
    await post(`${server.url}/v1/topics/${topic}/events`, { data: 1 });
    const [only] = await pull(topic, 'g');
    const response = await post(`${server.url}/v1/topics/${topic}/groups/g/nack`, {
      ackIds: [only!.ackId, only!.ackId],
    });
    expect(await json(response)).toEqual({ settled: 1, unknown: [] });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const line = metrics
      .split('\n')
      .find((l) => l.startsWith('eddy_gateway_messages_nacked_total') && l.includes(topic));
    expect(line?.split(' ')[1]).toBe('1');
  });
});

describe('names up to 200 characters', () => {
  it('publishes, pulls, acks and manages a topic and group of 200 characters', async () => {
    const topic = unique('t').padEnd(200, 'x');
    const group = unique('g').padEnd(200, 'y');
    const published = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': topic },
    });
    expect(published.status).toBe(200);
    const [delivery] = await pull(topic, group);
    expect(delivery?.event['type']).toBe(topic);
    const acked = await post(`${server.url}/v1/topics/${topic}/groups/${group}/ack`, {
      ackIds: [delivery!.ackId],
    });
    expect(await json(acked)).toEqual({ settled: 1, unknown: [] });
    expect((await fetch(`${server.url}/v1/topics/${topic}`)).status).toBe(200);
    expect((await fetch(`${server.url}/v1/topics/${topic}/groups/${group}`)).status).toBe(200);
  });

  it('answers a name over 200 characters with 400, and a huge path segment with EDDY_URI_TOO_LONG', async () => {
    const long = await post(`${server.url}/v1/topics/${'a'.repeat(201)}/events`, { data: 1 });
    expect(long.status).toBe(400);
    const { error } = await json<Problem>(long);
    expect(error.code).toBe('EDDY_INVALID_OPTION');
    expect(error.message).toContain('200 characters');
    const huge = await fetch(`${server.url}/v1/topics/${'a'.repeat(3_000)}/groups/g/messages`);
    expect(huge.status).toBe(414);
    expect((await json<Problem>(huge)).error.code).toBe('EDDY_URI_TOO_LONG');
  });
});

describe('event attributes', () => {
  it.each(['data', 'data_base64', 'datacontenttype', 'specversion', 'id'])(
    'refuses "%s" under extensions, and stores nothing',
    async (name) => {
      const topic = unique('ext');
      const response = await post(`${server.url}/v1/topics/${topic}/events`, [
        { data: 1 },
        { extensions: { [name]: 'x' } },
      ]);
      expect(response.status).toBe(400);
      const { error } = await json<Problem>(response);
      expect(error.code).toBe('EDDY_INVALID_CLOUDEVENT');
      expect(error.message).toContain(`may not set "${name}"`);
      expect(await pull(topic, 'g')).toEqual([]);
    },
  );

  it('refuses control characters in attributes, in JSON envelopes and in binary-mode headers', async () => {
    const topic = unique('ctl');
    const envelope = await post(`${server.url}/v1/topics/${topic}/events`, { subject: 'a\u0000b', data: 1 });
    expect(envelope.status).toBe(400);
    expect((await json<Problem>(envelope)).error.message).toContain('"subject" contains a control character');
    const binary = await fetch(`${server.url}/v1/topics/${topic}/events`, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': '1',
        'ce-source': '/s',
        'ce-type': 't',
        'ce-subject': 'a%0Ab',
      },
    });
    expect(binary.status).toBe(400);
    expect(await pull(topic, 'g')).toEqual([]);
  });

  it('refuses a schemaversion beyond 32 bits, which a binary-mode header would not read back', async () => {
    const topic = unique('sv');
    const response = await post(`${server.url}/v1/topics/${topic}/events`, {
      data: 1,
      extensions: { schemaversion: 1_732_610_040_340_460 },
    });
    expect(response.status).toBe(400);
    const direct = await post(`${server.url}/v1/topics/${topic}/events`, { data: 1, schemaversion: 2 ** 40 });
    expect(direct.status).toBe(400);
    expect(await pull(topic, 'g')).toEqual([]);
  });

  it('bounds deliverAt: not past limits.maxDeliverDelayMs, not beyond any date', async () => {
    const topic = unique('later');
    for (const deliverAt of [1e300, Date.now() + 8 * 24 * 3_600_000]) {
      const response = await post(`${server.url}/v1/topics/${topic}/events`, { data: 1, deliverAt });
      expect(response.status).toBe(400);
      expect((await json<Problem>(response)).error.code).toBe('EDDY_INVALID_CLOUDEVENT');
    }
    const soon = await post(`${server.url}/v1/topics/${topic}/events`, {
      data: 1,
      deliverAt: Date.now() + 60_000,
    });
    expect(soon.status).toBe(200);
  });
});

describe('query bounds', () => {
  it.each(['Infinity', '1e400', '31', '-1', 'NaN'])('refuses wait=%s', async (wait) => {
    const response = await fetch(`${server.url}/v1/topics/${unique('w')}/groups/g/messages?wait=${wait}`);
    expect(response.status).toBe(400);
    expect((await json<Problem>(response)).error.code).toBe('EDDY_INVALID_OPTION');
  });
});

describe('API keys in the query string', () => {
  it('refuses ?apiKey= on routes other than WebSocket and SSE (401), and takes it on SSE', async () => {
    const topic = unique('q');
    const pulled = await fetch(`${keyed.url}/v1/topics/${topic}/groups/g/messages?apiKey=${key}`);
    expect(pulled.status).toBe(401);
    expect((await json<Problem>(pulled)).error.message).toContain('WebSocket and SSE routes only');
    const published = await fetch(`${keyed.url}/v1/topics/${topic}/events?apiKey=${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"data":1}',
    });
    expect(published.status).toBe(401);
    const controller = new AbortController();
    const stream = await fetch(`${keyed.url}/v1/topics/${topic}/groups/g/sse?apiKey=${key}`, {
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    controller.abort();
  });
});

describe('request timeout', () => {
  it('closes a connection whose body does not arrive within limits.requestTimeoutMs (408)', async () => {
    const url = new URL(server.url);
    const socket = connect(Number(url.port), url.hostname);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      'POST /v1/topics/slow/events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"data":',
    );
    const deadline = new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 15_000).unref());
    const outcome = await Promise.race([ended.then(() => 'closed' as const), deadline]);
    socket.destroy();
    expect(outcome).toBe('closed');
    expect(Buffer.concat(received).toString()).toMatch(/^HTTP\/1\.1 408/);
  });
});
