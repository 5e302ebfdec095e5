// The gateway's per-event paths, each beside what it is built on, in one run:
// - one event per request (32 connections) through `POST /v1/topics/{topic}/events`, beside a bare
//   Fastify route in the same child process that parses the same JSON body and answers the same shape;
// - WebSocket consume with acks and HTTP pull consume with acks through the gateway, beside the
//   SQLite transport subscribed directly in process (the same log, the same number of events);
// - the protocol floor: the same consume client against a WebSocket server and a pull route in the
//   gateway's process with no broker behind them (deliveries of the gateway's shape written per
//   event, credit kept, acks parsed and looked up), so a run shows how much of a consume path's cost
//   is the protocol itself.
// Figures are medians over alternating rounds, with the CPU time spent per event (the gateway's
// child process for its paths, this process for the direct transport): on a loaded machine the
// CPU per event moves far less than the rates.
// Usage: node --conditions=@eddy/source --import tsx bench/gateway-paths.bench.ts [--cpu-prof-child]
//   [--consume-only] (skips the publish rows: a profile of the child then shows the consume paths alone)
//   [--publish-only] (the publish path alone, without filling and consuming topics)
// Environment: BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONSUME, BENCH_RATE (fixed publish requests/s),
//   BENCH_TRANSPORT=memory (with --publish-only: the gateway on the in-memory transport, which
//   answers without a commit or a flush, so the publish row shows the gateway's own work).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import WebSocket, { WebSocketServer } from 'ws';
import { createCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';
import { createMemoryTransport } from '@eddy/core/testing';
import { createSqliteTransport } from '@eddy/sqlite';
import { startServer } from '@eddy/server';
import { opsPerSecond, percentile, printTable, writeResults, type BenchRow } from './lib/report.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CONNECTIONS = 32;
const CONSUME = Number(process.env['BENCH_CONSUME'] ?? 20_000);
const CREDIT = 1_000;
const PULL_MAX = 1_000;
const KEYS = 1_000;
const CONSUME_ONLY = process.argv.includes('--consume-only');
const PUBLISH_ONLY = process.argv.includes('--publish-only');
// A fixed request rate for both routes (requests/s over all connections), for comparing CPU per
// event between two builds on a machine too loaded for their maximum rates to say anything.
const RATE = process.env['BENCH_RATE'] === undefined ? undefined : Number(process.env['BENCH_RATE']);
const MEMORY = process.env['BENCH_TRANSPORT'] === 'memory';

if (process.argv.includes('--serve')) {
  await serve(process.argv[process.argv.indexOf('--serve') + 1]!);
} else {
  await main();
}

/** CPU time (user + system) a process has used, ms; Linux `/proc`, as the bench machine runs. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
}

function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Runs `work` and returns its result with the CPU µs `cpuMs` counted per `events()` event. */
async function withCpu<T>(
  cpuMs: () => number,
  work: () => Promise<T>,
  events: (result: T) => number,
): Promise<{ result: T; cpuUsPerEvent: number }> {
  const before = cpuMs();
  const result = await work();
  return { result, cpuUsPerEvent: ((cpuMs() - before) * 1000) / Math.max(1, events(result)) };
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

function envelope(i: number): Record<string, unknown> {
  return { type: 'order.placed', key: `customer-${i % KEYS}`, data: { orderId: `o-${i}`, total: 42.5 } };
}

/**
 * The consume protocols with no broker behind them: deliveries of the gateway's JSON shape, written
 * per event from a fixed stored event as the gateway writes them from stored bytes, sent against the
 * client's credit, and acks parsed and looked up. What this costs per event is the floor under the
 * gateway's consume paths, whatever its storage does.
 */
function protocolFloor(): {
  serve: (socket: WebSocket, url: string) => void;
  pull: (max: number) => string;
  ack: (ackIds: readonly string[]) => void;
} {
  const event = JSON.stringify({
    specversion: '1.0',
    id: '0b7a3c52-4bb5-4f52-9d5e-6a0e8e0b1c11',
    source: '/gateway',
    type: 'order.placed',
    time: '2030-01-01T12:00:00.000Z',
    partitionkey: 'customer-1',
    datacontenttype: 'application/json',
    data: envelope(1)['data'],
  });
  const outstanding = new Set<string>();
  let next = 0;
  const delivery = (head: string): string => {
    const ackId = `floor.${(next += 1)}`;
    outstanding.add(ackId);
    return (
      `{${head}"ackId":"${ackId}","deliveryCount":1,"topic":"floor","partition":0,` +
      `"offset":"${next}","publishedAt":"2030-01-01T12:00:00.000Z","event":${event}}`
    );
  };
  const ack = (ackIds: readonly string[]): void => {
    for (const ackId of ackIds) outstanding.delete(ackId);
  };
  return {
    ack,
    pull: (max) => `{"messages":[${Array.from({ length: max }, () => delivery('')).join(',')}]}`,
    serve(socket, url) {
      const query = new URLSearchParams(url.slice(url.indexOf('?') + 1));
      const credit = Number(query.get('maxInFlight') ?? CREDIT);
      const batch = query.get('batch') === 'true';
      let unacked = 0;
      const fill = (): void => {
        if (batch) {
          const texts: string[] = [];
          for (; unacked < credit; unacked += 1) texts.push(delivery(''));
          if (texts.length > 0) socket.send(`{"type":"messages","messages":[${texts.join(',')}]}`);
        } else for (; unacked < credit; unacked += 1) socket.send(delivery('"type":"message",'));
      };
      socket.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as { type: string; ackIds?: string[] };
        if (frame.type !== 'ack' || frame.ackIds === undefined) return;
        ack(frame.ackIds);
        unacked -= frame.ackIds.length;
        fill();
      });
      fill();
    },
  };
}

/** Child: the gateway, a bare Fastify route and the protocol floor, on random ports of one process. */
async function serve(dataDir: string): Promise<void> {
  const handle = await startServer({
    dataDir,
    port: 0,
    logLevel: 'warn',
    limits: { rateLimitPerSecond: 0 },
    ...(MEMORY ? { transport: createMemoryTransport() } : {}),
  });
  const bare = Fastify({ logger: false });
  let offset = 0;
  bare.post('/v1/topics/:topic/events', async (request) => {
    // Parsed by Fastify's JSON parser, as the gateway parses its body; the answer has the same shape.
    const body = request.body as { id?: string };
    offset += 1;
    const { topic } = request.params as { topic: string };
    return { positions: [{ id: body.id ?? String(offset), topic, partition: 0, offset: String(offset) }] };
  });
  const floor = protocolFloor();
  bare.get('/v1/topics/:topic/groups/:group/messages', (request, reply) => {
    const { max } = request.query as { max?: string };
    void reply.type('application/json').send(floor.pull(Number(max ?? PULL_MAX)));
  });
  bare.post('/v1/topics/:topic/groups/:group/ack', (request) => {
    floor.ack((request.body as { ackIds: string[] }).ackIds);
    return { acked: true };
  });
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  const sockets = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  sockets.on('connection', (socket, request) => floor.serve(socket, request.url ?? ''));
  await new Promise((resolve) => sockets.once('listening', resolve));
  const floorWsUrl = `http://127.0.0.1:${(sockets.address() as { port: number }).port}`;
  console.log(JSON.stringify({ url: handle.url, bareUrl, floorWsUrl }));
  process.once('SIGTERM', () => {
    void Promise.all([handle.close(), bare.close()]).then(() => process.exit(0));
  });
}

interface Child {
  child: ChildProcess;
  url: string;
  bareUrl: string;
  floorWsUrl: string;
}

async function spawnChild(dataDir: string): Promise<Child> {
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
    const parsed = line.startsWith('{') ? (JSON.parse(line) as Partial<Omit<Child, 'child'>>) : {};
    if (parsed.url !== undefined && parsed.bareUrl !== undefined && parsed.floorWsUrl !== undefined)
      return { child, url: parsed.url, bareUrl: parsed.bareUrl, floorWsUrl: parsed.floorWsUrl };
  }
  throw new Error('child exited before printing its URLs');
}

interface Published {
  rps: number;
  p99: number;
  errors: number;
  requests: number;
}

async function singlePublish(url: string, topic: string): Promise<Published> {
  const result = await autocannon({
    url: `${url}/v1/topics/${topic}/events`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(envelope(1)),
    connections: CONNECTIONS,
    duration: SECONDS,
    ...(RATE === undefined ? {} : { overallRate: RATE }),
  });
  return {
    rps: result['2xx'] / SECONDS,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
    requests: result['2xx'],
  };
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

/** `batch`: with `?batch=true`, deliveries come as `messages` frames (one per server turn). */
async function wsConsume(url: string, topic: string, count: number, batch = false): Promise<number> {
  const socket = new WebSocket(
    `${url.replace('http', 'ws')}/v1/topics/${topic}/groups/ws/ws?from=earliest&maxInFlight=${CREDIT}${batch ? '&batch=true' : ''}`,
  );
  let received = 0;
  let pending: string[] = [];
  return opsPerSecond(count, async () => {
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as {
          type: string;
          ackId?: string;
          messages?: { ackId: string }[];
        };
        if (frame.type === 'message') pending.push(frame.ackId!);
        else if (frame.type === 'messages')
          for (const message of frame.messages!) pending.push(message.ackId);
        else return;
        received = frame.messages === undefined ? received + 1 : received + frame.messages.length;
        // Whatever arrived in this turn of the event loop is acked in one frame.
        if (pending.length === (frame.messages?.length ?? 1)) {
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

async function directConsume(
  dir: string,
  topic: string,
  count: number,
): Promise<{ result: number; cpuUsPerEvent: number }> {
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
  const cpuBefore = ownCpuMs();
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
  const cpuUsPerEvent = ((ownCpuMs() - cpuBefore) * 1000) / count;
  await transport.close();
  return { result: rate, cpuUsPerEvent };
}

async function main(): Promise<void> {
  if (MEMORY && !PUBLISH_ONLY) throw new Error('BENCH_TRANSPORT=memory goes with --publish-only');
  const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-paths-'));
  const { child, url, bareUrl, floorWsUrl } = await spawnChild(dir);
  const childCpu = (): number => cpuMsOf(child.pid!);
  try {
    // Rounds alternate Eddy and its baseline, so a change in the machine's load falls on both; each
    // round's ratio compares figures taken a few seconds apart, and the medians are reported.
    interface Round {
      eddy: Published;
      bare: Published;
      eddyCpu: number;
      bareCpu: number;
      ws: number;
      wsCpu: number;
      wsBatch: number;
      wsBatchCpu: number;
      pull: number;
      pullCpu: number;
      floorWs: number;
      floorWsCpu: number;
      floorWsBatch: number;
      floorWsBatchCpu: number;
      floorPull: number;
      floorPullCpu: number;
      direct: number;
      directCpu: number;
    }
    const rounds: Round[] = [];
    const perRound = Math.floor(CONSUME / ROUNDS);
    for (let round = 0; round < ROUNDS; round += 1) {
      const skipped = { result: { rps: 0, p99: 0, errors: 0, requests: 0 }, cpuUsPerEvent: 0 };
      const bare = CONSUME_ONLY
        ? skipped
        : await withCpu(
            childCpu,
            () => singlePublish(bareUrl, 'bare'),
            (r) => r.requests,
          );
      const eddy = CONSUME_ONLY
        ? skipped
        : await withCpu(
            childCpu,
            () => singlePublish(url, 'single'),
            (r) => r.requests,
          );
      if (PUBLISH_ONLY) {
        rounds.push({
          eddy: eddy.result,
          bare: bare.result,
          eddyCpu: eddy.cpuUsPerEvent,
          bareCpu: bare.cpuUsPerEvent,
          ws: Number.NaN,
          wsCpu: Number.NaN,
          wsBatch: Number.NaN,
          wsBatchCpu: Number.NaN,
          pull: Number.NaN,
          pullCpu: Number.NaN,
          floorWs: Number.NaN,
          floorWsCpu: Number.NaN,
          floorWsBatch: Number.NaN,
          floorWsBatchCpu: Number.NaN,
          floorPull: Number.NaN,
          floorPullCpu: Number.NaN,
          direct: Number.NaN,
          directCpu: Number.NaN,
        });
        console.log(
          `round ${round + 1}/${ROUNDS}: publish ${Math.round(eddy.result.rps)} vs ${Math.round(bare.result.rps)}/s, ` +
            `CPU ${Math.round(eddy.cpuUsPerEvent)} vs ${Math.round(bare.cpuUsPerEvent)} µs/event; load ${loadavg()[0]!.toFixed(1)}`,
        );
        continue;
      }
      await fill(url, `consume-ws-${round}`, perRound);
      await fill(url, `consume-pull-${round}`, perRound);
      await fill(url, `consume-ws-batch-${round}`, perRound);
      const ws = await withCpu(
        childCpu,
        () => wsConsume(url, `consume-ws-${round}`, perRound),
        () => perRound,
      );
      const wsBatch = await withCpu(
        childCpu,
        () => wsConsume(url, `consume-ws-batch-${round}`, perRound, true),
        () => perRound,
      );
      const pull = await withCpu(
        childCpu,
        () => pullConsume(url, `consume-pull-${round}`, perRound),
        () => perRound,
      );
      const floorWs = await withCpu(
        childCpu,
        () => wsConsume(floorWsUrl, 'floor', perRound),
        () => perRound,
      );
      const floorWsBatch = await withCpu(
        childCpu,
        () => wsConsume(floorWsUrl, 'floor', perRound, true),
        () => perRound,
      );
      const floorPull = await withCpu(
        childCpu,
        () => pullConsume(bareUrl, 'floor', perRound),
        () => perRound,
      );
      const direct = await directConsume(dir, `direct-${round}`, perRound);
      rounds.push({
        eddy: eddy.result,
        bare: bare.result,
        eddyCpu: eddy.cpuUsPerEvent,
        bareCpu: bare.cpuUsPerEvent,
        ws: ws.result,
        wsCpu: ws.cpuUsPerEvent,
        wsBatch: wsBatch.result,
        wsBatchCpu: wsBatch.cpuUsPerEvent,
        pull: pull.result,
        pullCpu: pull.cpuUsPerEvent,
        floorWs: floorWs.result,
        floorWsCpu: floorWs.cpuUsPerEvent,
        floorWsBatch: floorWsBatch.result,
        floorWsBatchCpu: floorWsBatch.cpuUsPerEvent,
        floorPull: floorPull.result,
        floorPullCpu: floorPull.cpuUsPerEvent,
        direct: direct.result,
        directCpu: direct.cpuUsPerEvent,
      });
      console.log(
        `round ${round + 1}/${ROUNDS}: publish ${Math.round(eddy.result.rps)} vs ${Math.round(bare.result.rps)}/s, ` +
          `ws ${Math.round(ws.result)}, ws batched ${Math.round(wsBatch.result)}, pull ${Math.round(pull.result)}, ` +
          `floor ws ${Math.round(floorWs.result)}, floor ws batched ${Math.round(floorWsBatch.result)}, floor pull ${Math.round(floorPull.result)}, direct ${Math.round(direct.result)}/s; ` +
          `load ${loadavg()[0]!.toFixed(1)}`,
      );
    }
    const med = (pick: (round: Round) => number): number => median(rounds.map(pick));
    const cpu = (value: number): number => Math.round(value);
    const rows: BenchRow[] = [];
    if (!CONSUME_ONLY) {
      rows.push({
        case: `publish one event per request, ${CONNECTIONS} connections`,
        'Eddy /s': Math.round(med((r) => r.eddy.rps)),
        'baseline /s': Math.round(med((r) => r.bare.rps)),
        ratio: +med((r) => r.eddy.rps / r.bare.rps).toFixed(2),
        'Eddy CPU µs/event': cpu(med((r) => r.eddyCpu)),
        'baseline CPU µs/event': cpu(med((r) => r.bareCpu)),
        'Eddy p99 ms': Math.max(...rounds.map((r) => r.eddy.p99)),
        'baseline p99 ms': Math.max(...rounds.map((r) => r.bare.p99)),
        errors: rounds.reduce((sum, r) => sum + r.eddy.errors + r.bare.errors, 0),
      });
    }
    if (!PUBLISH_ONLY)
      rows.push(
        {
          case: `WebSocket consume + ack, credit ${CREDIT}`,
          'Eddy /s': Math.round(med((r) => r.ws)),
          'baseline /s': Math.round(med((r) => r.direct)),
          ratio: +med((r) => r.ws / r.direct).toFixed(2),
          'Eddy CPU µs/event': cpu(med((r) => r.wsCpu)),
          'baseline CPU µs/event': cpu(med((r) => r.directCpu)),
        },
        {
          case: `WebSocket consume + ack, credit ${CREDIT}, ?batch=true`,
          'Eddy /s': Math.round(med((r) => r.wsBatch)),
          'baseline /s': Math.round(med((r) => r.direct)),
          ratio: +med((r) => r.wsBatch / r.direct).toFixed(2),
          'Eddy CPU µs/event': cpu(med((r) => r.wsBatchCpu)),
          'baseline CPU µs/event': cpu(med((r) => r.directCpu)),
        },
        {
          case: `pull consume + ack, max ${PULL_MAX}`,
          'Eddy /s': Math.round(med((r) => r.pull)),
          'baseline /s': Math.round(med((r) => r.direct)),
          ratio: +med((r) => r.pull / r.direct).toFixed(2),
          'Eddy CPU µs/event': cpu(med((r) => r.pullCpu)),
          'baseline CPU µs/event': cpu(med((r) => r.directCpu)),
        },
        {
          case: `protocol floor, no broker: WebSocket deliveries + acks, credit ${CREDIT}`,
          'Eddy /s': Math.round(med((r) => r.floorWs)),
          'baseline /s': Math.round(med((r) => r.direct)),
          ratio: +med((r) => r.floorWs / r.direct).toFixed(2),
          'Eddy CPU µs/event': cpu(med((r) => r.floorWsCpu)),
          'baseline CPU µs/event': cpu(med((r) => r.directCpu)),
        },
        {
          case: `protocol floor, no broker: WebSocket, credit ${CREDIT}, ?batch=true`,
          'Eddy /s': Math.round(med((r) => r.floorWsBatch)),
          'baseline /s': Math.round(med((r) => r.direct)),
          ratio: +med((r) => r.floorWsBatch / r.direct).toFixed(2),
          'Eddy CPU µs/event': cpu(med((r) => r.floorWsBatchCpu)),
          'baseline CPU µs/event': cpu(med((r) => r.directCpu)),
        },
        {
          case: `protocol floor, no broker: pull + ack, max ${PULL_MAX}`,
          'Eddy /s': Math.round(med((r) => r.floorPull)),
          'baseline /s': Math.round(med((r) => r.direct)),
          ratio: +med((r) => r.floorPull / r.direct).toFixed(2),
          'Eddy CPU µs/event': cpu(med((r) => r.floorPullCpu)),
          'baseline CPU µs/event': cpu(med((r) => r.directCpu)),
        },
      );
    const load = loadavg()
      .map((value) => value.toFixed(1))
      .join(' ');
    printTable(
      `Gateway paths vs their baselines${MEMORY ? ' (gateway on the in-memory transport)' : ''} (publish: a bare Fastify route in the same child process; consume: the SQLite transport subscribed in process), medians of ${ROUNDS} alternating rounds, ${perRound} events consumed per path and round; CPU: the gateway's process (its consume client excluded) vs this process for the direct transport; load average ${load}`,
      rows,
    );
    writeResults(PUBLISH_ONLY ? 'gateway-paths-publish' : 'gateway-paths', {
      seconds: SECONDS,
      rounds: ROUNDS,
      consumePerRound: perRound,
      loadAverage: loadavg(),
      perRound: rounds,
      rows,
    });
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}
