// Fair groups on the SQLite log: latency of a quiet tenant's events while a noisy tenant has a
// backlog 100 times larger, with fair groups (`group: { key: 'data.tenant' }`) and, side by side,
// without them (the same handler, slots taken in log order). Latency runs from just before the
// quiet event's `publish` to its handler starting; each handler call takes WORK_MS.
// Run: node --conditions=@eddy/source --import tsx bench/fair-groups.bench.ts
// FAIR_BENCH_QUIET sets the quiet events (default 50; the noisy backlog is 100 times that).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBus } from '@eddy/core';
import { createCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';
import { createSqliteTransport } from '@eddy/sqlite';
import { percentile, printTable, writeResults, type BenchRow } from './lib/report.js';

const QUIET = Number(process.env['FAIR_BENCH_QUIET'] ?? 50);
const NOISY = QUIET * 100;
const QUIET_EVERY_MS = 20;
const WORK_MS = 2;
const SLOTS = 8;
const TOPIC = 'jobs';
const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-fair-'));

interface Events {
  'job.run': { tenant: string; sentAt: number };
}

/** Writes the noisy backlog straight through the transport, in batches of 1,000. */
async function fillBacklog(path: string): Promise<void> {
  const transport = createSqliteTransport({ path });
  const { headers, payload } = encodeCloudEvent(
    createCloudEvent({
      id: 'noisy',
      source: '/bench',
      type: 'job.run',
      data: { tenant: 'noisy', sentAt: 0 },
    }),
    { mode: 'binary' },
  );
  const batch = Array.from({ length: 1_000 }, () => ({ headers, payload }));
  for (let written = 0; written < NOISY; written += batch.length) {
    await transport.publish(TOPIC, batch.slice(0, Math.min(batch.length, NOISY - written)));
  }
  await transport.close();
}

async function run(fair: boolean): Promise<{ latencies: number[]; noisyHandled: number; ms: number }> {
  const path = join(dir, `${fair ? 'fair' : 'plain'}.db`);
  await fillBacklog(path);
  const bus = createBus<Events>({ transport: createSqliteTransport({ path }), topicFor: () => TOPIC });
  const latencies: number[] = [];
  let noisyHandled = 0;
  bus.on(
    'job.run',
    async (event) => {
      if (event.data.tenant === 'noisy') noisyHandled += 1;
      else latencies.push(performance.now() - event.data.sentAt);
      await new Promise((resolve) => setTimeout(resolve, WORK_MS));
    },
    {
      from: 'earliest',
      maxInFlight: SLOTS,
      // The buffer holds the whole backlog, so the quiet tenant's events are fetched as they come.
      ...(fair ? { group: { key: 'data.tenant', concurrency: SLOTS, buffer: NOISY + QUIET } } : {}),
    },
  );
  const started = performance.now();
  await bus.start();
  for (let i = 0; i < QUIET; i++) {
    await bus.publish('job.run', { tenant: 'quiet', sentAt: performance.now() });
    await new Promise((resolve) => setTimeout(resolve, QUIET_EVERY_MS));
  }
  const deadline = Date.now() + 120_000;
  while (latencies.length < QUIET && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
  const ms = performance.now() - started;
  await bus.stop({ deadlineMs: 1_000 });
  return { latencies, noisyHandled, ms };
}

async function main(): Promise<void> {
  try {
    const withFairness = await run(true);
    const without = await run(false);
    const row = (
      name: string,
      result: { latencies: number[]; noisyHandled: number; ms: number },
    ): BenchRow => ({
      consumer: name,
      'quiet served': `${result.latencies.length} of ${QUIET}`,
      'p50 ms': percentile(result.latencies, 50),
      'p99 ms': percentile(result.latencies, 99),
      'noisy handled meanwhile': result.noisyHandled,
    });
    printTable(
      `Quiet tenant (1 event per ${QUIET_EVERY_MS} ms) behind a noisy backlog of ${NOISY.toLocaleString('en-US')}, ${SLOTS} slots, ${WORK_MS} ms per event, SQLite log`,
      [
        row(`fair groups (data.tenant, buffer ${(NOISY + QUIET).toLocaleString('en-US')})`, withFairness),
        row('no fair groups (log order)', without),
      ],
    );
    writeResults('fair-groups', {
      quiet: QUIET,
      noisy: NOISY,
      fair: { p50: percentile(withFairness.latencies, 50), p99: percentile(withFairness.latencies, 99) },
      plain: { p50: percentile(without.latencies, 50), p99: percentile(without.latencies, 99) },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
