// Gateway: HTTP publish (batched and single) and WebSocket consume through @eddy/server, against
// the same SQLite log used directly in process through the same transport client, in one run.
// The gateway runs in a child process so that autocannon (the load client) and the server do not
// share one event loop; on this 2-core machine they share the CPU.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import WebSocket from 'ws';
import { createCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';
import { createSqliteTransport } from '@eddy/sqlite';
import { startServer } from '@eddy/server';
import { opsPerSecond, printTable, writeResults, type BenchRow } from './lib/report.js';

const BATCH = 100;
const BIG_BATCH = 1_000;
const BIG_BATCH_CONNECTIONS = 4;
const HTTP_SECONDS = 8;
const BATCH_CONNECTIONS = 32;
const SINGLE_CONNECTIONS = 32;
const CONSUME = 50_000;
const CREDIT = 1_000;
// Distinct partition keys. A key's next event waits for the ack of the previous one, so with few
// keys a socket consumer is bound by keys / round-trip time rather than by the server.
const KEYS = 1_000;

if (process.argv.includes('--serve')) {
  // Child: the gateway on a random port over a fresh data dir; prints its URL, stops on SIGTERM.
  const dataDir = process.argv[process.argv.indexOf('--serve') + 1]!;
  const handle = await startServer({ dataDir, port: 0, logLevel: 'warn' });
  console.log(JSON.stringify({ url: handle.url }));
  process.once('SIGTERM', () => void handle.close().then(() => process.exit(0)));
} else {
  await main();
}

function envelope(i: number): Record<string, unknown> {
  return {
    type: 'order.placed',
    key: `customer-${i % KEYS}`,
    data: { orderId: `o-${i}`, total: 42.5, lines: 3 },
  };
}

async function spawnServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@eddy/source', '--import', 'tsx', fileURLToPath(import.meta.url), '--serve', dataDir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    // The gateway's own log lines are JSON too; the URL line is the one with a `url`.
    const parsed = line.startsWith('{') ? (JSON.parse(line) as { url?: string }) : {};
    if (parsed.url !== undefined) return { child, url: parsed.url };
  }
  throw new Error('gateway child exited before printing its URL');
}

interface HttpFigures {
  eventsPerSecond: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

async function httpPublish(
  url: string,
  body: string,
  events: number,
  connections: number,
): Promise<HttpFigures> {
  const result = await autocannon({
    url: `${url}/v1/topics/bench-${events === 1 ? 'single' : `batch-${events}`}/events`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: HTTP_SECONDS,
  });
  return {
    eventsPerSecond: (result['2xx'] / HTTP_SECONDS) * events,
    requestsPerSecond: result['2xx'] / HTTP_SECONDS,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.non2xx + result.errors,
  };
}

async function wsConsume(url: string, topic: string, count: number): Promise<number> {
  const socket = new WebSocket(
    `${url.replace('http', 'ws')}/v1/topics/${topic}/groups/bench-ws/ws?from=earliest&maxInFlight=${CREDIT}`,
  );
  let received = 0;
  let pending: string[] = [];
  return opsPerSecond(count, async () => {
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as { type: string; ackId?: string };
        if (frame.type !== 'message') return;
        received += 1;
        pending.push(frame.ackId!);
        // Acks go in batches: whatever arrived in this turn of the event loop, in one frame. (Per-key
        // ordering holds back a key's next event until this one is acked, so waiting for a fixed
        // batch size could stall.)
        if (pending.length === 1) {
          setImmediate(() => {
            socket.send(JSON.stringify({ type: 'ack', ackIds: pending }));
            pending = [];
          });
        }
        if (received >= count) resolve();
      });
    });
    socket.close();
  });
}

async function direct(
  dir: string,
): Promise<{ batch: number; bigBatch: number; single: number; consume: number }> {
  const transport = createSqliteTransport({ path: join(dir, 'direct.db') });
  const message = (i: number) => {
    const event = createCloudEvent({
      source: '/bench',
      type: 'order.placed',
      partitionkey: `customer-${i % KEYS}`,
      data: envelope(i)['data'],
    });
    const { headers, payload } = encodeCloudEvent(event);
    return { headers, payload, key: `customer-${i % KEYS}` };
  };
  const runFor = async (connections: number, batch: number, topic: string): Promise<number> => {
    let events = 0;
    const started = performance.now();
    const deadline = started + HTTP_SECONDS * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < deadline) {
          // Built per call, as the gateway builds each request's events.
          await transport.publish(
            topic,
            Array.from({ length: batch }, (_, i) => message(events + i)),
          );
          events += batch;
        }
      }),
    );
    return events / ((performance.now() - started) / 1000);
  };
  const batch = await runFor(BATCH_CONNECTIONS, BATCH, 'direct-batch');
  const bigBatch = await runFor(BIG_BATCH_CONNECTIONS, BIG_BATCH, 'direct-big-batch');
  const single = await runFor(SINGLE_CONNECTIONS, 1, 'direct-single');
  let handled = 0;
  const consume = await opsPerSecond(CONSUME, async () => {
    const subscription = await transport.subscribe(
      'direct-batch',
      { group: 'c', from: 'earliest', maxInFlight: CREDIT },
      () => {
        handled += 1;
      },
    );
    while (handled < CONSUME) await new Promise((resolve) => setTimeout(resolve, 5));
    await subscription.close();
  });
  await transport.close();
  return { batch, bigBatch, single, consume };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-server-'));
  const { child, url } = await spawnServer(dir);
  try {
    const batchBody = JSON.stringify(Array.from({ length: BATCH }, (_, i) => envelope(i)));
    console.log(`gateway at ${url}`);
    const batched = await httpPublish(url, batchBody, BATCH, BATCH_CONNECTIONS);
    const bigBody = JSON.stringify(Array.from({ length: BIG_BATCH }, (_, i) => envelope(i)));
    const big = await httpPublish(url, bigBody, BIG_BATCH, BIG_BATCH_CONNECTIONS);
    console.log('batched publish done');
    const single = await httpPublish(url, JSON.stringify(envelope(1)), 1, SINGLE_CONNECTIONS);
    console.log('single publish done');
    const consumed = await wsConsume(
      url,
      `bench-batch-${BATCH}`,
      Math.min(CONSUME, Math.floor(batched.eventsPerSecond * HTTP_SECONDS)),
    );
    console.log('websocket consume done');
    const raw = await direct(dir);
    const rows: BenchRow[] = [
      {
        case: `publish, batches of ${BATCH}`,
        'gateway events/s': Math.round(batched.eventsPerSecond),
        'gateway req/s': Math.round(batched.requestsPerSecond),
        'p50 ms': batched.p50Ms,
        'p99 ms': batched.p99Ms,
        errors: batched.errors,
        'direct events/s': Math.round(raw.batch),
      },
      {
        case: `publish, batches of ${BIG_BATCH}`,
        'gateway events/s': Math.round(big.eventsPerSecond),
        'gateway req/s': Math.round(big.requestsPerSecond),
        'p50 ms': big.p50Ms,
        'p99 ms': big.p99Ms,
        errors: big.errors,
        'direct events/s': Math.round(raw.bigBatch),
      },
      {
        case: 'publish, one event per request',
        'gateway events/s': Math.round(single.eventsPerSecond),
        'gateway req/s': Math.round(single.requestsPerSecond),
        'p50 ms': single.p50Ms,
        'p99 ms': single.p99Ms,
        errors: single.errors,
        'direct events/s': Math.round(raw.single),
      },
      {
        case: `consume + ack, credit ${CREDIT}`,
        'gateway events/s': Math.round(consumed),
        'direct events/s': Math.round(raw.consume),
      },
    ];
    const load = loadavg()
      .map((value) => value.toFixed(1))
      .join(' ');
    printTable(
      `Eddy gateway (HTTP/WebSocket, child process) vs the SQLite transport in process (same client, synchronous=full); load average ${load}`,
      rows,
    );
    writeResults('server', { batch: BATCH, httpSeconds: HTTP_SECONDS, loadAverage: loadavg(), rows });
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}
