// Filtered subscriptions: what a handler filter that drops 99% of a topic costs, next to consuming
// every event, draining the same backlog in one run, on SQLite and on PostgreSQL. A CloudEvents
// filter runs in the transport (capabilities.filtering): SQLite settles dropped events while it
// reads the log, PostgreSQL skips them inside claim() with a SQL condition. The same filter with
// the transport's filtering turned off, and a predicate, run in the subscriber: every event crosses
// into the bus, which skips the handler. Each figure is the median of FILTER_BENCH_RUNS drains.
// Run: node --conditions=@eddy/source --import tsx bench/filter.bench.ts
// FILTER_BENCH_EVENTS sets the backlog (default 50,000 on SQLite, 20,000 on PostgreSQL),
// FILTER_BENCH_BACKENDS the backends (default "sqlite,postgres,rabbitmq"), EDDY_POSTGRES_URL the
// database. The RabbitMQ section drains FILTER_BENCH_RABBIT_EVENTS (default 10,000) with consume-all,
// the filter bound in the broker (brokerFilters), in the transport's subscriber (acked before
// dispatch), and in the bus.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBus, type EventFilter, type Transport } from '@eddy/core';
import { createPostgresTransport } from '@eddy/postgres';
import { createRabbitMqTransport } from '@eddy/rabbitmq';
import { createSqliteTransport } from '@eddy/sqlite';
import pg from 'pg';
import { percentile, printTable, writeResults, type BenchRow } from './lib/report.js';
import { deleteRabbitTopology, rabbitReachable, RABBIT_URL } from './lib/rabbitmq-topology.js';

type Backend = 'sqlite' | 'postgres';
const SECTIONS = (process.env['FILTER_BENCH_BACKENDS'] ?? 'sqlite,postgres,rabbitmq').split(',');
const BACKENDS = SECTIONS.filter((name): name is Backend => name === 'sqlite' || name === 'postgres');
const RUNS = Number(process.env['FILTER_BENCH_RUNS'] ?? 3);
const RABBIT_BACKLOG = Number(process.env['FILTER_BENCH_RABBIT_EVENTS'] ?? 10_000);
const RABBIT_RUNS = RUNS;
const POSTGRES_URL = process.env['EDDY_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const backlogOf = (backend: Backend): number =>
  Number(process.env['FILTER_BENCH_EVENTS'] ?? (backend === 'sqlite' ? 50_000 : 20_000));
const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-filter-'));
const schemas: string[] = [];

/** A fresh log per drain: a SQLite file, or a PostgreSQL schema. */
function openLog(backend: Backend, name: string): () => Promise<Transport> {
  if (backend === 'sqlite') {
    const path = join(dir, `${name}.db`);
    return () => Promise.resolve(createSqliteTransport({ path }));
  }
  const schema = `eddy_bench_filter_${name.replaceAll('-', '_')}_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  return () => createPostgresTransport({ connectionString: POSTGRES_URL, schema, poolSize: 4 });
}

interface Events {
  'reading.taken': { sensor: string; value: number };
}

/**
 * Counts messages settled, delivered or dropped by the transport's filter, so a drain is timed to
 * its last one. `filtering: false` hides the transport's filtering from the bus.
 */
function settledCounter(
  inner: Transport,
  filtering: boolean,
): { transport: Transport; settled: () => number } {
  let settled = 0;
  const transport: Transport = {
    name: inner.name,
    capabilities: { ...inner.capabilities, filtering: filtering && inner.capabilities.filtering },
    publish: (topic, messages) => inner.publish(topic, messages),
    close: () => inner.close(),
    subscribe: (topic, options, handler) =>
      inner.subscribe(
        topic,
        {
          ...options,
          onFiltered: (headers) => {
            settled += 1;
            options.onFiltered?.(headers);
          },
        },
        async (message) => {
          await handler(message);
          settled += 1;
        },
      ),
  };
  return { transport, settled: () => settled };
}

// Work a real handler does per event: parse and serialise a small object.
function work(data: unknown): number {
  return JSON.stringify({ seen: data, at: Date.now() }).length;
}

async function fill(open: () => Promise<Transport>, backlog: number): Promise<void> {
  const producer = createBus<Events>({ transport: await open() });
  for (let start = 0; start < backlog; start += 100) {
    const batch: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(backlog, start + 100); i++) {
      batch.push(
        producer.publish(
          'reading.taken',
          { sensor: `s-${i % 100}`, value: i },
          { subject: `sensor/${i % 100}` },
        ),
      );
    }
    await Promise.all(batch);
  }
  await producer.stop();
}

async function drainOnce(
  backend: Backend,
  name: string,
  filter: EventFilter | undefined,
  filtering: boolean,
): Promise<{ rate: number; handled: number }> {
  const backlog = backlogOf(backend);
  const open = openLog(backend, name);
  await fill(open, backlog);
  const { transport, settled } = settledCounter(await open(), filtering);
  const bus = createBus<Events>({ transport });
  let handled = 0;
  let sink = 0;
  bus.on(
    'reading.taken',
    (event) => {
      handled += 1;
      sink += work(event.data);
    },
    { from: 'earliest', maxInFlight: 256, ...(filter === undefined ? {} : { filter }) },
  );
  const started = performance.now();
  await bus.start();
  while (settled() < backlog) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = (performance.now() - started) / 1000;
  await bus.stop();
  if (sink < 0) console.log(sink);
  return { rate: backlog / seconds, handled };
}

/** The median drain rate of RUNS drains, each on a fresh log. */
async function drain(
  backend: Backend,
  name: string,
  filter: EventFilter | undefined,
  filtering = true,
): Promise<{ rate: number; handled: number; rates: number[] }> {
  const results: { rate: number; handled: number }[] = [];
  for (let run = 0; run < RUNS; run++)
    results.push(await drainOnce(backend, `${name}-${run}`, filter, filtering));
  const rates = results.map((result) => Math.round(result.rate));
  const sorted = [...results].sort((a, b) => a.rate - b.rate);
  return { ...sorted[Math.floor(sorted.length / 2)]!, rates };
}

async function measure(backend: Backend): Promise<Record<string, unknown>> {
  const backlog = backlogOf(backend);
  const loadBefore = loadavg()[0]!;
  const all = await drain(backend, 'all', undefined);
  const cloudEvents = await drain(backend, 'ce', { exact: { subject: 'sensor/7' } });
  const inSubscriber = await drain(backend, 'ce-sub', { exact: { subject: 'sensor/7' } }, false);
  const predicate = await drain(backend, 'fn', (event) => event.subject === 'sensor/7');
  const row = (consumer: string, result: { rate: number; handled: number; rates: number[] }): BenchRow => ({
    consumer,
    'events/s (median)': Math.round(result.rate),
    runs: result.rates.join(' / '),
    handled: result.handled,
  });
  printTable(
    `Draining ${backlog.toLocaleString('en-US')} events from the ${backend === 'sqlite' ? 'SQLite log' : 'PostgreSQL log'}, ` +
      `median of ${RUNS} (load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after, 2 cores)`,
    [
      row('no filter (every event handled)', all),
      row('CloudEvents filter keeping 1%, in the transport', cloudEvents),
      row('CloudEvents filter keeping 1%, in the subscriber', inSubscriber),
      row('predicate keeping 1%', predicate),
    ],
  );
  console.log(
    `\n${backend}: filtered / unfiltered drain rate: ${(cloudEvents.rate / all.rate).toFixed(2)}x (CloudEvents filter in the transport), ` +
      `${(inSubscriber.rate / all.rate).toFixed(2)}x (same filter in the subscriber), ` +
      `${(predicate.rate / all.rate).toFixed(2)}x (predicate)`,
  );
  return { backlog, all, cloudEvents, inSubscriber, predicate, load: [loadBefore, loadavg()[0]] };
}

/**
 * Drains RABBIT_BACKLOG events from a fresh RabbitMQ group: the group's queues (and bindings) are
 * declared first, the backlog published while nobody consumes, then the drain is timed from the
 * start of the consuming bus to the last event settled (or, when the broker drops, to the last kept
 * event handled: the dropped ones never reach the process).
 */
async function drainRabbit(
  filter: EventFilter | undefined,
  filtering: boolean,
  brokerFilters: boolean,
): Promise<number> {
  const prefix = `eddy-bench-filter-${randomBytes(4).toString('hex')}`;
  const options = { url: RABBIT_URL, namePrefix: prefix, brokerFilters };
  const handlerOptions = { maxInFlight: 256, ...(filter === undefined ? {} : { filter }) };
  try {
    const declaring = createBus<Events>({
      transport: settledCounter(await createRabbitMqTransport(options), filtering).transport,
      topicFor: () => 'readings',
    });
    declaring.on('reading.taken', () => undefined, handlerOptions);
    await declaring.start();
    await declaring.stop();
    const producer = createBus<Events>({
      transport: await createRabbitMqTransport(options),
      topicFor: () => 'readings',
    });
    const batch = Array.from({ length: 500 }, (_, i) => ({
      type: 'reading.taken' as const,
      data: { sensor: `s-${i % 100}`, value: i },
      options: { subject: `sensor/${i % 100}` },
    }));
    for (let written = 0; written < RABBIT_BACKLOG; written += batch.length)
      await producer.publishBatch(batch.slice(0, Math.min(batch.length, RABBIT_BACKLOG - written)));
    await producer.stop();

    const { transport, settled } = settledCounter(await createRabbitMqTransport(options), filtering);
    const bus = createBus<Events>({ transport, topicFor: () => 'readings' });
    let handled = 0;
    let sink = 0;
    bus.on(
      'reading.taken',
      (event) => {
        handled += 1;
        sink += work(event.data);
      },
      handlerOptions,
    );
    const kept = filter === undefined ? RABBIT_BACKLOG : RABBIT_BACKLOG / 100;
    const done = (): boolean => handled >= kept && (brokerFilters || settled() >= RABBIT_BACKLOG);
    const started = performance.now();
    await bus.start();
    while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
    const seconds = (performance.now() - started) / 1000;
    await bus.stop();
    if (sink < 0) console.log(sink);
    return RABBIT_BACKLOG / seconds;
  } finally {
    await deleteRabbitTopology(prefix, ['readings'], ['default.reading.taken']);
  }
}

async function rabbitSection(): Promise<Record<string, number> | undefined> {
  if (!(await rabbitReachable())) {
    console.log(`\nRabbitMQ not reachable at ${RABBIT_URL}: RabbitMQ section skipped`);
    return undefined;
  }
  const filter: EventFilter = { exact: { subject: 'sensor/7' } };
  const modes = {
    'consume-all (no filter)': () => drainRabbit(undefined, true, false),
    'filter keeping 1%, in the broker (brokerFilters bindings)': () => drainRabbit(filter, true, true),
    'filter keeping 1%, in the transport (acked before dispatch)': () => drainRabbit(filter, true, false),
    'filter keeping 1%, in the bus (subscriber)': () => drainRabbit(filter, false, false),
  };
  const rates = new Map<string, number[]>(Object.keys(modes).map((name) => [name, []]));
  const loadBefore = loadavg();
  for (let run = 0; run < RABBIT_RUNS; run += 1) {
    for (const [name, drainOnce] of Object.entries(modes)) rates.get(name)!.push(await drainOnce());
  }
  const loadAfter = loadavg();
  const medians = Object.fromEntries([...rates].map(([name, list]) => [name, percentile(list, 50)]));
  printTable(
    `Draining ${RABBIT_BACKLOG.toLocaleString('en-US')} events from RabbitMQ (median of ${RABBIT_RUNS} runs; ` +
      `load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ` +
      `${loadAfter.map((l) => l.toFixed(2)).join(' ')} after)`,
    [...rates].map(([name, list]) => ({
      consumer: name,
      'events/s (median)': Math.round(percentile(list, 50)),
      runs: list.map((rate) => Math.round(rate)).join(' / '),
    })),
  );
  return medians;
}

async function main(): Promise<void> {
  try {
    const results: Record<string, unknown> = {};
    for (const backend of BACKENDS) results[backend] = await measure(backend);
    if (SECTIONS.includes('rabbitmq')) results['rabbitmq'] = await rabbitSection();
    writeResults('filter', results);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (schemas.length > 0) {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  }
}

await main();
