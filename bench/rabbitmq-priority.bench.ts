// Urgent-event latency on RabbitMQ while a backlog of ordinary events drains: priority lanes
// (quorum queues, the default), native priority (`priorityQueues: true`: classic queues with
// x-max-priority) and, as the baseline, no priority at all (urgent events queue behind the
// backlog). Latency runs from just before an urgent event's `publish` to its handler starting.
// Each mode runs PRIORITY_BENCH_RUNS times, alternating; the table shows medians over the runs.
// Run: node --conditions=@eddy/source --import tsx bench/rabbitmq-priority.bench.ts
// PRIORITY_BENCH_BACKLOG sets the backlog (default 20,000), PRIORITY_BENCH_URGENT the urgent count.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createBus } from '@eddy/core';
import { createCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';
import { createRabbitMqTransport } from '@eddy/rabbitmq';
import { deleteRabbitTopology, RABBIT_URL as URL } from './lib/rabbitmq-topology.js';
import { percentile, printTable, writeResults, type BenchRow } from './lib/report.js';

const BACKLOG = Number(process.env['PRIORITY_BENCH_BACKLOG'] ?? 20_000);
const URGENT = Number(process.env['PRIORITY_BENCH_URGENT'] ?? 100);
const RUNS = Number(process.env['PRIORITY_BENCH_RUNS'] ?? 3);
const URGENT_EVERY_MS = 10;
const PARTITIONS = 4;
const TOPIC = 'jobs';
const GROUP = 'bench.job.run';

type Mode = 'lanes' | 'native' | 'none';

interface Events {
  'job.run': { id: number; sentAt: number };
}

interface Result {
  latencies: number[];
  lowHandled: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every topic the lanes mode may declare: the topic and its nine lanes. */
const LANE_TOPICS = Array.from({ length: 10 }, (_, level) =>
  level === 0 ? TOPIC : `${TOPIC}.priority-${level}`,
);

async function run(mode: Mode): Promise<Result> {
  const prefix = `eddy-bench-prio-${randomBytes(4).toString('hex')}`;
  const options = { url: URL, namePrefix: prefix, partitions: PARTITIONS, priorityQueues: mode === 'native' };
  const bus = createBus<Events>({
    transport: await createRabbitMqTransport(options),
    group: 'bench',
    topicFor: () => TOPIC,
  });
  const latencies: number[] = [];
  let lowHandled = 0;
  const handlerOptions = { maxInFlight: 16, ...(mode === 'none' ? {} : { priority: { slots: 16 } }) };
  bus.on('job.run', () => undefined, handlerOptions);
  try {
    // The group's queues exist once the bus started; the backlog is written before anyone reads.
    await bus.start();
    await bus.stop();
    const publisher = await createRabbitMqTransport(options);
    const { headers, payload } = encodeCloudEvent(
      createCloudEvent({ id: 'low', source: '/bench', type: 'job.run', data: { id: -1, sentAt: 0 } }),
      { mode: 'binary' },
    );
    const batch = Array.from({ length: 500 }, () => ({ headers, payload }));
    for (let written = 0; written < BACKLOG; written += batch.length)
      await publisher.publish(TOPIC, batch.slice(0, Math.min(batch.length, BACKLOG - written)));
    await publisher.close();

    const consumer = createBus<Events>({
      transport: await createRabbitMqTransport(options),
      group: 'bench',
      topicFor: () => TOPIC,
    });
    consumer.on(
      'job.run',
      async (event) => {
        if (event.data.id < 0) {
          lowHandled += 1;
          await sleep(1);
        } else latencies.push(performance.now() - event.data.sentAt);
      },
      handlerOptions,
    );
    await consumer.start();
    while (lowHandled < 1_000) await sleep(10);
    const urgentBus = createBus<Events>({
      transport: await createRabbitMqTransport(options),
      group: 'bench-producer',
      topicFor: () => TOPIC,
    });
    for (let id = 0; id < URGENT; id += 1) {
      await urgentBus.publish(
        'job.run',
        { id, sentAt: performance.now() },
        mode === 'none' ? {} : { priority: 9 },
      );
      await sleep(URGENT_EVERY_MS);
    }
    await urgentBus.stop();
    const deadline = Date.now() + 10_000;
    while (latencies.length < URGENT && Date.now() < deadline) await sleep(10);
    const lowMeanwhile = lowHandled;
    await consumer.stop({ deadlineMs: 2_000 });
    return { latencies, lowHandled: lowMeanwhile };
  } finally {
    await deleteRabbitTopology(prefix, LANE_TOPICS, [GROUP]).catch((error: unknown) =>
      console.error('cleanup failed', error),
    );
  }
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const results: Record<Mode, Result[]> = { lanes: [], native: [], none: [] };
  for (let round = 0; round < RUNS; round += 1) {
    for (const mode of ['lanes', 'native', 'none'] as const) {
      const result = await run(mode);
      results[mode].push(result);
      console.log(
        `round ${round + 1} ${mode}: ${result.latencies.length}/${URGENT} served, p50 ${percentile(result.latencies, 50).toFixed(1)} ms, load ${loadavg()[0]!.toFixed(2)}`,
      );
    }
  }
  const loadAfter = loadavg();
  const labels: Record<Mode, string> = {
    lanes: 'priority lanes (quorum queues)',
    native: 'native priority (priorityQueues)',
    none: 'no priority (urgent behind the backlog)',
  };
  const row = (mode: Mode): BenchRow => {
    const runs = results[mode];
    const served = runs.map((result) => result.latencies.length);
    return {
      consumer: labels[mode],
      'urgent served (min of runs)': `${Math.min(...served)} of ${URGENT}`,
      'p50 ms (median of runs)': median(runs.map((result) => percentile(result.latencies, 50))),
      'p99 ms (median of runs)': median(runs.map((result) => percentile(result.latencies, 99))),
      'low handled meanwhile': median(runs.map((result) => result.lowHandled)),
    };
  };
  printTable(
    `Urgent events (1 per ${URGENT_EVERY_MS} ms) while ${BACKLOG.toLocaleString('en-US')} ordinary events drain, RabbitMQ, ${RUNS} runs per mode; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after`,
    (['lanes', 'native', 'none'] as const).map(row),
  );
  writeResults('rabbitmq-priority', {
    backlog: BACKLOG,
    urgent: URGENT,
    runs: RUNS,
    loadavg: { before: loadBefore, after: loadAfter },
    p50: Object.fromEntries(
      (['lanes', 'native', 'none'] as const).map((mode) => [
        mode,
        median(results[mode].map((result) => percentile(result.latencies, 50))),
      ]),
    ),
  });
}

await main();
