// Transactional outbox: what outbox.add costs the application's transaction (SQLite, PostgreSQL),
// and how fast a relay drains a backlog to the SQLite log and to Redis Streams, next to the same
// transports published to directly in batches of the same size (the ceiling a relay can reach).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type OutgoingMessage, type Transport } from '@eddy/core';
import { encodeCloudEvent, createCloudEvent } from '@eddy/core/cloudevents';
import { startOutboxRelay, type OutboxStore } from '@eddy/core/outbox';
import { createPostgresOutbox } from '@eddy/postgres';
import { createRedisTransport } from '@eddy/redis';
import { createSqliteOutbox, createSqliteTransport } from '@eddy/sqlite';
import { percentile, printTable, writeResults, type BenchRow } from './lib/report.js';

const RUN = randomBytes(3).toString('hex');
const PG_URL = process.env['EDDY_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env['EDDY_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const SQLITE_TX = 2_000;
const PG_TX = 1_000;
const BACKLOG = 20_000;
const BATCH = 100;
const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-outbox-'));

const entry = (topic: string, i: number) => ({
  topic,
  event: {
    source: '/bench',
    type: 'order.placed',
    partitionkey: `order-${i % 64}`,
    data: { orderId: i, total: 42 },
  },
});

/** Mean and p99 of per-transaction times, µs. */
function summary(samples: number[]): { meanUs: number; p99Us: number } {
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  return { meanUs: Math.round(mean * 1000), p99Us: Math.round(percentile(samples, 99) * 1000) };
}

async function sqliteWrites(withOutbox: boolean): Promise<number[]> {
  const path = join(dir, `write-${withOutbox}.db`);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const outbox = createSqliteOutbox({ database: db });
  const insert = db.prepare<[number, string]>('INSERT INTO orders (id, body) VALUES (?, ?)');
  const write = db.transaction((i: number) => {
    insert.run(i, '{"total":42}');
    if (withOutbox) outbox.add(db, [entry('orders', i)]);
  });
  const samples: number[] = [];
  for (let i = 0; i < SQLITE_TX; i++) {
    const started = performance.now();
    write.immediate(i);
    samples.push(performance.now() - started);
  }
  await outbox.close();
  db.close();
  return samples;
}

async function postgresWrites(pool: pg.Pool, schema: string, withOutbox: boolean): Promise<number[]> {
  const outbox = await createPostgresOutbox({ pool, schema, table: `ob_${withOutbox}`, listen: false });
  const table = `"${schema}".orders_${withOutbox}`;
  await pool.query(`CREATE TABLE ${table} (id int PRIMARY KEY, body text NOT NULL)`);
  const client = await pool.connect();
  const samples: number[] = [];
  try {
    for (let i = 0; i < PG_TX; i++) {
      const started = performance.now();
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${table} (id, body) VALUES ($1, $2)`, [i, '{"total":42}']);
      if (withOutbox) await outbox.add(client, [entry('orders', i)]);
      await client.query('COMMIT');
      samples.push(performance.now() - started);
    }
  } finally {
    client.release();
  }
  await outbox.close();
  return samples;
}

/** Time for one relay to publish and mark a backlog of BACKLOG rows; events/s. */
async function relayThroughput(store: OutboxStore, transport: Transport): Promise<number> {
  const started = performance.now();
  const relay = startOutboxRelay({
    store,
    transport,
    batchSize: BATCH,
    pollIntervalMs: 20,
    afterPublish: 'delete',
  });
  for (;;) {
    if ((await store.stats()).pending === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  await relay.stop();
  return BACKLOG / seconds;
}

/** The same events published directly in batches of BATCH (in order, one batch at a time); events/s. */
async function directThroughput(transport: Transport, topic: string): Promise<number> {
  const messages: OutgoingMessage[] = Array.from({ length: BACKLOG }, (_, i) => {
    const event = createCloudEvent(entry(topic, i).event);
    return { key: String(event.partitionkey), ...encodeCloudEvent(event) };
  });
  const started = performance.now();
  for (let i = 0; i < messages.length; i += BATCH)
    await transport.publish(topic, messages.slice(i, i + BATCH));
  return BACKLOG / ((performance.now() - started) / 1000);
}

function fillSqlite(path: string, topic: string): ReturnType<typeof createSqliteOutbox> {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const writer = createSqliteOutbox({ database: db });
  const fill = db.transaction(() => {
    for (let i = 0; i < BACKLOG; i += 500) {
      writer.add(
        db,
        Array.from({ length: 500 }, (_, j) => entry(topic, i + j)),
      );
    }
  });
  fill();
  db.close();
  return createSqliteOutbox({ database: path });
}

const rows: BenchRow[] = [];
const results: Record<string, unknown> = {};
try {
  const plain = summary(await sqliteWrites(false));
  const outboxed = summary(await sqliteWrites(true));
  rows.push({ scenario: 'SQLite tx: insert order', 'mean µs/tx': plain.meanUs, 'p99 µs/tx': plain.p99Us });
  rows.push({
    scenario: 'SQLite tx: insert order + outbox.add',
    'mean µs/tx': outboxed.meanUs,
    'p99 µs/tx': outboxed.p99Us,
  });
  results['sqliteWrite'] = { plain, outboxed, overheadUsPerEvent: outboxed.meanUs - plain.meanUs };

  const schema = `eddy_bench_outbox_${RUN}`;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
  await pool.query(`CREATE SCHEMA ${schema}`);
  try {
    const pgPlain = summary(await postgresWrites(pool, schema, false));
    const pgOutboxed = summary(await postgresWrites(pool, schema, true));
    rows.push({
      scenario: 'PostgreSQL tx: insert order',
      'mean µs/tx': pgPlain.meanUs,
      'p99 µs/tx': pgPlain.p99Us,
    });
    rows.push({
      scenario: 'PostgreSQL tx: insert order + outbox.add',
      'mean µs/tx': pgOutboxed.meanUs,
      'p99 µs/tx': pgOutboxed.p99Us,
    });
    results['postgresWrite'] = {
      plain: pgPlain,
      outboxed: pgOutboxed,
      overheadUsPerEvent: pgOutboxed.meanUs - pgPlain.meanUs,
    };
  } finally {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  }
  printTable('outbox write overhead (one event per transaction, fsync on commit)', rows);

  const throughput: BenchRow[] = [];
  const sqliteTransport = createSqliteTransport({ path: join(dir, 'broker.db') });
  const sqliteDirect = await directThroughput(sqliteTransport, `direct-${RUN}`);
  const sqliteRelay = await relayThroughput(
    fillSqlite(join(dir, 'relay-sqlite.db'), `relay-${RUN}`),
    sqliteTransport,
  );
  await sqliteTransport.close();
  throughput.push({
    target: 'SQLite log',
    'direct publish ev/s': Math.round(sqliteDirect),
    'relay ev/s': Math.round(sqliteRelay),
  });

  const redis = await createRedisTransport({ url: REDIS_URL, prefix: `eddy-bench-outbox-${RUN}:` });
  const redisDirect = await directThroughput(redis, `direct-${RUN}`);
  const redisRelay = await relayThroughput(fillSqlite(join(dir, 'relay-redis.db'), `relay-${RUN}`), redis);
  await redis.close();
  throughput.push({
    target: 'Redis Streams',
    'direct publish ev/s': Math.round(redisDirect),
    'relay ev/s': Math.round(redisRelay),
  });
  printTable(
    `relay from a SQLite outbox, ${BACKLOG} events, batches of ${BATCH}, vs the same transport published to directly`,
    throughput,
  );
  results['relay'] = {
    sqlite: { direct: sqliteDirect, relay: sqliteRelay },
    redis: { direct: redisDirect, relay: redisRelay },
  };
  writeResults('outbox', results);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
