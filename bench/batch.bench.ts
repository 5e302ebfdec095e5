// Batch handlers: a handler that writes each event to PostgreSQL, one INSERT per event (`bus.on`)
// next to one multi-row INSERT per batch (`bus.onBatch`, batches of 500), draining the same
// backlog from the SQLite log in one run. Also a plain pg loop inserting the same rows in batches
// of 500 without a bus: the ceiling the batch handler can approach.
// Run: node --conditions=@eddy/source --import tsx bench/batch.bench.ts
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createBus } from '@eddy/core';
import { createSqliteTransport } from '@eddy/sqlite';
import { printTable, writeResults, type BenchRow } from './lib/report.js';

const PG_URL = process.env['EDDY_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const BACKLOG = Number(process.env['BATCH_BENCH_EVENTS'] ?? 20_000);
const BATCH = 500;
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

function insertMany(
  pool: pg.Pool,
  tableName: string,
  rows: readonly [string, string, number][],
): Promise<unknown> {
  const values = rows.map((_, i) => `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`).join(', ');
  return pool.query(`INSERT INTO ${tableName} (event_id, sensor, value) VALUES ${values}`, rows.flat());
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

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 16 });
  const rows: BenchRow[] = [];
  try {
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
          await insertMany(
            pool,
            tableName,
            events.map((event) => [event.id, event.data.sensor, event.data.value]),
          );
        },
        { from: 'earliest', maxSize: BATCH, maxWaitMs: 20 },
      );
    });
    // maxWaitMs 0: batches as the transport hands them over (Transport.subscribeBatch on SQLite).
    const delivered = await drain('delivered', pool, (bus, tableName) => {
      bus.onBatch(
        'reading.taken',
        async (events) => {
          await insertMany(
            pool,
            tableName,
            events.map((event) => [event.id, event.data.sensor, event.data.value]),
          );
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
      await insertMany(pool, plainTable, chunk);
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
    writeResults('batch', { backlog: BACKLOG, batch: BATCH, oneByOne, batched, delivered, plain });
  } finally {
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
