// Backpressure: a slow handler limited to 10 in flight faces a 1M-message backlog in the SQLite log.
// Memory must stay flat: the consumer stops fetching when its slots are full instead of buffering.
// Each consumer runs in its own process (fresh RSS), first through the Eddy bus (CloudEvents decode,
// middleware, retries, dedup off), then through the same SQLite transport used directly.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBus } from '@eddy/core';
import { createSqliteTransport } from '@eddy/sqlite';
import { printTable, writeResults } from './lib/report.js';

const BACKLOG = 1_000_000;
const MAX_IN_FLIGHT = 10;
const RUN_MS = 15_000;
const HANDLER_MS = 2;
const TOPIC = 'backlog';

interface Sample {
  readonly variant: string;
  readonly consumed: number;
  readonly maxConcurrent: number;
  readonly rssBaselineMb: number;
  readonly rssPeakMb: number;
  readonly rssEndMb: number;
  readonly heapPeakMb: number;
  /** RSS at each quarter of the run: flat means bounded. */
  readonly rssQuartersMb: readonly number[];
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function consume(variant: 'eddy' | 'direct', path: string): Promise<Sample> {
  const transport = createSqliteTransport({ path, partitions: 4 });
  let running = 0;
  let maxConcurrent = 0;
  let consumed = 0;
  const work = async (): Promise<void> => {
    running++;
    maxConcurrent = Math.max(maxConcurrent, running);
    await sleep(HANDLER_MS);
    running--;
    consumed++;
  };
  let stop: () => Promise<void>;
  if (variant === 'eddy') {
    const bus = createBus<{ 'job.queued': { n: number } }>({ transport, topicFor: () => TOPIC });
    bus.on('job.queued', work, { name: 'bench-eddy', from: 'earliest', maxInFlight: MAX_IN_FLIGHT });
    await bus.start();
    stop = () => bus.stop({ deadlineMs: 1_000 });
  } else {
    const subscription = await transport.subscribe(
      TOPIC,
      { group: 'bench-direct', from: 'earliest', maxInFlight: MAX_IN_FLIGHT },
      work,
    );
    stop = async () => {
      await subscription.close();
      await transport.close();
    };
  }
  // Baseline once the consumer is warm, then the peak over the rest of the run.
  await sleep(1_000);
  const rssBaseline = process.memoryUsage().rss;
  let rssPeak = rssBaseline;
  let heapPeak = process.memoryUsage().heapUsed;
  const startedAt = Date.now();
  const rssQuarters: number[] = [];
  while (Date.now() - startedAt < RUN_MS) {
    await sleep(100);
    const usage = process.memoryUsage();
    rssPeak = Math.max(rssPeak, usage.rss);
    heapPeak = Math.max(heapPeak, usage.heapUsed);
    if (Date.now() - startedAt >= ((rssQuarters.length + 1) * RUN_MS) / 4) rssQuarters.push(mb(usage.rss));
  }
  const rssEnd = process.memoryUsage().rss;
  await stop();
  return {
    variant,
    consumed,
    maxConcurrent,
    rssBaselineMb: mb(rssBaseline),
    rssPeakMb: mb(rssPeak),
    rssEndMb: mb(rssEnd),
    heapPeakMb: mb(heapPeak),
    rssQuartersMb: rssQuarters,
  };
}

async function fillBacklog(path: string): Promise<number> {
  const transport = createSqliteTransport({ path, partitions: 4, synchronous: 'normal' });
  const bus = createBus<{ 'job.queued': { n: number } }>({ transport, topicFor: () => TOPIC });
  // One real bus publish gives the exact envelope; the backlog reuses it with fresh ids, because
  // this benchmark is about consuming, not encoding.
  await bus.publish('job.queued', { n: 0 });
  const template = transport.admin.readMessages(TOPIC, { partition: 0, fromOffset: 0, limit: 1 })[0];
  const sample =
    template ??
    transport.admin
      .listTopics()
      .find((topic) => topic.name === TOPIC)!
      .partitionInfo.flatMap((p) =>
        transport.admin.readMessages(TOPIC, { partition: p.partition, fromOffset: 0, limit: 1 }),
      )[0]!;
  const started = Date.now();
  const batch = 10_000;
  for (let i = 1; i < BACKLOG; i += batch) {
    const size = Math.min(batch, BACKLOG - i);
    await transport.publish(
      TOPIC,
      Array.from({ length: size }, (_, j) => ({
        key: `k${(i + j) % 1_000}`,
        headers: { ...sample.headers, 'ce-id': `job-${i + j}` },
        payload: sample.payload,
      })),
    );
  }
  await transport.close();
  return Date.now() - started;
}

const child = process.argv.indexOf('--child');
if (child !== -1) {
  const variant = process.argv[child + 1] as 'eddy' | 'direct';
  const path = process.argv[child + 2]!;
  process.stdout.write(`${JSON.stringify(await consume(variant, path))}\n`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-backpressure-'));
  try {
    const path = join(dir, 'log.db');
    console.log(`filling a ${BACKLOG.toLocaleString('en-US')}-message backlog...`);
    const fillMs = await fillBacklog(path);
    console.log(`backlog written in ${(fillMs / 1000).toFixed(1)} s`);
    const samples: Sample[] = [];
    for (const variant of ['eddy', 'direct'] as const) {
      const result = spawnSync(
        process.execPath,
        [
          '--conditions=@eddy/source',
          '--import',
          'tsx',
          fileURLToPath(import.meta.url),
          '--child',
          variant,
          path,
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      if (result.status !== 0) throw new Error(`${variant} consumer failed`);
      samples.push(JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Sample);
    }
    const rows = samples.map((s) => ({
      consumer: s.variant === 'eddy' ? 'Eddy bus (sqlite)' : 'sqlite transport directly',
      backlog: BACKLOG,
      'max in flight': MAX_IN_FLIGHT,
      'max concurrent seen': s.maxConcurrent,
      [`consumed in ${RUN_MS / 1000} s`]: s.consumed,
      'msg/s': Math.round(s.consumed / (RUN_MS / 1000)),
      'RSS baseline MB': s.rssBaselineMb,
      'RSS peak MB': s.rssPeakMb,
      'RSS growth MB': Math.round((s.rssPeakMb - s.rssBaselineMb) * 10) / 10,
      'heap peak MB': s.heapPeakMb,
      'RSS by quarter MB': s.rssQuartersMb.join(' / '),
    }));
    printTable(`Backpressure: slow handler (${HANDLER_MS} ms), ${MAX_IN_FLIGHT} in flight, 1M backlog`, rows);
    writeResults('backpressure', {
      backlog: BACKLOG,
      maxInFlight: MAX_IN_FLIGHT,
      runMs: RUN_MS,
      fillMs,
      samples,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
