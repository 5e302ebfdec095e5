// Priority lanes on the SQLite log: latency of urgent events (priority 9) while a backlog of low
// ones (priority 0) drains, with lanes and, side by side, without them (the same urgent events
// published behind the backlog). The urgent events come from another process, as producers do;
// latency runs from just before its `publish` to the handler starting (one machine, one clock).
// Run: node --conditions=@eddy/source --import tsx bench/priority.bench.ts
// PRIORITY_BENCH_BACKLOG sets the backlog (default 1,000,000), PRIORITY_BENCH_URGENT the urgent count,
// PRIORITY_BENCH_PLAIN=0 skips the run without lanes (quicker iterations).
// Breakdown: the publisher reports each publish's duration (commit and fsync); what remains of an
// urgent event's latency is the consumer's (wake-up, read, hand-out, waiting for a handler slot).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { createBus } from '@eddy/core';
import { createCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';
import { createSqliteTransport } from '@eddy/sqlite';
import { percentile, printTable, writeResults, type BenchRow } from './lib/report.js';

const BACKLOG = Number(process.env['PRIORITY_BENCH_BACKLOG'] ?? 1_000_000);
const URGENT = Number(process.env['PRIORITY_BENCH_URGENT'] ?? 200);
const URGENT_EVERY_MS = 10;
const PLAIN = process.env['PRIORITY_BENCH_PLAIN'] !== '0';
const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-priority-'));
const TOPIC = 'jobs';

interface Events {
  'job.run': { id: number; sentAt: number };
}

/** Milliseconds on a clock shared by processes of this machine, with sub-ms resolution. */
function clock(): number {
  return performance.timeOrigin + performance.now();
}

/** The child: publishes the urgent events into the database at `path`, one per URGENT_EVERY_MS. */
async function publishUrgent(path: string, priority: number): Promise<void> {
  const bus = createBus<Events>({ transport: createSqliteTransport({ path }), topicFor: () => TOPIC });
  const publishMs: number[] = [];
  for (let id = 0; id < URGENT; id++) {
    const sentAt = clock();
    await bus.publish('job.run', { id, sentAt }, { priority });
    const took = clock() - sentAt;
    publishMs.push(took);
    process.send?.({ id, publishMs: took });
    await new Promise((resolve) => setTimeout(resolve, URGENT_EVERY_MS));
  }
  await bus.stop();
  // The publish (commit and fsync) is part of the latency; the parent prints this next to it.
  console.log(
    `publisher: publish p50 ${percentile(publishMs, 50).toFixed(1)} ms, p99 ${percentile(publishMs, 99).toFixed(1)} ms`,
  );
}

function runPublisher(
  path: string,
  priority: number,
  published: (id: number, publishMs: number) => void,
): Promise<void> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--publisher', path, String(priority)],
    { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] },
  );
  child.on('message', (message: { id: number; publishMs: number }) =>
    published(message.id, message.publishMs),
  );
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`publisher exited with ${code}`))));
  });
}

/** Writes the low-priority backlog straight through the transport, in batches of 1,000. */
async function fillBacklog(path: string): Promise<number> {
  const transport = createSqliteTransport({ path });
  const started = performance.now();
  const { headers, payload } = encodeCloudEvent(
    createCloudEvent({ id: 'low', source: '/bench', type: 'job.run', data: { id: -1, sentAt: 0 } }),
    { mode: 'binary' },
  );
  const batch = Array.from({ length: 1_000 }, () => ({ headers, payload }));
  for (let written = 0; written < BACKLOG; written += batch.length) {
    await transport.publish(TOPIC, batch.slice(0, Math.min(batch.length, BACKLOG - written)));
  }
  await transport.close();
  return BACKLOG / ((performance.now() - started) / 1000);
}

interface RunResult {
  readonly latencies: number[];
  /** Per urgent event served: its latency less its publish (commit and fsync), the consumer's share. */
  readonly consumerMs: number[];
  readonly publishMs: number[];
  readonly lowHandled: number;
  readonly fillRate: number;
  readonly gcPauses: number[];
}

async function run(lanes: boolean): Promise<RunResult> {
  const name = lanes ? 'lanes' : 'plain';
  const path = join(dir, `${name}.db`);
  const fillRate = await fillBacklog(path);
  const bus = createBus<Events>({ transport: createSqliteTransport({ path }), topicFor: () => TOPIC });
  const latencies: number[] = [];
  const latencyById = new Map<number, number>();
  const publishById = new Map<number, number>();
  let lowHandled = 0;
  bus.on(
    'job.run',
    (event) => {
      if (event.data.id < 0) lowHandled += 1;
      else {
        const latency = clock() - event.data.sentAt;
        latencies.push(latency);
        latencyById.set(event.data.id, latency);
      }
    },
    { from: 'earliest', maxInFlight: 64, ...(lanes ? { priority: { slots: 16 } } : {}) },
  );
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  const gcPauses: number[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcPauses.push(entry.duration);
  });
  const started = performance.now();
  const phase = (what: string): void =>
    console.log(
      `${name}: ${what} after ${Math.round(performance.now() - started)} ms, ${lowHandled} low handled`,
    );
  await bus.start();
  // Let the drain reach its pace before the urgent events start.
  while (lowHandled < 5_000) await new Promise((resolve) => setTimeout(resolve, 10));
  phase('urgent events start');
  loopDelay.enable();
  gcObserver.observe({ entryTypes: ['gc'] });
  await runPublisher(path, lanes ? 9 : 0, (id, publishMs) => publishById.set(id, publishMs));
  loopDelay.disable();
  gcObserver.disconnect();
  phase('urgent events published');
  console.log(
    `${name}: consumer event-loop delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, ` +
      `p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms; ` +
      `GC ${gcPauses.length} pauses, ${Math.round(gcPauses.reduce((sum, ms) => sum + ms, 0))} ms in all, ` +
      `longest ${Math.max(0, ...gcPauses).toFixed(1)} ms; load average ${loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')}`,
  );
  const deadline = Date.now() + 5_000;
  while (latencies.length < URGENT && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
  phase('urgent events served');
  const handledDuringUrgent = lowHandled;
  await bus.stop({ deadlineMs: 1_000 });
  phase('stopped');
  const consumerMs = [...latencyById].map(([id, latency]) => latency - (publishById.get(id) ?? 0));
  return {
    latencies,
    consumerMs,
    publishMs: [...publishById.values()],
    lowHandled: handledDuringUrgent,
    fillRate,
    gcPauses,
  };
}

async function main(): Promise<void> {
  try {
    const withLanes = await run(true);
    const without = PLAIN ? await run(false) : undefined;
    const ms = (samples: number[], p: number): number | string =>
      samples.length === 0 ? 'n/a' : Math.round(percentile(samples, p) * 100) / 100;
    const row = (name: string, result: RunResult): BenchRow => ({
      consumer: name,
      'urgent served': `${result.latencies.length} of ${URGENT}`,
      'p50 ms': ms(result.latencies, 50),
      'p99 ms': result.latencies.length === URGENT ? ms(result.latencies, 99) : 'not all served',
      'publish p50': ms(result.publishMs, 50),
      'publish p99': ms(result.publishMs, 99),
      'consumer p50': ms(result.consumerMs, 50),
      'consumer p99': ms(result.consumerMs, 99),
      'low handled meanwhile': result.lowHandled,
    });
    printTable(
      `Urgent events (1 per ${URGENT_EVERY_MS} ms) while ${BACKLOG.toLocaleString('en-US')} low-priority events drain, SQLite log (backlog written at ${Math.round(withLanes.fillRate).toLocaleString('en-US')}/s); load average ${loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')}`,
      [
        row('priority lanes (urgent at 9)', withLanes),
        ...(without === undefined ? [] : [row('no lanes (urgent behind the backlog)', without)]),
      ],
    );
    console.log(
      'publish: the urgent publish in the other process (commit and fsync); consumer: latency less that publish.',
    );
    writeResults('priority', {
      backlog: BACKLOG,
      urgent: URGENT,
      load: loadavg(),
      lanes: {
        p50: percentile(withLanes.latencies, 50),
        p99: percentile(withLanes.latencies, 99),
        served: withLanes.latencies.length,
        publishP99: percentile(withLanes.publishMs, 99),
        consumerP99: percentile(withLanes.consumerMs, 99),
      },
      ...(without === undefined ? {} : { plain: { served: without.latencies.length } }),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const publisherAt = process.argv.indexOf('--publisher');
if (publisherAt >= 0)
  await publishUrgent(process.argv[publisherAt + 1]!, Number(process.argv[publisherAt + 2]));
else await main();
