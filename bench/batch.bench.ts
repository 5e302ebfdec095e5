// Batch handlers: a handler that writes each event to PostgreSQL, one INSERT per event (`bus.on`)
// next to one multi-row INSERT per batch (`bus.onBatch`, batches of 500), draining the same
// backlog from the SQLite log in one run. Also a plain pg loop inserting the same rows in batches
// of 500 without a bus: the ceiling the batch handler can approach.
// Then, for each transport with `subscribeBatch` (SQLite, PostgreSQL, NATS JetStream), the same
// drain with `bus.on` and with `bus.onBatch` at maxWaitMs 0, the latter once through the
// transport's batches and once through the same transport with `subscribeBatch` hidden (the
// per-event path a transport without it takes), alternated within one run, in events/s and in
// events per CPU-second of this process (the machine is shared: wall clock is noisy).
// Run: node --conditions=@eddy/source --import tsx bench/batch.bench.ts
// BATCH_BENCH_ROUNDS (default 2) rounds of the transport part; BATCH_BENCH_PARTS=transports skips the first.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { jetstreamManager } from '@nats-io/jetstream';
import { createBus, type BusEvent, type Transport } from '@eddy/core';
import { createNatsTransport } from '@eddy/nats';
import { createPostgresTransport } from '@eddy/postgres';
import { createSqliteTransport } from '@eddy/sqlite';
import { printTable, writeResults, type BenchRow } from './lib/report.js';
import { withoutBatches } from './lib/without-batches.js';

const PG_URL = process.env['EDDY_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const BACKLOG = Number(process.env['BATCH_BENCH_EVENTS'] ?? 20_000);
const BATCH = 500;
const NATS_URL = process.env['EDDY_NATS_URL'] ?? '127.0.0.1:4222';
const ROUNDS = Number(process.env['BATCH_BENCH_ROUNDS'] ?? 2);
const PARTS = process.env['BATCH_BENCH_PARTS'] ?? 'all';
const RUN = randomBytes(3).toString('hex');
const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-batch-'));

interface Events {
  'reading.taken': { sensor: string; value: number };
}

async function table(pool: pg.Pool, name: string): Promise<string> {
  const qualified = `bench_readings_${RUN}_${name}`;
  await pool.query(
    `CREATE TABLE ${qualified} (event_id text PRIMARY KEY, sensor text NOT NULL, value float8 NOT NULL)`,
  );
  return qualified;
}

function insertRows(
  pool: pg.Pool,
  tableName: string,
  rows: readonly [string, string, number][],
): Promise<unknown> {
  const values = rows.map((_, i) => `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`).join(', ');
  return pool.query(`INSERT INTO ${tableName} (event_id, sensor, value) VALUES ${values}`, rows.flat());
}

/** One multi-row INSERT of a batch of readings: what each batch handler does with its events. */
function insertMany(
  pool: pg.Pool,
  tableName: string,
  events: readonly BusEvent<'reading.taken', Events['reading.taken']>[],
): Promise<unknown> {
  return insertRows(
    pool,
    tableName,
    events.map((event) => [event.id, event.data.sensor, event.data.value]),
  );
}

async function count(pool: pg.Pool, tableName: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${tableName}`);
  return rows[0]!.n;
}

/** Fills a fresh SQLite log with the backlog, then measures how fast `consume` drains it into PostgreSQL. */
async function drain(
  name: string,
  pool: pg.Pool,
  register: (bus: ReturnType<typeof createBus<Events>>, tableName: string) => void,
): Promise<number> {
  const tableName = await table(pool, name);
  const path = join(dir, `${name}.db`);
  const producer = createBus<Events>({ transport: createSqliteTransport({ path }) });
  const publishes: Promise<unknown>[] = [];
  for (let i = 0; i < BACKLOG; i++) {
    publishes.push(producer.publish('reading.taken', { sensor: `s-${i % 100}`, value: i }));
  }
  await Promise.all(publishes);
  await producer.stop();
  const consumer = createBus<Events>({ transport: createSqliteTransport({ path }) });
  register(consumer, tableName);
  const started = performance.now();
  await consumer.start();
  while ((await count(pool, tableName)) < BACKLOG) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - started) / 1000;
  await consumer.stop();
  await pool.query(`DROP TABLE ${tableName}`);
  return BACKLOG / seconds;
}

const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** A backlog source: a transport holding BACKLOG events of one topic, read by a new group per drain. */
interface Source {
  readonly name: string;
  readonly transport: Transport;
  cleanup(): Promise<void>;
}

async function fill(transport: Transport): Promise<void> {
  const producer = createBus<Events>({ transport, closeTransport: false });
  for (let i = 0; i < BACKLOG; i += BATCH) {
    await producer.publishBatch(
      Array.from({ length: Math.min(BATCH, BACKLOG - i) }, (_, j) => ({
        type: 'reading.taken' as const,
        data: { sensor: `s-${(i + j) % 100}`, value: i + j },
      })),
    );
  }
  await producer.stop();
}

async function openSources(): Promise<Source[]> {
  const sqlite = createSqliteTransport({ path: join(dir, 'sources.db') });
  const schema = `bench_batch_${RUN}`;
  const postgres = await createPostgresTransport({ connectionString: PG_URL, schema, poolSize: 4 });
  const prefix = `benchbatch${RUN}`;
  const nats = await createNatsTransport({ servers: NATS_URL, prefix });
  // Per-key order on NATS comes from one unacknowledged message per partition consumer, which
  // caps what one pull (so one batch) holds at the partition count; without it a pull takes more.
  const widePrefix = `benchbatchwide${RUN}`;
  const wide = await createNatsTransport({
    servers: NATS_URL,
    prefix: widePrefix,
    maxAckPendingPerPartition: 64,
  });
  const dropStreams = async (transport: typeof nats, streamPrefix: string): Promise<void> => {
    const jsm = await jetstreamManager(transport.native);
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(`${streamPrefix}_`)) await jsm.streams.delete(name);
    }
    await transport.close();
  };
  const sources: Source[] = [
    { name: 'SQLite', transport: sqlite, cleanup: () => sqlite.close() },
    {
      name: 'PostgreSQL',
      transport: postgres,
      cleanup: async () => {
        await postgres.close();
        const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
        await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
        await admin.end();
      },
    },
    { name: 'NATS JetStream', transport: nats, cleanup: () => dropStreams(nats, prefix) },
    {
      name: 'NATS, maxAckPendingPerPartition 64',
      transport: wide,
      cleanup: () => dropStreams(wide, widePrefix),
    },
  ];
  for (const source of sources) await fill(source.transport);
  return sources;
}

type Variant = 'on' | 'per-event' | 'transport';

interface Sample {
  seconds: number;
  cpuSeconds: number;
  /** Handler calls (events per call = events / calls). */
  calls: number;
}

/** Drains the source's backlog with a new group into a new table: wall and CPU seconds. */
async function drainSource(pool: pg.Pool, source: Source, variant: Variant, run: number): Promise<Sample> {
  const tableName = await table(pool, `${variant.replace('-', '_')}_${run}`);
  const transport = variant === 'per-event' ? withoutBatches(source.transport) : source.transport;
  const consumer = createBus<Events>({ transport, group: `g-${variant}-${run}`, closeTransport: false });
  let calls = 0;
  if (variant === 'on') {
    consumer.on(
      'reading.taken',
      async (event) => {
        calls += 1;
        await pool.query(`INSERT INTO ${tableName} (event_id, sensor, value) VALUES ($1, $2, $3)`, [
          event.id,
          event.data.sensor,
          event.data.value,
        ]);
      },
      { from: 'earliest', maxInFlight: 16 },
    );
  } else {
    consumer.onBatch(
      'reading.taken',
      async (events) => {
        calls += 1;
        await insertMany(pool, tableName, events);
      },
      { from: 'earliest', maxSize: BATCH, maxWaitMs: 0 },
    );
  }
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await consumer.start();
  while ((await count(pool, tableName)) < BACKLOG) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await consumer.stop();
  await pool.query(`DROP TABLE ${tableName}`);
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, calls };
}

/** `bus.on` against `bus.onBatch` at maxWaitMs 0 with and without the transport's batches, per transport. */
async function transportBatches(pool: pg.Pool): Promise<Record<string, Record<Variant, Sample>>> {
  const sources = await openSources();
  const totals: Record<string, Record<Variant, Sample>> = {};
  const loads: string[] = [];
  try {
    let run = 0;
    for (let round = 0; round < ROUNDS; round++) {
      loads.push(load());
      // Alternated: the order of the variants flips every round, so drift in the machine's load
      // does not favour one of them.
      const order: Variant[] =
        round % 2 === 0 ? ['on', 'per-event', 'transport'] : ['transport', 'per-event', 'on'];
      for (const source of sources) {
        const total = (totals[source.name] ??= {
          on: { seconds: 0, cpuSeconds: 0, calls: 0 },
          'per-event': { seconds: 0, cpuSeconds: 0, calls: 0 },
          transport: { seconds: 0, cpuSeconds: 0, calls: 0 },
        });
        for (const variant of order) {
          const sample = await drainSource(pool, source, variant, run++);
          total[variant].seconds += sample.seconds;
          total[variant].cpuSeconds += sample.cpuSeconds;
          total[variant].calls += sample.calls;
          console.log(
            `round ${round + 1} ${source.name} ${variant}: ${Math.round(BACKLOG / sample.seconds)} events/s, ` +
              `${Math.round(BACKLOG / sample.cpuSeconds)} events/CPU-s (load ${load()})`,
          );
        }
      }
    }
  } finally {
    for (const source of sources) await source.cleanup();
  }
  loads.push(load());
  const events = BACKLOG * ROUNDS;
  const label: Record<Variant, string> = {
    on: 'bus.on, one INSERT per event (16 in flight)',
    'per-event': 'bus.onBatch maxWaitMs 0, transport without subscribeBatch',
    transport: 'bus.onBatch maxWaitMs 0, subscribeBatch',
  };
  const rows: BenchRow[] = [];
  for (const [name, total] of Object.entries(totals)) {
    for (const variant of ['on', 'per-event', 'transport'] as const) {
      rows.push({
        source: name,
        handler: label[variant],
        'events/s': Math.round(events / total[variant].seconds),
        'events/CPU-s': Math.round(events / total[variant].cpuSeconds),
        'CPU vs on': Number((total.on.cpuSeconds / total[variant].cpuSeconds).toFixed(2)),
        'events/call': Number((events / total[variant].calls).toFixed(1)),
      });
    }
  }
  printTable(
    `Draining ${BACKLOG.toLocaleString('en-US')} events per transport into PostgreSQL, ${ROUNDS} rounds, ` +
      `load average at each round: ${loads.join(' | ')}`,
    rows,
  );
  return totals;
}

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 16 });
  const rows: BenchRow[] = [];
  try {
    if (PARTS === 'transports') {
      const transports = await transportBatches(pool);
      writeResults('batch', { backlog: BACKLOG, batch: BATCH, rounds: ROUNDS, transports });
      return;
    }
    const oneByOne = await drain('one', pool, (bus, tableName) => {
      bus.on(
        'reading.taken',
        async (event) => {
          await pool.query(`INSERT INTO ${tableName} (event_id, sensor, value) VALUES ($1, $2, $3)`, [
            event.id,
            event.data.sensor,
            event.data.value,
          ]);
        },
        { from: 'earliest', maxInFlight: 16 },
      );
    });
    const batched = await drain('batch', pool, (bus, tableName) => {
      bus.onBatch(
        'reading.taken',
        async (events) => {
          await insertMany(pool, tableName, events);
        },
        { from: 'earliest', maxSize: BATCH, maxWaitMs: 20 },
      );
    });
    // maxWaitMs 0: batches as the transport hands them over (Transport.subscribeBatch on SQLite).
    const delivered = await drain('delivered', pool, (bus, tableName) => {
      bus.onBatch(
        'reading.taken',
        async (events) => {
          await insertMany(pool, tableName, events);
        },
        { from: 'earliest', maxSize: BATCH, maxWaitMs: 0 },
      );
    });
    const plainTable = await table(pool, 'plain');
    const plainStarted = performance.now();
    for (let i = 0; i < BACKLOG; i += BATCH) {
      const chunk = Array.from({ length: Math.min(BATCH, BACKLOG - i) }, (_, j): [string, string, number] => [
        `e-${i + j}`,
        `s-${(i + j) % 100}`,
        i + j,
      ]);
      await insertRows(pool, plainTable, chunk);
    }
    const plain = BACKLOG / ((performance.now() - plainStarted) / 1000);
    await pool.query(`DROP TABLE ${plainTable}`);
    rows.push(
      { handler: 'bus.on, one INSERT per event (16 in flight)', 'events/s': Math.round(oneByOne) },
      { handler: `bus.onBatch, one INSERT per ${BATCH} events`, 'events/s': Math.round(batched) },
      {
        handler: `bus.onBatch, maxWaitMs 0 (batches as the transport delivers them, up to ${BATCH})`,
        'events/s': Math.round(delivered),
      },
      { handler: `plain pg loop, INSERT per ${BATCH} rows (no bus)`, 'events/s': Math.round(plain) },
    );
    printTable(
      `Draining ${BACKLOG.toLocaleString('en-US')} events from the SQLite log into PostgreSQL, load average ${loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')}`,
      rows,
    );
    console.log(
      `\nbatch / one-by-one: ${(batched / oneByOne).toFixed(2)}x (maxWaitMs 0: ${(delivered / oneByOne).toFixed(2)}x); ` +
        `batch / plain loop: ${(batched / plain).toFixed(2)} (maxWaitMs 0: ${(delivered / plain).toFixed(2)})`,
    );
    const transports = await transportBatches(pool);
    writeResults('batch', {
      backlog: BACKLOG,
      batch: BATCH,
      oneByOne,
      batched,
      delivered,
      plain,
      transports,
    });
  } finally {
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
