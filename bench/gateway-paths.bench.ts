// The gateway's per-event paths, each beside what it is built on, in one run:
// - one event per request (32 connections) through `POST /v1/topics/{topic}/events`, beside a bare
//   Fastify route in the same child process that parses the same JSON body and answers the same shape;
// - WebSocket consume with acks and HTTP pull consume with acks through the gateway, beside the
//   SQLite transport subscribed directly in process (the same log, the same number of events).
// Usage: node --conditions=@eddy/source --import tsx bench/gateway-paths.bench.ts [--cpu-prof-child]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import WebSocket from 'ws';
import { createCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';
import { createSqliteTransport } from '@eddy/sqlite';
import { startServer } from '@eddy/server';
import { opsPerSecond, printTable, writeResults, type BenchRow } from './lib/report.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CONNECTIONS = 32;
const CONSUME = Number(process.env['BENCH_CONSUME'] ?? 20_000);
const CREDIT = 1_000;
const PULL_MAX = 1_000;
const KEYS = 1_000;

if (process.argv.includes('--serve')) {
  await serve(process.argv[process.argv.indexOf('--serve') + 1]!);
} else {
  await main();
}

function envelope(i: number): Record<string, unknown> {
  return { type: 'order.placed', key: `customer-${i % KEYS}`, data: { orderId: `o-${i}`, total: 42.5 } };
}

/** Child: the gateway and a bare Fastify route, on two random ports of one process. */
async function serve(dataDir: string): Promise<void> {
  const handle = await startServer({ dataDir, port: 0, logLevel: 'warn', limits: { rateLimitPerSecond: 0 } });
  const bare = Fastify({ logger: false });
  let offset = 0;
  bare.post('/v1/topics/:topic/events', async (request) => {
    // Parsed by Fastify's JSON parser, as the gateway parses its body; the answer has the same shape.
    const body = request.body as { id?: string };
    offset += 1;
    const { topic } = request.params as { topic: string };
    return { positions: [{ id: body.id ?? String(offset), topic, partition: 0, offset: String(offset) }] };
  });
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ url: handle.url, bareUrl }));
  process.once('SIGTERM', () => {
    void Promise.all([handle.close(), bare.close()]).then(() => process.exit(0));
  });
}

async function spawnChild(dataDir: string): Promise<{ child: ChildProcess; url: string; bareUrl: string }> {
  const profile = process.argv.includes('--cpu-prof-child')
    ? ['--cpu-prof', '--cpu-prof-dir=bench/results/profiles']
    : [];
  const child = spawn(
    process.execPath,
    [
      ...profile,
      '--conditions=@eddy/source',
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--serve',
      dataDir,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  for await (const line of createInterface({ input: child.stdout })) {
    const parsed = line.startsWith('{') ? (JSON.parse(line) as { url?: string; bareUrl?: string }) : {};
    if (parsed.url !== undefined && parsed.bareUrl !== undefined)
      return { child, url: parsed.url, bareUrl: parsed.bareUrl };
  }
  throw new Error('child exited before printing its URLs');
}

interface Published {
  rps: number;
  p99: number;
  errors: number;
}

async function singlePublish(url: string, topic: string): Promise<Published> {
  const result = await autocannon({
    url: `${url}/v1/topics/${topic}/events`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(envelope(1)),
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  return { rps: result['2xx'] / SECONDS, p99: result.latency.p99, errors: result.non2xx + result.errors };
}

async function fill(url: string, topic: string, count: number): Promise<void> {
  for (let sent = 0; sent < count; sent += 1_000) {
    const response = await fetch(`${url}/v1/topics/${topic}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        Array.from({ length: Math.min(1_000, count - sent) }, (_, i) => envelope(sent + i)),
      ),
    });
    if (!response.ok) throw new Error(`fill failed: ${response.status} ${await response.text()}`);
  }
}

async function wsConsume(url: string, topic: string, count: number): Promise<number> {
  const socket = new WebSocket(
    `${url.replace('http', 'ws')}/v1/topics/${topic}/groups/ws/ws?from=earliest&maxInFlight=${CREDIT}`,
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
        // Whatever arrived in this turn of the event loop is acked in one frame.
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

async function pullConsume(url: string, topic: string, count: number): Promise<number> {
  let received = 0;
  const base = `${url}/v1/topics/${topic}/groups/pull`;
  return opsPerSecond(count, async () => {
    while (received < count) {
      const response = await fetch(`${base}/messages?from=earliest&max=${PULL_MAX}&wait=1`);
      const { messages } = (await response.json()) as { messages: { ackId: string }[] };
      if (messages.length === 0) continue;
      received += messages.length;
      await fetch(`${base}/ack`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ackIds: messages.map((m) => m.ackId) }),
      });
    }
  });
}

async function directConsume(dir: string, topic: string, count: number): Promise<number> {
  const transport = createSqliteTransport({ path: join(dir, 'direct.db') });
  for (let sent = 0; sent < count; sent += 1_000) {
    await transport.publish(
      topic,
      Array.from({ length: Math.min(1_000, count - sent) }, (_, i) => {
        const event = createCloudEvent({
          source: '/bench',
          type: 'order.placed',
          partitionkey: `customer-${(sent + i) % KEYS}`,
          data: envelope(sent + i)['data'],
        });
        return { ...encodeCloudEvent(event), key: `customer-${(sent + i) % KEYS}` };
      }),
    );
  }
  let handled = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const rate = await opsPerSecond(count, async () => {
    const subscription = await transport.subscribe(
      topic,
      { group: 'c', from: 'earliest', maxInFlight: CREDIT },
      () => {
        handled += 1;
        if (handled === count) done();
      },
    );
    await finished;
    await subscription.close();
  });
  await transport.close();
  return rate;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-paths-'));
  const { child, url, bareUrl } = await spawnChild(dir);
  try {
    // Rounds alternate Eddy and its baseline, so a change in the machine's load falls on both.
    const publish = { eddy: [] as Published[], bare: [] as Published[] };
    const consume = { ws: 0, pull: 0, direct: 0 };
    const perRound = Math.floor(CONSUME / ROUNDS);
    for (let round = 0; round < ROUNDS; round += 1) {
      publish.bare.push(await singlePublish(bareUrl, 'bare'));
      publish.eddy.push(await singlePublish(url, 'single'));
      await fill(url, `consume-ws-${round}`, perRound);
      await fill(url, `consume-pull-${round}`, perRound);
      consume.ws += perRound / (await wsConsume(url, `consume-ws-${round}`, perRound));
      consume.pull += perRound / (await pullConsume(url, `consume-pull-${round}`, perRound));
      consume.direct += perRound / (await directConsume(dir, `direct-${round}`, perRound));
      console.log(`round ${round + 1}/${ROUNDS} done`);
    }
    const eddy = summed(publish.eddy);
    const bare = summed(publish.bare);
    const total = perRound * ROUNDS;
    const [ws, pull, direct] = [total / consume.ws, total / consume.pull, total / consume.direct];
    const rows: BenchRow[] = [
      {
        case: `publish one event per request, ${CONNECTIONS} connections`,
        'Eddy /s': Math.round(eddy.rps),
        'baseline /s': Math.round(bare.rps),
        ratio: +(eddy.rps / bare.rps).toFixed(2),
        'Eddy p99 ms': eddy.p99,
        'baseline p99 ms': bare.p99,
        errors: eddy.errors + bare.errors,
      },
      {
        case: `WebSocket consume + ack, credit ${CREDIT}`,
        'Eddy /s': Math.round(ws),
        'baseline /s': Math.round(direct),
        ratio: +(ws / direct).toFixed(2),
      },
      {
        case: `pull consume + ack, max ${PULL_MAX}`,
        'Eddy /s': Math.round(pull),
        'baseline /s': Math.round(direct),
        ratio: +(pull / direct).toFixed(2),
      },
    ];
    const load = loadavg()
      .map((value) => value.toFixed(1))
      .join(' ');
    printTable(
      `Gateway paths vs their baselines (publish: a bare Fastify route in the same child process; consume: the SQLite transport subscribed in process), ${ROUNDS} alternating rounds, ${total} events consumed per path; load average ${load}`,
      rows,
    );
    writeResults('gateway-paths', {
      seconds: SECONDS,
      rounds: ROUNDS,
      consume: total,
      loadAverage: loadavg(),
      rows,
    });
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Requests per second over all rounds, and the worst round's p99. */
function summed(rounds: readonly Published[]): Published {
  return {
    rps: rounds.reduce((sum, round) => sum + round.rps, 0) / rounds.length,
    p99: Math.max(...rounds.map((round) => round.p99)),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
  };
}
