// Eddy's SQLite and PostgreSQL event stores next to a raw insert loop with the same driver into a
// plain table, in one run: appends/s (1-event and 10-event batches, one stream and many streams),
// readAll events/s, and aggregate load time at 10k events per stream with and without a snapshot.
// Run: node --conditions=@eddy/source --import tsx bench/event-store.bench.ts
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { encodeCloudEvent } from '@eddy/core/cloudevents';
import {
  aggregateStream,
  recordedEventToCloudEvent,
  startEventStoreRelay,
  type EventStore,
  type SnapshotStore,
} from '@eddy/core/event-sourcing';
import { createMemoryCheckpointStore } from '@eddy/core/testing';
import { createPostgresEventStore, createPostgresSnapshotStore } from '@eddy/postgres';
import {
  createSqliteEventStore,
  createSqliteSnapshotStore,
  createSqliteTransport,
  openEventStoreDatabase,
} from '@eddy/sqlite';
import pg from 'pg';

import { percentile, printTable, writeResults, type BenchRow } from './lib/report.js';

const POSTGRES_URL = process.env.EDDY_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Each append scenario runs for this long per side. */
const SLICE_MS = 1_500;
/** Concurrent writers in the many-streams scenarios (one stream each at a time, 100 streams). */
const WRITERS = 8;
const STREAMS = 100;
const AGGREGATE_EVENTS = 10_000;
const LOAD_ROUNDS = 5;
/** Events per relay round and per direct publish. */
const RELAY_BATCH = 500;

const payload = { employee: 'john', role: 'backend', note: 'x'.repeat(100) };
const event = { type: 'RoleChanged', data: payload };
const batchOf = (size: number) => Array.from({ length: size }, () => event);

/** One side of a comparison: appends `size` events to `stream`. */
type Append = (stream: string, size: number) => Promise<void>;

/** Runs `writers` loops of `append` for SLICE_MS; returns appends/s and events/s. */
async function measure(append: Append, size: number, writers: number, streams: number) {
  const deadline = performance.now() + SLICE_MS;
  let appends = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = w; performance.now() < deadline; i += writers) {
        await append(`bench-${i % streams}`, size);
        appends += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { appends: appends / seconds, events: (appends * size) / seconds };
}

const scenarios = [
  { name: '1 event, 1 stream', size: 1, writers: 1, streams: 1 },
  { name: '10 events, 1 stream', size: 10, writers: 1, streams: 1 },
  { name: `1 event, ${STREAMS} streams, ${WRITERS} writers`, size: 1, writers: WRITERS, streams: STREAMS },
  { name: `10 events, ${STREAMS} streams, ${WRITERS} writers`, size: 10, writers: WRITERS, streams: STREAMS },
];

interface Backend {
  readonly name: string;
  readonly store: EventStore;
  readonly snapshots: SnapshotStore;
  readonly raw: Append;
  close(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-es-bench-'));
  const db = openEventStoreDatabase(join(dir, 'events.db'));
  const rawDb = openEventStoreDatabase(join(dir, 'raw.db'));
  rawDb.exec('CREATE TABLE raw_events (id INTEGER PRIMARY KEY, stream TEXT NOT NULL, data TEXT NOT NULL)');
  const insert = rawDb.prepare<[string, string]>('INSERT INTO raw_events (stream, data) VALUES (?, ?)');
  const insertBatch = rawDb.transaction((stream: string, size: number) => {
    for (let i = 0; i < size; i++) insert.run(stream, JSON.stringify(payload));
  });
  const store = createSqliteEventStore({ database: db });
  return {
    name: 'sqlite',
    store,
    snapshots: createSqliteSnapshotStore({ database: db }),
    raw: (stream, size) => {
      insertBatch.immediate(stream, size);
      return Promise.resolve();
    },
    async close() {
      await store.close();
      db.close();
      rawDb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresBackend(): Promise<Backend> {
  const schema = `eddy_bench_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: WRITERS + 2 });
  const store = await createPostgresEventStore({ pool, schema });
  await pool.query(
    `CREATE TABLE "${schema}".raw_events (id bigserial PRIMARY KEY, stream text NOT NULL, data jsonb NOT NULL)`,
  );
  return {
    name: 'postgres',
    store,
    snapshots: await createPostgresSnapshotStore({ pool, schema }),
    // One autocommit INSERT per append, the batch as one multi-row statement: the same durability
    // (one commit per append) without versions, global positions or concurrency checks.
    raw: async (stream, size) => {
      await pool.query(
        `INSERT INTO "${schema}".raw_events (stream, data) SELECT $1, d::jsonb FROM unnest($2::text[]) AS d`,
        [stream, Array.from({ length: size }, () => JSON.stringify(payload))],
      );
    },
    async close() {
      await store.close();
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

const appendRows: BenchRow[] = [];
const readRows: BenchRow[] = [];
const relayRows: BenchRow[] = [];
const loadRows: BenchRow[] = [];

for (const open of [sqliteBackend, postgresBackend]) {
  const backend = await open();
  try {
    for (const scenario of scenarios) {
      const eddy = await measure(
        (stream, size) => backend.store.append(stream, batchOf(size)).then(() => undefined),
        scenario.size,
        scenario.writers,
        scenario.streams,
      );
      const raw = await measure(backend.raw, scenario.size, scenario.writers, scenario.streams);
      appendRows.push({
        store: backend.name,
        scenario: scenario.name,
        'eddy appends/s': Math.round(eddy.appends),
        'eddy events/s': Math.round(eddy.events),
        'raw insert events/s': Math.round(raw.events),
        ratio: Number((eddy.events / raw.events).toFixed(2)),
      });
    }

    let read = 0;
    const readStarted = performance.now();
    for (let from = 0; ;) {
      const page = await backend.store.readAll({ fromPosition: from, limit: 1000 });
      if (page.length === 0) break;
      read += page.length;
      from = page.at(-1)!.globalPosition + 1;
    }
    readRows.push({
      store: backend.name,
      events: read,
      'readAll events/s (pages of 1000)': Math.round(read / ((performance.now() - readStarted) / 1000)),
    });

    // Relay every event so far to a durable SQLite transport topic, against publishing the same
    // CloudEvents straight through transport.publish in batches of the same size.
    const busDir = mkdtempSync(join(tmpdir(), 'eddy-es-bench-bus-'));
    const transport = createSqliteTransport({ path: join(busDir, 'bus.db') });
    try {
      const relayStarted = performance.now();
      const relay = startEventStoreRelay({
        store: backend.store,
        checkpoints: createMemoryCheckpointStore(),
        transport,
        topic: 'relayed',
        source: '/bench',
        batchSize: RELAY_BATCH,
      });
      await relay.whenCaughtUp({ timeoutMs: 60_000 });
      const relaySeconds = (performance.now() - relayStarted) / 1000;
      await relay.close();
      const events: Awaited<ReturnType<EventStore['readAll']>> = [];
      for (let from = 0; ;) {
        const page = await backend.store.readAll({ fromPosition: from, limit: RELAY_BATCH });
        if (page.length === 0) break;
        events.push(...page);
        from = page.at(-1)!.globalPosition + 1;
      }
      const messages = events.map((event) => {
        const message = encodeCloudEvent(recordedEventToCloudEvent(event, { source: '/bench' }));
        return { key: event.streamId, headers: message.headers, payload: message.payload };
      });
      const directStarted = performance.now();
      for (let i = 0; i < messages.length; i += RELAY_BATCH) {
        await transport.publish('direct', messages.slice(i, i + RELAY_BATCH));
      }
      const directSeconds = (performance.now() - directStarted) / 1000;
      relayRows.push({
        store: backend.name,
        events: read,
        'relay events/s': Math.round(read / relaySeconds),
        'transport.publish events/s (pre-encoded)': Math.round(messages.length / directSeconds),
        ratio: Number((read / relaySeconds / (messages.length / directSeconds)).toFixed(2)),
      });
    } finally {
      await transport.close();
      rmSync(busDir, { recursive: true, force: true });
    }

    const streamId = `load-${randomBytes(4).toString('hex')}`;
    for (let v = 0; v < AGGREGATE_EVENTS; v += 500) await backend.store.append(streamId, batchOf(500));
    const evolve = (count: number) => count + 1;
    const timeLoad = async (withSnapshot: boolean) => {
      const samples: number[] = [];
      for (let round = 0; round < LOAD_ROUNDS; round++) {
        const started = performance.now();
        const result = await aggregateStream(backend.store, streamId, {
          evolve,
          initialState: () => 0,
          ...(withSnapshot ? { snapshots: { store: backend.snapshots, policy: () => false } } : {}),
        });
        samples.push(performance.now() - started);
        if (result.state !== AGGREGATE_EVENTS) throw new Error(`folded ${result.state} events`);
      }
      return percentile(samples, 50);
    };
    const withoutSnapshot = await timeLoad(false);
    // A snapshot policy of "every 100 events" leaves at most 99 events after the snapshot.
    const snapshotAt = AGGREGATE_EVENTS - 50;
    await backend.snapshots.save({
      streamId,
      version: snapshotAt,
      state: snapshotAt,
      schemaVersion: 1,
      takenAt: 0,
    });
    const withSnapshot = await timeLoad(true);
    loadRows.push({
      store: backend.name,
      'events in stream': AGGREGATE_EVENTS,
      'load ms, no snapshot (p50)': Number(withoutSnapshot.toFixed(1)),
      'load ms, snapshot at 9,950 (p50)': Number(withSnapshot.toFixed(1)),
    });
  } finally {
    await backend.close();
  }
}

printTable(
  'Appends: Eddy event store vs raw inserts with the same driver (one commit per append)',
  appendRows,
);
printTable('readAll', readRows);
printTable(`Relay to the SQLite transport (batches of ${RELAY_BATCH})`, relayRows);
printTable(
  `Aggregate load (${AGGREGATE_EVENTS.toLocaleString('en-US')} events, median of ${LOAD_ROUNDS})`,
  loadRows,
);
writeResults('event-store', {
  appends: appendRows,
  readAll: readRows,
  relay: relayRows,
  aggregateLoad: loadRows,
});
