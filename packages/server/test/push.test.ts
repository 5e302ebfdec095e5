import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

interface Frame {
  type: string;
  ackId?: string;
  deliveryCount?: number;
  event?: Record<string, unknown>;
  ackIds?: string[];
  messages?: Frame[];
  error?: { code: string; message: string };
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/** A WebSocket subscriber that records every frame. */
async function subscribe(
  topic: string,
  group: string,
  query: string,
): Promise<{ socket: WebSocket; frames: Frame[]; messages: () => Frame[] }> {
  const socket = new WebSocket(
    `${server.url.replace('http', 'ws')}/v1/topics/${topic}/groups/${group}/ws?${query}`,
  );
  const frames: Frame[] = [];
  socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as Frame));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  await eventually(() => (frames.some((f) => f.type === 'ready') ? true : undefined));
  return { socket, frames, messages: () => frames.filter((f) => f.type === 'message') };
}

async function leasedNow(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('eddy_gateway_leased_messages '));
  return Number(line?.split(' ')[1]);
}

function closed(socket: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) resolve();
    else socket.once('close', () => resolve());
  });
}

describe('WebSocket push', () => {
  it('bounds a slow consumer to its credit: never more than maxInFlight unacked messages', async () => {
    const topic = unique('slow');
    const total = 200;
    await post(
      `${server.url}/v1/topics/${topic}/events`,
      Array.from({ length: total }, (_, i) => ({ data: { i } })),
    );
    const { socket, messages } = await subscribe(topic, 'slow', 'from=earliest&maxInFlight=10');
    await eventually(() => (messages().length >= 10 ? true : undefined));
    // The server holds exactly the credit's worth of leased messages and sends nothing more.
    expect(await leasedNow()).toBe(10);
    expect(messages()).toHaveLength(10);

    // Ack one at a time: at every step, sent minus acked stays within the credit.
    let acked = 0;
    let maxOutstanding = 0;
    while (acked < total) {
      await eventually(() => (messages().length > acked ? true : undefined));
      maxOutstanding = Math.max(maxOutstanding, messages().length - acked);
      socket.send(JSON.stringify({ type: 'ack', ackIds: [messages()[acked]!.ackId] }));
      acked += 1;
    }
    expect(maxOutstanding).toBeLessThanOrEqual(10);
    expect(new Set(messages().map((m) => (m.event!['data'] as { i: number }).i)).size).toBe(total);
    socket.close();
    await closed(socket);
    await eventually(async () => ((await leasedNow()) === 0 ? true : undefined));
  });

  it('redelivers unacked messages to another member when a client disconnects', async () => {
    const topic = unique('handoff');
    await post(
      `${server.url}/v1/topics/${topic}/events`,
      Array.from({ length: 5 }, (_, i) => ({ data: { i } })),
    );
    const first = await subscribe(topic, 'workers', 'from=earliest&maxInFlight=10');
    await eventually(() => (first.messages().length === 5 ? true : undefined));
    const ids = first
      .messages()
      .map((m) => m.event!['id'])
      .sort();
    first.socket.close();
    await closed(first.socket);

    const second = await subscribe(topic, 'workers', 'maxInFlight=10');
    await eventually(() => (second.messages().length === 5 ? true : undefined));
    expect(
      second
        .messages()
        .map((m) => m.event!['id'])
        .sort(),
    ).toEqual(ids);
    expect(second.messages().every((m) => m.deliveryCount === 2)).toBe(true);
    second.socket.send(JSON.stringify({ type: 'ack', ackIds: second.messages().map((m) => m.ackId) }));
    second.socket.send(JSON.stringify({ type: 'ack', ackIds: ['made-up'] }));
    second.socket.send('not json');
    await eventually(() => (second.frames.some((f) => f.type === 'error') ? true : undefined));
    expect(second.frames.find((f) => f.type === 'unknown')?.ackIds).toEqual(['made-up']);
    expect(second.frames.find((f) => f.type === 'error')?.error?.code).toBe('EDDY_INVALID_OPTION');
    second.socket.close();
    await closed(second.socket);
  });

  it('redelivers a nacked message on the same socket', async () => {
    const topic = unique('wsnack');
    await post(`${server.url}/v1/topics/${topic}/events`, { data: 'again' });
    const { socket, messages } = await subscribe(topic, 'g', 'from=earliest');
    await eventually(() => (messages().length === 1 ? true : undefined));
    socket.send(JSON.stringify({ type: 'nack', ackIds: [messages()[0]!.ackId], delayMs: 0 }));
    await eventually(() => (messages().length === 2 ? true : undefined));
    expect(messages()[1]!.event!['id']).toBe(messages()[0]!.event!['id']);
    expect(messages()[1]!.deliveryCount).toBe(2);
    socket.close();
    await closed(socket);
  });

  it('with ?batch=true sends "messages" frames that hold deliveries, within the credit, acked as usual', async () => {
    const topic = unique('wsbatch');
    const total = 120;
    await post(
      `${server.url}/v1/topics/${topic}/events`,
      Array.from({ length: total }, (_, i) => ({ key: `k${i}`, data: { i } })),
    );
    const { socket, frames } = await subscribe(topic, 'g', 'from=earliest&maxInFlight=50&batch=true');
    const delivered = (): Frame[] => frames.flatMap((f) => (f.type === 'messages' ? (f.messages ?? []) : []));
    await eventually(() => (delivered().length >= 50 ? true : undefined));
    // The credit holds for batched frames too: nothing beyond it before an ack.
    expect(await leasedNow()).toBe(50);
    expect(delivered()).toHaveLength(50);
    let acked = 0;
    while (acked < total) {
      await eventually(() => (delivered().length > acked ? true : undefined));
      const ackIds = delivered()
        .slice(acked)
        .map((m) => m.ackId!);
      socket.send(JSON.stringify({ type: 'ack', ackIds }));
      acked += ackIds.length;
    }
    await eventually(async () => ((await leasedNow()) === 0 ? true : undefined));
    const values = delivered().map((m) => (m.event!['data'] as { i: number }).i);
    expect(new Set(values).size).toBe(total);
    expect(values).toHaveLength(total);
    expect(delivered().every((m) => m.deliveryCount === 1 && m.event!['type'] !== undefined)).toBe(true);
    expect(frames.some((f) => f.type === 'message' || f.type === 'unknown' || f.type === 'error')).toBe(
      false,
    );
    socket.close();
    await closed(socket);
  });
});

describe('Server-Sent Events push', () => {
  it('streams messages and takes acks over HTTP', async () => {
    const topic = unique('sse');
    await post(`${server.url}/v1/topics/${topic}/events`, [{ data: 1 }, { data: 2 }, { data: 3 }]);
    const controller = new AbortController();
    const response = await fetch(
      `${server.url}/v1/topics/${topic}/groups/g/sse?from=earliest&maxInFlight=2`,
      { signal: controller.signal },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const events: { event: string; id: string | undefined; data: string }[] = [];
    const readUntil = async (count: number): Promise<void> => {
      while (events.filter((e) => e.event === 'message').length < count) {
        const { value, done } = (await reader.read()) as { value: Uint8Array | undefined; done: boolean };
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((l) => !l.startsWith(':'))
              .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
          );
          if (fields['event'] !== undefined)
            events.push({ event: fields['event'], id: fields['id'], data: fields['data'] ?? '' });
        }
      }
    };
    await readUntil(2);
    expect(events[0]!.event).toBe('ready');
    const firstTwo = events.filter((e) => e.event === 'message');
    // Credit 2: the third comes only after an ack.
    expect(firstTwo).toHaveLength(2);
    const ack = await json(
      await post(`${server.url}/v1/topics/${topic}/groups/g/ack`, { ackIds: [firstTwo[0]!.id] }),
    );
    expect(ack).toEqual({ settled: 1, unknown: [] });
    await readUntil(3);
    const data = events
      .filter((e) => e.event === 'message')
      .map((e) => (JSON.parse(e.data) as { event: { data: number } }).event.data);
    expect(data.sort()).toEqual([1, 2, 3]);
    controller.abort();
    await reader.cancel().catch(() => undefined);
    // Two messages were unacked when the stream closed: the group gets them again.
    const again = await eventually(async () => {
      const response = await fetch(`${server.url}/v1/topics/${topic}/groups/g/messages?max=10&wait=2`);
      const { messages } = await json<{ messages: { deliveryCount: number }[] }>(response);
      return messages.length > 0 ? messages : undefined;
    });
    expect(again.every((m) => m.deliveryCount >= 2)).toBe(true);
  });
});
