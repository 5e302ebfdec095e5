// @eddy/streams: tumbling count per key (one-second windows of event time, 1,000 keys) done three
// ways in one run — a hand-written in-memory loop over the decoded events, an Eddy pipeline with
// in-memory state, and an Eddy pipeline with SQLite state (state, consumed inputs and outputs
// committed in one transaction per batch, on the event loop and with `workerThread: true`, where
// the commit runs on a worker thread while the next batch runs its stages) — and pattern detection
// latency: from just before the
// completing event is published to the match event's arrival at a bus handler.
//
// The pipelines read their events through the bus from a memory transport where they were
// published beforehand; the rate is input events over the time from the pipeline's start until it
// committed the last one and published its results (read and checked afterwards), also per
// CPU-second of the process (on a shared machine the wall-clock rate says more about the
// neighbours). Two more rows split the cost: the bus alone (the same events through `bus.onBatch`
// with a handler that does nothing) and the pipeline's own work (stages and state
// commits fed batches directly by a stand-in for the bus). Every Eddy row must produce the loop's
// window counts; the script stops if not. Two rows run the pipeline on PostgreSQL (transport and
// state): through the transport's `subscribeBatch`, and through the same transport with it hidden
// (the per-event path of a transport without batch delivery). A last table shows what remembering
// consumed inputs costs a SQLite state store as they pile up, keyed by event id or by position
// (consecutive offsets, or with gaps). Event ids are random UUIDs, as the bus makes them.
// A pipeline runs for hours, so the figures are of a warmed-up process: STREAMS_BENCH_WARMUP rounds
// (default 2) run every in-process case first and are not counted, then STREAMS_BENCH_ROUNDS
// (default 5) are measured and their median reported, with the slowest measured round beside it.
// Counting the first rounds measured V8's optimising of the code and the heap growing to its
// working size: the same loop ran at 3.1 million events/s over three rounds and at 10.6 million
// over seven. STREAMS_BENCH_EVENTS (default 50,000),
// STREAMS_BENCH_PAIRS (default 500) and STREAMS_BENCH_BATCH (events per unit of work, default
// 1,000) resize it.
// Run: node --conditions=@eddy/source --import tsx bench/streams.bench.ts
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type BatchContext, type Bus, type BusEvent, type Transport } from '@eddy/core';
import { createCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';
import { createMemoryTransport } from '@eddy/core/testing';
import { createPostgresStateStore, createPostgresTransport } from '@eddy/postgres';
import { createSqliteStateStore, createSqliteTransport } from '@eddy/sqlite';
import pg from 'pg';
import {
  count,
  createMemoryStateStore,
  pipeline,
  sequence,
  tumbling,
  type PatternMatch,
  type StateStore,
  type WindowResult,
} from '@eddy/streams';
import { percentile, printTable, writeResults, type BenchRow } from './lib/report.js';
import { withoutBatches } from './lib/without-batches.js';

const PG_URL = process.env['EDDY_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const EVENTS = Number(process.env['STREAMS_BENCH_EVENTS'] ?? 50_000);
const KEYS = 1_000;
const WARMUP = Number(process.env['STREAMS_BENCH_WARMUP'] ?? 2);
const ROUNDS = Number(process.env['STREAMS_BENCH_ROUNDS'] ?? 5);
const PAIRS = Number(process.env['STREAMS_BENCH_PAIRS'] ?? 500);
const BATCH = Number(process.env['STREAMS_BENCH_BATCH'] ?? 1_000);
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

interface Reading {
  readonly sensor: string;
  readonly v: number;
}

/** Wall and CPU time since `from`: the machine is shared, so events per CPU-second say more than events/s. */
interface Clock {
  readonly wall: bigint;
  readonly cpu: NodeJS.CpuUsage;
}
interface Rate {
  readonly rate: number;
  readonly cpuRate: number;
}
const startClock = (): Clock => ({ wall: process.hrtime.bigint(), cpu: process.cpuUsage() });
function ratesSince(clock: Clock, events: number): Rate {
  const seconds = Number(process.hrtime.bigint() - clock.wall) / 1e9;
  const cpu = process.cpuUsage(clock.cpu);
  return { rate: events / seconds, cpuRate: events / ((cpu.user + cpu.system) / 1e6) };
}

/** Event time of reading i: 10,000 readings per second of event time (10 per key and window), in order. */
const timeOf = (i: number): number => T0 + Math.floor(i / 10);
const sensorOf = (i: number): string => `sensor-${(i * 7919) % KEYS}`;

/** Publishes the readings to `topic` on `transport` in batches, as the bus would encode them (random UUID ids). */
async function fill(transport: Transport, topic: string): Promise<void> {
  for (let from = 0; from < EVENTS; from += 1_000) {
    const messages = [];
    for (let i = from; i < Math.min(EVENTS, from + 1_000); i++) {
      const event = createCloudEvent({
        id: randomUUID(),
        source: '/bench',
        type: 'reading',
        time: new Date(timeOf(i)).toISOString(),
        data: { sensor: sensorOf(i), v: i % 10 },
      });
      messages.push({ ...encodeCloudEvent(event, { mode: 'binary' }) });
    }
    await transport.publish(topic, messages);
  }
}

/** The hand-written loop: decoded events in, closed window counts out. */
function handLoop(events: readonly { sensor: string; time: number }[]): Map<string, number> {
  const open = new Map<number, Map<string, number>>();
  const closed = new Map<string, number>();
  let watermark = Number.NEGATIVE_INFINITY;
  for (const { sensor, time } of events) {
    const start = Math.floor(time / 1_000) * 1_000;
    let window = open.get(start);
    if (window === undefined) open.set(start, (window = new Map<string, number>()));
    window.set(sensor, (window.get(sensor) ?? 0) + 1);
    if (time > watermark) {
      watermark = time;
      for (const [windowStart, counts] of open) {
        if (windowStart + 1_000 > watermark) continue;
        for (const [key, n] of counts) closed.set(`${key}|${windowStart}`, n);
        open.delete(windowStart);
      }
    }
  }
  return closed;
}

/** Runs the Eddy pipeline over the prepared topic; returns events/s and the closed window counts. */
async function eddyRun(
  store: StateStore,
  name: string,
  transport: Transport = createMemoryTransport(),
): Promise<Rate & { counts: Map<string, number> }> {
  await fill(transport, 'reading');
  type Events = { reading: Reading; 'window.count': WindowResult<number> };
  const bus: Bus<Events> = createBus<Events>({ transport, group: 'bench' });
  const p = pipeline(bus, { name, store, batchSize: BATCH });
  p.from('reading')
    .keyBy((event) => event.data.sensor)
    .window(tumbling({ sizeMs: 1_000 }), { aggregate: count(), name: 'per-second' })
    .to('window.count');
  const started = startClock();
  await p.start();
  await bus.start();
  while (p.stats().processed < EVENTS) await new Promise((resolve) => setTimeout(resolve, 2));
  const rates = ratesSince(started, EVENTS);
  // The results are read afterwards, by a consumer of their own: a downstream service is not the
  // pipeline's work, and in this process it would take CPU from it.
  const reader: Bus<Events> = createBus<Events>({ transport, group: 'bench-results' });
  const counts = new Map<string, number>();
  reader.onBatch(
    'window.count',
    (events) => {
      for (const { data } of events) counts.set(`${data.key}|${data.start}`, data.value);
    },
    { from: 'earliest', maxSize: 1_000, maxWaitMs: 0 },
  );
  await reader.start();
  const expectedWindows = Math.floor((timeOf(EVENTS - 1) - T0) / 1_000) * KEYS;
  while (counts.size < expectedWindows) await new Promise((resolve) => setTimeout(resolve, 2));
  await reader.stop();
  await p.stop();
  await bus.stop();
  await store.close();
  return { ...rates, counts };
}

/** The bus alone: the same events through `bus.onBatch` with a handler that does nothing. */
async function busAlone(): Promise<Rate> {
  const transport = createMemoryTransport();
  await fill(transport, 'reading');
  const bus = createBus<{ reading: Reading }>({ transport, group: 'bench' });
  let handled = 0;
  bus.onBatch('reading', (events) => void (handled += events.length), {
    maxSize: BATCH,
    maxWaitMs: 0,
    from: 'earliest',
  });
  const started = startClock();
  await bus.start();
  while (handled < EVENTS) await new Promise((resolve) => setTimeout(resolve, 2));
  const rates = ratesSince(started, EVENTS);
  await bus.stop();
  return rates;
}

/**
 * The pipeline's own work without a transport or the bus: the same stages and state commits
 * (consumed inputs included), fed batches of decoded events by a stand-in for the bus that only
 * offers onBatch and publishBatch.
 */
async function engineAlone(store: StateStore, name: string): Promise<Rate & { counts: Map<string, number> }> {
  type Events = { reading: Reading };
  let handler: ((events: readonly BusEvent[], ctx: BatchContext) => Promise<void> | void) | undefined;
  const counts = new Map<string, number>();
  const standIn = {
    onBatch: (type: string, batchHandler: typeof handler) => {
      handler = batchHandler;
      return { name: type, type, topic: type, group: `bench.${type}`, emits: [] };
    },
    publishBatch: (items: readonly { data: WindowResult<number> }[]) => {
      for (const { data } of items) counts.set(`${data.key}|${data.start}`, data.value);
      return Promise.resolve([]);
    },
  } as unknown as Bus<Events>;
  const p = pipeline(standIn, { name, store, batchSize: BATCH });
  p.from('reading')
    .keyBy((event) => event.data.sensor)
    .window(tumbling({ sizeMs: 1_000 }), { aggregate: count(), name: 'per-second' })
    .to('window.count');
  await p.start();
  const events = Array.from({ length: EVENTS }, (_, i): BusEvent => ({
    specversion: '1.0',
    id: `r-${i}`,
    source: '/bench',
    type: 'reading',
    time: new Date(timeOf(i)).toISOString(),
    data: { sensor: sensorOf(i), v: i % 10 },
  }));
  // Each event at its position in one partition, as a transport would hand it over: the commits
  // then remember consumed inputs as the pipeline's do.
  const positions = new Map(
    events.map((event, i) => [event, { topic: 'reading', partition: 0, offset: String(i) }]),
  );
  const ctx = {
    fail: (_event: BusEvent, error: unknown) => {
      throw error;
    },
    message: (event: BusEvent) => positions.get(event),
  } as unknown as BatchContext;
  const started = startClock();
  for (let from = 0; from < EVENTS; from += BATCH) await handler!(events.slice(from, from + BATCH), ctx);
  const rates = ratesSince(started, EVENTS);
  await p.stop();
  await store.close();
  return { ...rates, counts };
}

function sameCounts(a: Map<string, number>, b: Map<string, number>, what: string): void {
  for (const [key, n] of a) {
    if (b.get(key) !== n) throw new Error(`${what}: window ${key} counted ${b.get(key)}, expected ${n}`);
  }
}

/** The pipeline on a PostgreSQL transport (schema of its own) with PostgreSQL state. */
async function postgresRun(name: string, perEvent: boolean): Promise<Rate & { counts: Map<string, number> }> {
  const schema = `bench_streams_${randomBytes(4).toString('hex')}`;
  // One partition: the readings then arrive in event-time order, as the loop reads them. Over
  // several partitions read side by side, a window would close before its late readings arrived.
  const transport = await createPostgresTransport({
    connectionString: PG_URL,
    schema,
    poolSize: 4,
    partitions: 1,
  });
  try {
    const store = await createPostgresStateStore({ connectionString: PG_URL, schema: `${schema}_state` });
    return await eddyRun(store, name, perEvent ? withoutBatches(transport) : transport);
  } finally {
    await transport.close();
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}_state" CASCADE`);
    await pool.end();
  }
}

async function windowRounds(): Promise<BenchRow[]> {
  const decoded = Array.from({ length: EVENTS }, (_, i) => ({ sensor: sensorOf(i), time: timeOf(i) }));
  type Case =
    | 'hand'
    | 'bus'
    | 'memory'
    | 'sqlite'
    | 'sqliteWorker'
    | 'postgres'
    | 'postgresPerEvent'
    | 'engineMemory'
    | 'engineSqlite';
  const rates: Record<Case, Rate[]> = {
    hand: [],
    bus: [],
    memory: [],
    sqlite: [],
    sqliteWorker: [],
    postgres: [],
    postgresPerEvent: [],
    engineMemory: [],
    engineSqlite: [],
  };
  let reference: Map<string, number> | undefined;
  // Rounds below 0 warm up: run, checked, not counted.
  for (let round = -WARMUP; round < ROUNDS; round++) {
    const keep = (which: Case, rate: Rate): void => {
      if (round >= 0) rates[which].push(rate);
    };
    const startedHand = startClock();
    const hand = handLoop(decoded);
    keep('hand', ratesSince(startedHand, EVENTS));
    reference = hand;
    keep('bus', await busAlone());
    const engineMemory = await engineAlone(createMemoryStateStore(), `engine-memory-${round}`);
    keep('engineMemory', engineMemory);
    sameCounts(hand, engineMemory.counts, 'engine, memory state');
    const memory = await eddyRun(createMemoryStateStore(), `bench-memory-${round}`);
    keep('memory', memory);
    sameCounts(hand, memory.counts, 'memory state');
    const dir = mkdtempSync(join(tmpdir(), 'eddy-streams-bench-'));
    try {
      const sqlite = await eddyRun(
        createSqliteStateStore({ database: join(dir, 'state.db') }),
        `bench-sqlite-${round}`,
      );
      keep('sqlite', sqlite);
      sameCounts(hand, sqlite.counts, 'SQLite state');
      const sqliteWorker = await eddyRun(
        createSqliteStateStore({ database: join(dir, 'state-worker.db'), workerThread: true }),
        `bench-sqlite-worker-${round}`,
      );
      keep('sqliteWorker', sqliteWorker);
      sameCounts(hand, sqliteWorker.counts, 'SQLite state, worker thread');
      const engineSqlite = await engineAlone(
        createSqliteStateStore({ database: join(dir, 'engine.db') }),
        `engine-sqlite-${round}`,
      );
      keep('engineSqlite', engineSqlite);
      sameCounts(hand, engineSqlite.counts, 'engine, SQLite state');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // PostgreSQL's rows are measured rounds only: its round trips, not V8's warming, set their pace.
    if (round < 0) continue;
    // Alternated per round, so drift in the machine's load does not favour one path.
    const paths =
      round % 2 === 0
        ? (['postgres', 'postgresPerEvent'] as const)
        : (['postgresPerEvent', 'postgres'] as const);
    for (const path of paths) {
      const run = await postgresRun(`${path}-${round}`, path === 'postgresPerEvent');
      rates[path].push(run);
      sameCounts(hand, run.counts, 'PostgreSQL');
    }
  }
  const median = (values: number[]): number =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const hand = median(rates.hand.map((r) => r.rate));
  const handCpu = median(rates.hand.map((r) => r.cpuRate));
  const row = (label: string, which: Case): BenchRow => {
    const rate = median(rates[which].map((r) => r.rate));
    const cpuRate = median(rates[which].map((r) => r.cpuRate));
    return {
      case: label,
      'events/s': rate,
      'slowest round': Math.min(...rates[which].map((r) => r.rate)),
      'events/CPU-s': cpuRate,
      'vs loop': rate / hand,
      'vs loop (CPU)': cpuRate / handCpu,
    };
  };
  return [
    row('hand-written loop (decoded events in an array)', 'hand'),
    row('bus alone: onBatch, handler does nothing', 'bus'),
    row('eddy pipeline, memory state', 'memory'),
    row('eddy pipeline, SQLite state', 'sqlite'),
    row('eddy pipeline, SQLite state, workerThread: true', 'sqliteWorker'),
    row('eddy pipeline, PostgreSQL transport and state, subscribeBatch', 'postgres'),
    row('eddy pipeline, PostgreSQL transport and state, per-event path', 'postgresPerEvent'),
    row('pipeline stages + commits only, memory state', 'engineMemory'),
    row('pipeline stages + commits only, SQLite state', 'engineSqlite'),
  ].map((r) => ({ ...r, windows: reference?.size ?? 0 }));
}

/** p50/p99 from publishing the completing event to the match arriving at a handler. */
async function patternLatency(label: string, transport: Transport, store: StateStore): Promise<BenchRow> {
  type Events = { login: { user: string }; transfer: { user: string }; suspicious: PatternMatch<unknown> };
  const bus = createBus<Events>({ transport, group: 'latency' });
  const sentAt = new Map<string, bigint>();
  const latencies: number[] = [];
  bus.on(
    'suspicious',
    (event) => {
      const sent = sentAt.get(event.data.key);
      if (sent !== undefined) latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
    },
    { from: 'earliest' },
  );
  const p = pipeline(bus, { name: 'latency', store });
  p.from('login', 'transfer')
    .keyBy((event: BusEvent<'login' | 'transfer', { user: string }>) => event.data.user)
    .detect(
      sequence({
        name: 'login-then-transfer',
        steps: [
          { name: 'login', where: (event: BusEvent) => event.type === 'login' },
          { name: 'transfer', where: (event: BusEvent) => event.type === 'transfer' },
        ],
        withinMs: 5_000,
      }),
    )
    .to('suspicious');
  await p.start();
  await bus.start();
  for (let i = 0; i < PAIRS; i++) {
    const user = `user-${i}`;
    await bus.publish('login', { user }, { key: user });
    sentAt.set(user, process.hrtime.bigint());
    await bus.publish('transfer', { user }, { key: user });
    // One pair at a time: latency, not throughput.
    while (latencies.length <= i) await new Promise((resolve) => setImmediate(resolve));
  }
  await p.stop();
  await bus.stop();
  await store.close();
  return {
    case: label,
    matches: latencies.length,
    'p50 ms': percentile(latencies, 50),
    'p99 ms': percentile(latencies, 99),
  };
}

/**
 * What remembering consumed inputs costs a SQLite state store as they pile up (the default input
 * TTL is 24 h): µs per input of commits of 1,000, measured over 20 commits once the store holds
 * n inputs. Inputs keyed by random UUID event ids; by position (8 partitions), the key pipelines
 * use, with consecutive offsets as a log transport delivers them (kept as runs); and by position
 * with every other offset missing, as when a filter upstream skipped them (a row per input).
 */
async function inputsAtScale(): Promise<BenchRow[]> {
  const sizes = [0, 100_000, 300_000];
  const perInput: Record<string, number[]> = { ids: [], positions: [], gaps: [] };
  const dir = mkdtempSync(join(tmpdir(), 'eddy-streams-inputs-'));
  try {
    for (const kind of ['ids', 'positions', 'gaps'] as const) {
      const store = createSqliteStateStore({ database: join(dir, `${kind}.db`) });
      let n = 0;
      const commit = async (): Promise<void> => {
        const inputs = Array.from({ length: 1_000 }, () => {
          const at = n++;
          const partition = at % 8;
          const offset = String(Math.floor(at / 8) * (kind === 'gaps' ? 2 : 1)).padStart(20, '0');
          return {
            key: kind === 'ids' ? randomUUID() : `reading/${partition}/${offset}`,
            topic: 'reading',
            partition,
            offset,
          };
        });
        await store.commit('inputs', { inputs });
      };
      for (const size of sizes) {
        while (n < size) await commit();
        const started = process.hrtime.bigint();
        for (let i = 0; i < 20; i++) await commit();
        perInput[kind]!.push(Number(process.hrtime.bigint() - started) / 1e3 / 20_000);
      }
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return sizes.map((size, i) => ({
    'inputs remembered': size,
    'µs per input, keyed by event id (UUID)': perInput['ids']![i]!,
    'µs per input, keyed by position': perInput['positions']![i]!,
    'by position, every other offset missing': perInput['gaps']![i]!,
  }));
}

const loadBefore = loadavg();
const windows = await windowRounds();
const loadAfter = loadavg();
const load = (values: number[]): string => values.map((v) => v.toFixed(2)).join(' ');
printTable(
  `Tumbling count per key, ${EVENTS.toLocaleString('en-US')} events, ${KEYS} keys (median of ${ROUNDS} rounds after ${WARMUP} to warm up; load average ${load(loadBefore)} before, ${load(loadAfter)} after)`,
  windows,
);

const dir = mkdtempSync(join(tmpdir(), 'eddy-streams-latency-'));
const latency: BenchRow[] = [];
try {
  latency.push(
    await patternLatency('memory transport, memory state', createMemoryTransport(), createMemoryStateStore()),
  );
  latency.push(
    await patternLatency(
      'SQLite transport, SQLite state',
      createSqliteTransport({ path: join(dir, 'log.db') }),
      createSqliteStateStore({ database: join(dir, 'state.db') }),
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
printTable(
  `Pattern detection latency, completing event to match (${PAIRS} sequences, one at a time)`,
  latency,
);
const inputs = await inputsAtScale();
printTable('Consumed inputs in a SQLite state store, commits of 1,000', inputs);
const rateOf = (label: string): number =>
  Number(windows.find((row) => row['case'] === label)?.['events/s'] ?? 0);
writeResults('streams', {
  events: EVENTS,
  keys: KEYS,
  rounds: { warmUp: WARMUP, measured: ROUNDS },
  // The targets, for the summary table `npm run bench` prints.
  targets: {
    'tumbling count per key, SQLite state, events/s (>= 100,000)': rateOf('eddy pipeline, SQLite state'),
    'the same, workerThread: true, events/s (>= 100,000)': rateOf(
      'eddy pipeline, SQLite state, workerThread: true',
    ),
  },
  loadAverage: { before: loadBefore, after: loadAfter },
  windows,
  latency,
  inputs,
});
