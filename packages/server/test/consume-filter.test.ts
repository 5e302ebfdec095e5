import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

interface Delivery {
  ackId: string;
  event: { type: string; subject?: string; data: { total: number } };
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const q = (value: unknown): string => encodeURIComponent(JSON.stringify(value));

async function publishOrders(topic: string): Promise<void> {
  const response = await post(`${server.url}/v1/topics/${topic}/events`, [
    { type: 'order.placed', subject: 'eu', data: { total: 50 } },
    { type: 'order.placed', subject: 'us', data: { total: 500 } },
    { type: 'order.paid', subject: 'eu', data: { total: 700 } },
    { type: 'invoice.sent', subject: 'eu', data: { total: 900 } },
  ]);
  expect(response.status).toBe(200);
}

/** Pulls until `count` messages came, acking each batch. */
async function pullAll(topic: string, group: string, query: string, count: number): Promise<Delivery[]> {
  const got: Delivery[] = [];
  await eventually(async () => {
    const response = await fetch(
      `${server.url}/v1/topics/${topic}/groups/${group}/messages?from=earliest&max=10&wait=1&${query}`,
    );
    expect(response.status).toBe(200);
    const { messages } = await json<{ messages: Delivery[] }>(response);
    got.push(...messages);
    if (messages.length > 0) {
      await post(`${server.url}/v1/topics/${topic}/groups/${group}/ack`, {
        ackIds: messages.map((message) => message.ackId),
      });
    }
    return got.length >= count ? true : undefined;
  });
  return got;
}

async function filteredCount(topic: string, group: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('eddy_gateway_messages_filtered_total{') &&
        l.includes(`topic="${topic}"`) &&
        l.includes(`group="${group}"`),
    );
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

async function problem(response: Response): Promise<{ status: number; code: string }> {
  const body = await json<{ error: { code: string } }>(response);
  return { status: response.status, code: body.error.code };
}

describe('consume filters on the gateway', () => {
  it('pull with ?filter= delivers only matching events; the rest are settled and counted', async () => {
    const topic = unique('orders');
    await publishOrders(topic);
    const filter = { all: [{ prefix: { type: 'order.' } }, { exact: { subject: 'eu' } }] };
    const got = await pullAll(topic, 'eu', `filter=${q(filter)}`, 2);
    expect(got.map((d) => `${d.event.type}:${d.event.subject}`).sort()).toEqual([
      'order.paid:eu',
      'order.placed:eu',
    ]);
    await eventually(async () => ((await filteredCount(topic, 'eu')) === 2 ? true : undefined));
    // Nothing dropped comes back: the next pull is empty.
    const again = await fetch(
      `${server.url}/v1/topics/${topic}/groups/eu/messages?max=10&wait=0.2&filter=${q(filter)}`,
    );
    expect((await json<{ messages: Delivery[] }>(again)).messages).toEqual([]);
  });

  it('pull with ?pattern= takes an EventBridge-style pattern on attributes and data', async () => {
    const topic = unique('orders');
    await publishOrders(topic);
    const pattern = { type: [{ prefix: 'order.' }], data: { total: [{ numeric: ['>', 100] }] } };
    const got = await pullAll(topic, 'big', `pattern=${q(pattern)}`, 2);
    expect(got.map((d) => d.event.data.total).sort()).toEqual([500, 700]);
  });

  it('a member of a group pulling with another filter is refused: members of a group share one filter', async () => {
    const topic = unique('orders');
    await publishOrders(topic);
    await pullAll(topic, 'shared', `filter=${q({ exact: { subject: 'eu' } })}`, 3);
    const other = await fetch(
      `${server.url}/v1/topics/${topic}/groups/shared/messages?filter=${q({ exact: { subject: 'us' } })}`,
    );
    expect(await problem(other)).toEqual({ status: 400, code: 'EDDY_INVALID_FILTER' });
  });

  it('WebSocket with ?filter= sends only matching events', async () => {
    const topic = unique('orders');
    await publishOrders(topic);
    const socket = new WebSocket(
      `${server.url.replace('http', 'ws')}/v1/topics/${topic}/groups/ws/ws?from=earliest&filter=${q({ exact: { type: 'order.placed' } })}`,
    );
    const frames: { type: string; event?: Delivery['event'] }[] = [];
    socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as (typeof frames)[0]));
    await eventually(async () => ((await filteredCount(topic, 'ws')) === 2 ? true : undefined));
    await eventually(() => (frames.filter((f) => f.type === 'message').length === 2 ? true : undefined));
    socket.close();
    expect(
      frames.filter((f) => f.type === 'message').map((f) => `${f.event!.type}:${f.event!.subject}`),
    ).toEqual(expect.arrayContaining(['order.placed:eu', 'order.placed:us']));
  });

  it('SSE with ?pattern= streams only matching events', async () => {
    const topic = unique('orders');
    await publishOrders(topic);
    const controller = new AbortController();
    const response = await fetch(
      `${server.url}/v1/topics/${topic}/groups/sse/sse?from=earliest&pattern=${q({ subject: ['us'] })}`,
      { signal: controller.signal },
    );
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('event: message')) {
      const { value, done } = (await reader.read()) as { value: Uint8Array | undefined; done: boolean };
      if (done) throw new Error('stream ended');
      text += decoder.decode(value, { stream: true });
    }
    await eventually(async () => ((await filteredCount(topic, 'sse')) === 3 ? true : undefined));
    controller.abort();
    const data = text
      .split('\n')
      .filter((line) => line.startsWith('data: {"ackId"'))
      .map((line) => JSON.parse(line.slice(6)) as Delivery);
    expect(data.map((d) => d.event.subject)).toEqual(['us']);
  });

  it('bad filters and patterns are a 400 with a stable code on every consume route', async () => {
    const topic = unique('bad');
    const base = `${server.url}/v1/topics/${topic}/groups/g`;
    const cases: [string, string][] = [
      ['filter=not-json', 'EDDY_INVALID_FILTER'],
      [`filter=${q({ regex: { type: 'a' } })}`, 'EDDY_INVALID_FILTER'],
      [`filter=${q({ sql: "type = 'a'" })}`, 'EDDY_INVALID_FILTER'],
      [`filter=${q({ exact: { type: 'a' }, prefix: { type: 'b' } })}`, 'EDDY_INVALID_FILTER'],
      [`filter=${q({ any: [] })}`, 'EDDY_INVALID_FILTER'],
      ['pattern=%7Bnope', 'EDDY_INVALID_PATTERN'],
      [`pattern=${q({ type: 'not-an-array' })}`, 'EDDY_INVALID_PATTERN'],
    ];
    for (const [query, code] of cases) {
      expect(await problem(await fetch(`${base}/messages?${query}`)), query).toEqual({ status: 400, code });
      expect(await problem(await fetch(`${base}/sse?${query}`)), query).toEqual({ status: 400, code });
      const refused = await new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`${base.replace('http', 'ws')}/ws?${query}`);
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.once('open', () => reject(new Error(`upgraded despite ${query}`)));
        socket.once('error', () => {});
      });
      expect(refused, query).toBe(400);
    }
  });
});

describe('last values through the gateway', () => {
  it('a consumer on SQLite receives only the newest undelivered event of a type and key published with supersede', async () => {
    const topic = unique('prices');
    const response = await post(
      `${server.url}/v1/topics/${topic}/events`,
      [1, 2, 3, 4, 5].map((price) => ({
        type: 'price.changed',
        key: 'EDY',
        extensions: { supersede: true },
        data: { total: price },
      })),
    );
    expect(response.status).toBe(200);
    const got = await pullAll(topic, 'last', '', 1);
    expect(got.map((d) => d.event.data.total)).toEqual([5]);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('eddy_gateway_messages_superseded_total{') && l.includes(`topic="${topic}"`));
    expect(Number(line?.split(' ').at(-1))).toBe(4);
  });
});
