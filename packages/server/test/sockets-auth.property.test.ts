// Property-based tests of the inputs around consuming: WebSocket and SSE query strings, WebSocket
// client frames, and the credentials a request carries. Never a 5xx, never a dropped socket.
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '@eddy/server';
import { eventually, post, startTestServer, unique, type TestServer } from './helpers.js';

const RUNS = Number(process.env['EDDY_FUZZ_RUNS'] ?? 60);
const key = generateApiKey();
let open: TestServer;
let keyed: TestServer;

beforeAll(async () => {
  open = await startTestServer({ limits: { rateLimitPerSecond: 0 } });
  keyed = await startTestServer({
    apiKeys: [{ id: 'app', keyHash: hashApiKey(key), scopes: ['consume:orders.*'] }],
    limits: { rateLimitPerSecond: 0 },
  });
});
afterAll(async () => {
  await Promise.all([open.close(), keyed.close()]);
});

function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

const awkward = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1.5',
    'Infinity',
    'NaN',
    '1e400',
    'earliest',
    'latest',
    '99999999999999999999',
  ),
);

interface Outcome {
  status: number;
  frames: { type: string; error?: { code: string } }[];
}

/** Opens a WebSocket, and returns its upgrade status and the frames of its first moments. */
function openSocket(url: string, frames: Buffer[] = []): Promise<Outcome & { socket: WebSocket }> {
  const socket = new WebSocket(url);
  const received: Outcome['frames'] = [];
  socket.on('message', (data: Buffer) =>
    received.push(JSON.parse(data.toString()) as Outcome['frames'][number]),
  );
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      for (const frame of frames) socket.send(frame);
      resolve({ socket, status: 101, frames: received });
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve({ socket, status: response.statusCode ?? 0, frames: received });
    });
    socket.once('error', reject);
  });
}

describe('consume query strings and frames', () => {
  it('WebSocket and SSE query strings: a subscription or a 400, never a 5xx', async () => {
    const topic = unique('q');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('ws', 'sse'),
        awkward,
        awkward,
        awkward,
        async (mode, from, maxInFlight, ackTimeoutMs) => {
          const query = `from=${percentEncoded(from)}&maxInFlight=${percentEncoded(maxInFlight)}&ackTimeoutMs=${percentEncoded(ackTimeoutMs)}`;
          const path = `/v1/topics/${topic}/groups/g/${mode}?${query}`;
          if (mode === 'sse') {
            const controller = new AbortController();
            const response = await fetch(`${open.url}${path}`, { signal: controller.signal });
            controller.abort();
            expect([200, 400]).toContain(response.status);
            return;
          }
          const { socket, status, frames } = await openSocket(`${open.url.replace('http', 'ws')}${path}`);
          expect([101, 400]).toContain(status);
          if (status === 101) {
            // Either subscribed or told why not: wait for the first frame.
            await eventually(() => (frames.length > 0 ? true : undefined));
            expect(['ready', 'error']).toContain(frames[0]!.type);
          }
          socket.terminate();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('WebSocket client frames: answered with "unknown" or "error" frames, and the socket stays open', async () => {
    const topic = unique('frames');
    await post(`${open.url}/v1/topics/${topic}/events`, { data: 1 });
    const frame = fc.oneof(
      fc
        .record(
          {
            type: fc.oneof(fc.constantFrom('ack', 'nack'), awkward),
            ackIds: fc.oneof(fc.array(awkward, { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })),
            delayMs: fc.oneof(fc.integer(), fc.constantFrom(1e300, -1, 1.5, 86_400_001), fc.jsonValue()),
          },
          { requiredKeys: [] },
        )
        .map((value) => JSON.stringify(value)),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      awkward,
    );
    const { socket, frames } = await openSocket(
      `${open.url.replace('http', 'ws')}/v1/topics/${topic}/groups/g/ws?from=earliest`,
    );
    await eventually(() => (frames.some((f) => f.type === 'message') ? true : undefined));
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(frame, async (text) => {
        socket.send(text);
        sent += 1;
        // Every frame is answered (error or unknown ids) or accepted silently; wait until the
        // socket answered a ping sent after it, so its answer is in.
        await new Promise<void>((resolve) => {
          socket.once('pong', () => resolve());
          socket.ping();
        });
        expect(socket.readyState).toBe(WebSocket.OPEN);
        for (const received of frames) {
          expect(['ready', 'message', 'unknown', 'error']).toContain(received.type);
          if (received.type === 'error') expect(received.error?.code).toMatch(/^EDDY_[A-Z_]+$/);
        }
      }),
      { numRuns: RUNS * 2 },
    );
    expect(sent).toBeGreaterThan(0);
    socket.terminate();
  });
});

describe('credentials', () => {
  it('any Authorization, x-api-key or apiKey value: 200, 401 or 403, never a 5xx', async () => {
    const credential = fc.oneof(
      fc.constant(key),
      fc.stringMatching(/^[\x21-\x7e]{0,60}$/),
      fc.constantFrom('', 'eddy_', `${key}x`, key.toUpperCase()),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('bearer', 'x-api-key', 'query', 'basic'),
        credential,
        fc.constantFrom('orders.a', 'payments'),
        async (where, value, topic) => {
          const headers: Record<string, string> = {};
          if (where === 'bearer') headers['authorization'] = `Bearer ${value}`;
          if (where === 'basic') headers['authorization'] = `Basic ${value}`;
          if (where === 'x-api-key') headers['x-api-key'] = value;
          const query = where === 'query' ? `?apiKey=${encodeURIComponent(value)}` : '';
          const response = await fetch(`${keyed.url}/v1/topics/${topic}/groups/g/messages${query}`, {
            headers,
          });
          expect([200, 401, 403]).toContain(response.status);
          if (response.status === 200) {
            // Only the real key, in a header, on a topic its scope covers.
            expect(value).toBe(key);
            expect(['bearer', 'x-api-key']).toContain(where);
            expect(topic).toBe('orders.a');
          }
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });
});
