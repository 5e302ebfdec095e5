import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, generateApiKey, hashApiKey } from '@eddy/server';
import { json, post, startTestServer, unique, type TestServer } from './helpers.js';

const adminKey = generateApiKey();
const publisherKey = generateApiKey();
const consumerKey = generateApiKey();
const limitedKey = generateApiKey();
const logLines: string[] = [];
let server: TestServer;

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

beforeAll(async () => {
  server = await startTestServer({
    apiKeys: [
      { id: 'ops', keyHash: hashApiKey(adminKey), scopes: ['admin'] },
      { id: 'shop', keyHash: hashApiKey(publisherKey), scopes: ['publish:orders.*'] },
      { id: 'billing', keyHash: hashApiKey(consumerKey), scopes: ['consume:orders.*'] },
      { id: 'tiny', keyHash: hashApiKey(limitedKey), scopes: ['publish:*'], rateLimitPerSecond: 1 },
    ],
    logLevel: 'debug',
    logStream: { write: (line) => void logLines.push(line) },
  });
});
afterAll(async () => {
  await server.close();
});

async function code(response: Response): Promise<string> {
  return (await json<{ error: { code: string } }>(response)).error.code;
}

describe('API keys and scopes', () => {
  it('refuses requests without a key or with an unknown key (401)', async () => {
    const none = await post(`${server.url}/v1/topics/orders.a/events`, { data: 1 });
    expect(none.status).toBe(401);
    expect(await code(none)).toBe('EDDY_UNAUTHORIZED');
    const unknown = await post(
      `${server.url}/v1/topics/orders.a/events`,
      { data: 1 },
      bearer('eddy_not-a-key'),
    );
    expect(unknown.status).toBe(401);
    // Liveness and the API description stay open.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/openapi.json`)).status).toBe(200);
  });

  it('checks publish and consume scopes per topic pattern (403)', async () => {
    const topic = unique('orders');
    expect(
      (await post(`${server.url}/v1/topics/orders.${topic}/events`, { data: 1 }, bearer(publisherKey)))
        .status,
    ).toBe(200);
    const elsewhere = await post(
      `${server.url}/v1/topics/payments/events`,
      { data: 1 },
      bearer(publisherKey),
    );
    expect(elsewhere.status).toBe(403);
    expect(await code(elsewhere)).toBe('EDDY_FORBIDDEN');
    // Routed by type: the scope applies to the topic the type resolves to.
    const routed = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: {
        ...bearer(publisherKey),
        'ce-specversion': '1.0',
        'ce-id': '1',
        'ce-source': '/s',
        'ce-type': 'payments.made',
      },
    });
    expect(routed.status).toBe(403);
    const pullAsPublisher = await fetch(`${server.url}/v1/topics/orders.${topic}/groups/g/messages`, {
      headers: bearer(publisherKey),
    });
    expect(pullAsPublisher.status).toBe(403);
    const pull = await fetch(
      `${server.url}/v1/topics/orders.${topic}/groups/g/messages?from=earliest&wait=5`,
      {
        headers: { 'x-api-key': consumerKey },
      },
    );
    expect(pull.status).toBe(200);
    expect((await json<{ messages: unknown[] }>(pull)).messages).toHaveLength(1);
    const adminAsConsumer = await fetch(`${server.url}/v1/topics`, { headers: bearer(consumerKey) });
    expect(adminAsConsumer.status).toBe(403);
    expect((await fetch(`${server.url}/v1/topics`, { headers: bearer(adminKey) })).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`, { headers: bearer(consumerKey) })).status).toBe(403);
    expect((await fetch(`${server.url}/metrics`, { headers: bearer(adminKey) })).status).toBe(200);
  });

  it('authenticates WebSocket upgrades', async () => {
    const base = `${server.url.replace('http', 'ws')}/v1/topics/orders.ws/groups/g/ws`;
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(base);
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => undefined);
    });
    expect(status).toBe(401);
    const socket = new WebSocket(`${base}?apiKey=${encodeURIComponent(consumerKey)}`);
    const ready = await new Promise<string>((resolve, reject) => {
      socket.on('message', (data: Buffer) => resolve((JSON.parse(data.toString()) as { type: string }).type));
      socket.on('error', reject);
    });
    expect(ready).toBe('ready');
    socket.close();
  });

  it('rate-limits per key with 429 and Retry-After', async () => {
    // 1 request/s with a burst of 2: of 8 requests sent at once, at most 2 get through (a few more if seconds pass on a loaded machine).
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        post(`${server.url}/v1/topics/limited/events`, { data: i }, bearer(limitedKey)),
      ),
    );
    expect(responses.filter((r) => r.status === 200).length).toBeLessThanOrEqual(4);
    const limited = responses.find((r) => r.status === 429);
    expect(limited).toBeDefined();
    expect(limited!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await code(limited!)).toBe('EDDY_RATE_LIMITED');
    // Other keys are not affected.
    expect(
      (await post(`${server.url}/v1/topics/orders.fine/events`, { data: 1 }, bearer(publisherKey))).status,
    ).toBe(200);
  });

  it('never writes a key to the log', async () => {
    await fetch(`${server.url}/v1/topics/orders.x/groups/g/sse?apiKey=${publisherKey}`);
    const log = logLines.join('');
    expect(log.length).toBeGreaterThan(0);
    for (const key of [adminKey, publisherKey, consumerKey, limitedKey]) expect(log).not.toContain(key);
  });
});

describe('dev mode', () => {
  it('refuses to run without keys on a non-loopback host', async () => {
    await expect(
      createServer({ host: '0.0.0.0', port: 0, env: {}, logLevel: 'silent', dataDir: '/nonexistent' }),
    ).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
  });

  it('runs open on loopback and says so at start', async () => {
    const lines: string[] = [];
    const open = await startTestServer({
      logLevel: 'info',
      logStream: { write: (line) => void lines.push(line) },
    });
    try {
      expect(lines.join('')).toContain('Open dev mode');
      expect((await fetch(`${open.url}/v1/topics`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
