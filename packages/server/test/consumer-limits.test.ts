import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '@eddy/server';
import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

interface Problem {
  error: { code: string; message: string };
}

const alice = generateApiKey();
const bob = generateApiKey();
const ops = generateApiKey();
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Value of the sample of metric `name` whose labels include every one of `labels`, or undefined. */
async function metric(server: TestServer, name: string, ...labels: string[]): Promise<number | undefined> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: bearer(ops) })).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && labels.every((label) => l.includes(label)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function keys() {
  return [
    { id: 'alice', keyHash: hashApiKey(alice), scopes: ['consume:*', 'publish:*'] },
    { id: 'bob', keyHash: hashApiKey(bob), scopes: ['consume:*'] },
    { id: 'ops', keyHash: hashApiKey(ops), scopes: ['admin'] },
  ];
}

describe('pull groups per key and in all', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      apiKeys: keys(),
      limits: { maxPullGroupsPerKey: 2, maxPullGroups: 3 },
      consume: { pullIdleCloseMs: 400 },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  const pull = (key: string, topic: string, group: string) =>
    fetch(`${server.url}/v1/topics/${topic}/groups/${group}/messages`, { headers: bearer(key) });

  it('answers 429 past the key limit and 503 past the gateway limit, counts both, and frees slots when groups go idle', async () => {
    const topic = unique('pg');
    expect((await pull(alice, topic, 'a1')).status).toBe(200);
    expect((await pull(alice, topic, 'a2')).status).toBe(200);
    // An open group is reused, whoever asks: no new slot.
    expect((await pull(alice, topic, 'a1')).status).toBe(200);
    expect((await pull(bob, topic, 'a1')).status).toBe(200);

    const perKey = await pull(alice, topic, 'a3');
    expect(perKey.status).toBe(429);
    expect(perKey.headers.get('retry-after')).toBe('1');
    expect((await json<Problem>(perKey)).error.code).toBe('EDDY_TOO_MANY_CONSUMERS');

    expect((await pull(bob, topic, 'b1')).status).toBe(200);
    const global = await pull(bob, topic, 'b2');
    expect(global.status).toBe(503);
    expect(global.headers.get('retry-after')).toBe('1');
    expect((await json<Problem>(global)).error.code).toBe('EDDY_OVERLOADED');

    expect(
      await metric(server, 'eddy_gateway_consumers_refused_total', 'kind="pull"', 'reason="per_key"'),
    ).toBe(1);
    expect(
      await metric(server, 'eddy_gateway_consumers_refused_total', 'kind="pull"', 'reason="global"'),
    ).toBe(1);
    // Idle groups close and give their slots back.
    await eventually(async () => ((await pull(alice, topic, 'a3')).status === 200 ? true : undefined));
  });
});

describe('WebSocket and SSE subscriptions per key', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ apiKeys: keys(), limits: { maxSessionsPerKey: 1 } });
  });
  afterAll(async () => {
    await server.close();
  });

  function open(topic: string): Promise<{ socket: WebSocket; status: number }> {
    const socket = new WebSocket(
      `${server.url.replace('http', 'ws')}/v1/topics/${topic}/groups/g/ws?apiKey=${alice}`,
    );
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve({ socket, status: 101 }));
      socket.once('unexpected-response', (_request, response) =>
        resolve({ socket, status: response.statusCode ?? 0 }),
      );
      socket.once('error', reject);
    });
  }

  it('refuses a second subscription of the key with a plain HTTP 429 before the upgrade, and takes one again once the first closed', async () => {
    const topic = unique('ws');
    const first = await open(topic);
    expect(first.status).toBe(101);
    const second = await open(topic);
    expect(second.status).toBe(429);
    const sse = await fetch(`${server.url}/v1/topics/${topic}/groups/g/sse`, { headers: bearer(alice) });
    expect(sse.status).toBe(429);
    expect((await json<Problem>(sse)).error.code).toBe('EDDY_TOO_MANY_CONSUMERS');
    // Another key is not affected.
    const controller = new AbortController();
    const other = await fetch(`${server.url}/v1/topics/${topic}/groups/g/sse`, {
      headers: bearer(bob),
      signal: controller.signal,
    });
    expect(other.status).toBe(200);
    controller.abort();

    first.socket.close();
    await eventually(async () => {
      const again = await open(topic);
      if (again.status !== 101) return undefined;
      again.socket.close();
      return true;
    });
  });
});

describe('memory budget for held messages', () => {
  let server: TestServer;
  beforeAll(async () => {
    // About three messages' worth: each counts its bytes plus 1 KiB of bookkeeping.
    server = await startTestServer({ apiKeys: keys(), limits: { maxHeldBytes: 4_000 } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('holds no more than the budget for a consumer that does not ack, refuses new consumers with 503, and delivers the rest after acks', async () => {
    const topic = unique('budget');
    const total = 20;
    const published = await post(
      `${server.url}/v1/topics/${topic}/events`,
      Array.from({ length: total }, (_, i) => ({ data: { i } })),
      bearer(alice),
    );
    expect(published.status).toBe(200);
    const socket = new WebSocket(
      `${server.url.replace('http', 'ws')}/v1/topics/${topic}/groups/g/ws?apiKey=${alice}&from=earliest&maxInFlight=100`,
    );
    const received: string[] = [];
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string; ackId?: string };
      if (frame.type === 'message') received.push(frame.ackId!);
    });
    // The budget refuses deliveries beyond it: they go back to the log, counted by reason.
    await eventually(async () =>
      ((await metric(
        server,
        'eddy_gateway_messages_nacked_total',
        `topic="${topic}"`,
        'reason="memory_budget"',
      )) ?? 0) > 0
        ? true
        : undefined,
    );
    expect(received.length).toBeGreaterThan(0);
    expect(received.length).toBeLessThan(6);
    const held = await metric(server, 'eddy_gateway_held_bytes');
    expect(held).toBeLessThanOrEqual(4_000);

    const refused = await fetch(`${server.url}/v1/topics/${topic}/groups/other/messages`, {
      headers: bearer(bob),
    });
    expect(refused.status).toBe(503);
    expect((await json<Problem>(refused)).error.message).toContain('limits.maxHeldBytes');

    // Acking makes room: every message arrives in the end.
    const acked = new Set<string>();
    await eventually(() => {
      const fresh = received.filter((id) => !acked.has(id));
      if (fresh.length > 0) {
        fresh.forEach((id) => acked.add(id));
        socket.send(JSON.stringify({ type: 'ack', ackIds: fresh }));
      }
      return acked.size >= total ? true : undefined;
    }, 20_000);
    socket.close();
    expect(acked.size).toBe(total);
  });
});
