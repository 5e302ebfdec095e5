// @eddy/webhooks: deliveries per second from the webhook dispatcher to a local receiver, next to a
// plain fetch loop (undici's fetch, the client the dispatcher uses) posting the same bodies with
// the same concurrency; and the latency a delivery adds: enqueue -> 2xx recorded, next to one
// fetch -> response, one at a time. The receiver runs in its own process, answering 200 at once.
// The dispatcher signs each delivery (Standard Webhooks), checks the destination, logs the attempt
// and settles it in its store; the memory and SQLite stores are both measured.
// Run: node --conditions=@eddy/source --import tsx bench/webhooks.bench.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudEvent } from '@eddy/core';
import { createSqliteDeliveryStore, createSqliteEndpointStore } from '@eddy/sqlite';
import {
  createMemoryDeliveryStore,
  createMemoryEndpointStore,
  createWebhookDispatcher,
  deliveryIdOf,
  newEndpoint,
  webhookPayload,
  type DeliveryStore,
  type EndpointStore,
} from '@eddy/webhooks';
import { Agent, fetch } from 'undici';
import { overallRate, percentile, printTable, writeResults, type BenchRow } from './lib/report.js';

const CONCURRENCY = 32;
const DELIVERIES = 4_000;
const ROUNDS = 4;
const LATENCY_SAMPLES = 400;
const DATA = { orderId: 'o-123456', customer: 'c-42', total: 129.5, lines: [{ sku: 'SKU-1', qty: 2 }] };

const RECEIVER = `
const http = require('node:http');
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function startReceiver(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) =>
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
  );
  return { url: `http://127.0.0.1:${port}/hooks`, stop: () => child.kill() };
}

let sequence = 0;
function event(): CloudEvent {
  sequence += 1;
  return {
    specversion: '1.0',
    id: `evt-${sequence}`,
    source: '/bench',
    type: 'order.placed',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: DATA,
  };
}

/** A delivery store that reports each success, so a run is timed to its last 2xx. */
function counting(store: DeliveryStore, onSucceeded: (id: string) => void): DeliveryStore {
  return {
    ...store,
    enqueue: (deliveries, now) => store.enqueue(deliveries, now),
    claimDue: (options) => store.claimDue(options),
    async settle(id, settlement) {
      const settled = await store.settle(id, settlement);
      if (settled && settlement.status === 'succeeded') onSucceeded(id);
      return settled;
    },
    get: (id) => store.get(id),
    list: (query) => store.list(query),
    listAttempts: (id) => store.listAttempts(id),
    redeliver: (id, now) => store.redeliver(id, now),
    purge: (before) => store.purge(before),
    close: () => store.close(),
  };
}

interface Stores {
  readonly name: string;
  open(): { endpoints: EndpointStore; deliveries: DeliveryStore };
}

const scratch = mkdtempSync(join(tmpdir(), 'eddy-bench-webhooks-'));
let files = 0;
const storeKinds: readonly Stores[] = [
  {
    name: 'eddy dispatcher, memory stores',
    open: () => ({ endpoints: createMemoryEndpointStore(), deliveries: createMemoryDeliveryStore() }),
  },
  ...(['full', 'normal'] as const).map((synchronous) => ({
    name: `eddy dispatcher, SQLite stores (synchronous=${synchronous})`,
    open: () => {
      files += 1;
      const path = join(scratch, `webhooks-${files}.db`);
      return {
        endpoints: createSqliteEndpointStore({ database: path, synchronous }),
        deliveries: createSqliteDeliveryStore({ database: path, synchronous }),
      };
    },
  })),
];

/** Sends `count` deliveries through a dispatcher; the rate from start() to the last success. */
async function eddyRound(
  kind: Stores,
  url: string,
  count: number,
): Promise<{ rate: number; enqueueRate: number }> {
  const { endpoints, deliveries } = kind.open();
  let succeeded = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const store = counting(deliveries, () => {
    succeeded += 1;
    if (succeeded === count) finish();
  });
  await endpoints.create(newEndpoint({ id: 'bench', url }), Date.now());
  const dispatcher = createWebhookDispatcher({
    endpoints,
    deliveries: store,
    allowDestinations: ['127.0.0.1'],
    concurrency: CONCURRENCY,
  });
  const enqueueStarted = performance.now();
  for (let index = 0; index < count; index += 1) await dispatcher.enqueue(event());
  const enqueueRate = count / ((performance.now() - enqueueStarted) / 1000);
  const started = performance.now();
  dispatcher.start();
  await done;
  const rate = count / ((performance.now() - started) / 1000);
  await dispatcher.stop();
  await endpoints.close();
  await deliveries.close();
  return { rate, enqueueRate };
}

/** The same bodies posted by `CONCURRENCY` fetch loops. */
async function directRound(url: string, count: number): Promise<number> {
  const agent = new Agent({ connections: CONCURRENCY });
  const body = webhookPayload(event());
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        next += 1;
        const response = await fetch(url, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
          dispatcher: agent,
        });
        await response.text();
        if (response.status !== 200) throw new Error(`receiver answered ${response.status}`);
      }
    }),
  );
  const rate = count / ((performance.now() - started) / 1000);
  await agent.close();
  return rate;
}

async function eddyLatencies(kind: Stores, url: string): Promise<number[]> {
  const { endpoints, deliveries } = kind.open();
  const waiting = new Map<string, () => void>();
  const store = counting(deliveries, (id) => waiting.get(id)?.());
  await endpoints.create(newEndpoint({ id: 'bench', url }), Date.now());
  const dispatcher = createWebhookDispatcher({
    endpoints,
    deliveries: store,
    allowDestinations: ['127.0.0.1'],
    concurrency: CONCURRENCY,
  });
  dispatcher.start();
  const samples: number[] = [];
  for (let index = 0; index < LATENCY_SAMPLES + 20; index += 1) {
    const sent = event();
    const landed = new Promise<void>((resolve) => waiting.set(deliveryIdOf('bench', sent.id), resolve));
    const started = performance.now();
    await dispatcher.enqueue(sent);
    await landed;
    if (index >= 20) samples.push(performance.now() - started);
  }
  await dispatcher.stop();
  await endpoints.close();
  await deliveries.close();
  return samples;
}

async function directLatencies(url: string): Promise<number[]> {
  const agent = new Agent({ connections: CONCURRENCY });
  const body = webhookPayload(event());
  const samples: number[] = [];
  for (let index = 0; index < LATENCY_SAMPLES + 20; index += 1) {
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      dispatcher: agent,
    });
    await response.text();
    if (index >= 20) samples.push(performance.now() - started);
  }
  await agent.close();
  return samples;
}

const receiver = await startReceiver();
try {
  // Warm-up of both sides (JIT, connections), not counted.
  await directRound(receiver.url, 500);
  await eddyRound(storeKinds[0]!, receiver.url, 500);
  const direct: number[] = [];
  const eddy = new Map<string, { rates: number[]; enqueue: number[] }>(
    storeKinds.map((kind) => [kind.name, { rates: [], enqueue: [] }]),
  );
  for (let round = 0; round < ROUNDS; round += 1) {
    direct.push(await directRound(receiver.url, DELIVERIES));
    for (const kind of storeKinds) {
      const result = await eddyRound(kind, receiver.url, DELIVERIES);
      eddy.get(kind.name)!.rates.push(result.rate);
      eddy.get(kind.name)!.enqueue.push(result.enqueueRate);
    }
  }
  const directRate = overallRate(direct);
  const throughput: BenchRow[] = [
    {
      system: `plain fetch loop (undici), ${CONCURRENCY} concurrent`,
      'deliveries/s': Math.round(directRate),
      ratio: 1,
      'enqueue/s': '-',
    },
    ...storeKinds.map((kind) => {
      const { rates, enqueue } = eddy.get(kind.name)!;
      const rate = overallRate(rates);
      return {
        system: `${kind.name}, concurrency ${CONCURRENCY}`,
        'deliveries/s': Math.round(rate),
        ratio: Math.round((rate / directRate) * 100) / 100,
        'enqueue/s': Math.round(overallRate(enqueue)),
      };
    }),
  ];
  printTable(
    `Throughput: ${DELIVERIES} deliveries x ${ROUNDS} rounds to a local receiver (target ratio >= 0.8)`,
    throughput,
  );

  const directSamples = await directLatencies(receiver.url);
  const latency: BenchRow[] = [
    {
      system: 'plain fetch, one at a time',
      'p50 ms': percentile(directSamples, 50),
      'p99 ms': percentile(directSamples, 99),
      'added p50 ms': 0,
      'added p99 ms': 0,
    },
  ];
  for (const kind of storeKinds) {
    const samples = await eddyLatencies(kind, receiver.url);
    latency.push({
      system: `${kind.name}: enqueue -> 2xx recorded`,
      'p50 ms': percentile(samples, 50),
      'p99 ms': percentile(samples, 99),
      'added p50 ms': percentile(samples, 50) - percentile(directSamples, 50),
      'added p99 ms': percentile(samples, 99) - percentile(directSamples, 99),
    });
  }
  printTable(`Latency, ${LATENCY_SAMPLES} deliveries one at a time`, latency);
  writeResults('webhooks', {
    concurrency: CONCURRENCY,
    deliveries: DELIVERIES,
    rounds: ROUNDS,
    throughput,
    latency,
  });
} finally {
  receiver.stop();
  rmSync(scratch, { recursive: true, force: true });
}
