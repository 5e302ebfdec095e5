// SQLite log: Eddy's embedded transport against the physical limit (append + fdatasync on a plain
// file), the practical ceiling (raw better-sqlite3 doing the same work on a plain table) and Redis
// Streams and NATS JetStream driven directly through their official clients, in one run on one
// machine. EDDY_BENCH_QUICK=1 runs only the 256 B cases against the disk and raw SQLite.
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createSqliteTransport, type SqliteTransport } from '@eddy/sqlite';
import { opsPerSecond, percentile, printTable, writeResults, type BenchRow } from './lib/report.js';

const SIZES = [256, 4096] as const;
const BACKLOG = 100_000;
const CONCURRENT = 1_000;
const SERIAL_MS = 750;
const LATENCY_RATE = 1_000;
const LATENCY_MS = 1_500;
const RAW_BATCH = 1_000;
/** Rounds of the concurrent-publish scenario for Eddy in full mode (and of raw inserts); medians are reported. */
const PUBLISH_ROUNDS = 3;
const RUN = randomBytes(3).toString('hex');
const QUICK = process.env.EDDY_BENCH_QUICK === '1';

const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-'));
const until = (check: () => boolean): Promise<void> =>
  new Promise((resolve) => {
    const poll = (): void => {
      if (check()) resolve();
      else setTimeout(poll, 1);
    };
    poll();
  });

/** A payload of `size` bytes whose first 8 bytes carry the send time (performance.now()). */
function stamped(size: number): Buffer {
  const payload = Buffer.alloc(size, 7);
  payload.writeDoubleLE(performance.now(), 0);
  return payload;
}
const sentAt = (payload: Uint8Array): number =>
  Buffer.from(payload.buffer, payload.byteOffset, 8).readDoubleLE(0);

/** Sends `send()` at a steady rate for `durationMs` (individual sends, not bursts of a batch). */
async function steady(send: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  let sent = 0;
  const pending: Promise<unknown>[] = [];
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.min(Math.floor((elapsed * LATENCY_RATE) / 1000), (LATENCY_MS * LATENCY_RATE) / 1000);
      while (sent < due) {
        pending.push(send());
        sent += 1;
      }
      if (elapsed >= LATENCY_MS) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await Promise.all(pending);
}

async function serialRate(publish: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < SERIAL_MS) {
    await publish();
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

/** Batches of 1,000 published at most while waiting for the WAL to start over. */
const MAX_FILL_BATCHES = 400;

/**
 * Publish awaited one by one, as `serialRate`, once the WAL has reached its working size. A fresh
 * database's WAL grows with every commit until then, and a flush that also commits the file's new
 * size and blocks takes longer (on this machine's disk about twice as long for the 12 KB of a
 * publish); after that SQLite writes over the file, as it does for a service that has been running.
 */
async function serialRateAtWalSize(
  transport: SqliteTransport,
  topic: string,
  payload: Buffer,
  walPath: string,
): Promise<number> {
  const batch = Array.from({ length: 1_000 }, () => ({ payload }));
  // Until a commit leaves the file's size as it was: SQLite then writes over it from the start.
  for (let fill = 0; fill < MAX_FILL_BATCHES; fill++) {
    const before = statSync(walPath).size;
    await transport.publish(`${topic}-fill`, batch);
    if (before > 0 && statSync(walPath).size === before) break;
  }
  return serialRate(() => transport.publish(topic, [{ payload }]));
}

async function concurrentRate(publish: () => Promise<unknown>): Promise<number> {
  return opsPerSecond(BACKLOG, async () => {
    for (let done = 0; done < BACKLOG; done += CONCURRENT) {
      await Promise.all(Array.from({ length: CONCURRENT }, publish));
    }
  });
}

interface Figures {
  publishSerial: number;
  /** The same, once the WAL has reached its working size (Eddy only, `full`). */
  publishSerialAtSize?: number;
  /** Raw better-sqlite3 consume rate measured interleaved with Eddy's consume rounds (Eddy only). */
  rawConsume?: number;
  /**
   * CPU time of the whole process (all threads) per consumed message, µs: less sensitive than
   * rates to other work on a shared machine. Eddy's and the raw consume's, Eddy only.
   */
  consumeCpuUs?: number;
  rawConsumeCpuUs?: number;
  publishConcurrent: number;
  consumeAck: number;
  p50Ms: number;
  p99Ms: number;
}

let rawRuns = 0;
function rawInsertRate(size: number): number {
  rawRuns += 1;
  const db = new Database(join(dir, `raw-${size}-${rawRuns}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE log (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO log (payload) VALUES (?)');
  const batch = db.transaction((payloads: Buffer[]) => {
    for (const payload of payloads) insert.run(payload);
  });
  const payload = Buffer.alloc(size, 7);
  const rows = Array.from({ length: RAW_BATCH }, () => payload);
  const started = performance.now();
  for (let done = 0; done < BACKLOG; done += RAW_BATCH) batch.immediate(rows);
  const rate = BACKLOG / ((performance.now() - started) / 1000);
  db.close();
  return rate;
}

const median = (values: readonly number[]): number => percentile(values, 50);

/** Bytes of the preallocated file the overwrite loop cycles through. */
const PREALLOCATED_BYTES = 16 * 1024 * 1024;

/**
 * The disk's limit for durable one-by-one writes: write `size` bytes, fdatasync, repeat. Appending
 * grows the file, so each fdatasync also commits its new size to the file system's journal;
 * overwriting a preallocated file, as SQLite does once its WAL has reached its working size, does
 * not. The faster of the two is the limit.
 */
function fsyncLoop(
  size: number,
  mode: 'append' | 'overwrite',
): { rate: number; p50Ms: number; p99Ms: number } {
  const file = join(dir, `fsync-${mode}-${size}.log`);
  if (mode === 'overwrite') {
    const fd = openSync(file, 'w');
    writeSync(fd, Buffer.alloc(PREALLOCATED_BYTES));
    fdatasyncSync(fd);
    closeSync(fd);
  }
  const fd = openSync(file, mode === 'append' ? 'a' : 'r+');
  const payload = Buffer.alloc(size, 7);
  const times: number[] = [];
  let position = 0;
  const started = performance.now();
  try {
    while (performance.now() - started < SERIAL_MS) {
      const at = performance.now();
      if (mode === 'append') writeSync(fd, payload);
      else {
        writeSync(fd, payload, 0, size, position);
        position = (position + size) % (PREALLOCATED_BYTES - size);
      }
      fdatasyncSync(fd);
      times.push(performance.now() - at);
    }
  } finally {
    closeSync(fd);
  }
  const rate = times.length / ((performance.now() - started) / 1000);
  return { rate, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
}

/**
 * The disk's latency for the end-to-end phase: the append + fdatasync of the loop above, sent at
 * that phase's rate by the same ticker instead of back to back. On a virtual disk a flush after an
 * idle millisecond can take longer than one right after another, so this, not the loop, is the
 * floor of the end-to-end p99.
 */
async function pacedFsyncLoop(size: number): Promise<{ p50Ms: number; p99Ms: number }> {
  const fd = openSync(join(dir, `fsync-paced-${size}.log`), 'a');
  const payload = Buffer.alloc(size, 7);
  const times: number[] = [];
  try {
    await steady(() => {
      const at = performance.now();
      writeSync(fd, payload);
      fdatasyncSync(fd);
      times.push(performance.now() - at);
      return Promise.resolve();
    });
  } finally {
    closeSync(fd);
  }
  return { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
}

/** Raw better-sqlite3, one row per fsync'd (synchronous=FULL, WAL) transaction, one after another. */
function rawSerialRate(size: number): number {
  const db = new Database(join(dir, `raw-serial-${size}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE log (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO log (payload) VALUES (?)');
  const payload = Buffer.alloc(size, 7);
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < SERIAL_MS) {
    insert.run(payload);
    count += 1;
  }
  const rate = count / ((performance.now() - started) / 1000);
  db.close();
  return rate;
}

/**
 * Raw better-sqlite3 doing what one Eddy publish writes, one fsync'd transaction after another: read
 * the partition's next offset, insert the batch row (with its position index), advance the
 * partition's counters. Three pages change per commit where the plain-table loop above changes one;
 * the gap between the two is the log layout's share of the fsync'd commit, before any Eddy code.
 */
function rawLayoutSerialRate(size: number): number {
  const db = new Database(join(dir, `raw-layout-${size}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE partitions (topic_id INTEGER, partition INTEGER, next_offset INTEGER NOT NULL,
      bytes INTEGER NOT NULL, PRIMARY KEY (topic_id, partition)) WITHOUT ROWID;
    CREATE TABLE batches (seq INTEGER PRIMARY KEY, topic_id INTEGER NOT NULL, partition INTEGER NOT NULL,
      base_offset INTEGER NOT NULL, last_offset INTEGER NOT NULL, published_at INTEGER NOT NULL,
      bytes INTEGER NOT NULL, body BLOB NOT NULL);
    CREATE UNIQUE INDEX batches_position ON batches (topic_id, partition, last_offset);
    INSERT INTO partitions VALUES (1, 0, 0, 0);`);
  const next = db
    .prepare<[], number>('SELECT next_offset FROM partitions WHERE topic_id = 1 AND partition = 0')
    .pluck();
  const insert = db.prepare(
    'INSERT INTO batches (topic_id, partition, base_offset, last_offset, published_at, bytes, body) VALUES (1, 0, ?, ?, ?, ?, ?)',
  );
  const advance = db.prepare(
    'UPDATE partitions SET next_offset = ?, bytes = bytes + ? WHERE topic_id = 1 AND partition = 0',
  );
  const append = db.transaction((body: Buffer) => {
    const offset = next.get()!;
    insert.run(offset, offset, Date.now(), body.length, body);
    advance.run(offset + 1, body.length);
  });
  const body = Buffer.alloc(size + 24, 7);
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < SERIAL_MS) {
    append.immediate(body);
    count += 1;
  }
  const rate = count / ((performance.now() - started) / 1000);
  db.close();
  return rate;
}

/**
 * Raw better-sqlite3 consume of a 100k backlog: read 1,000 rows past the stored offset, hand each
 * to a function, commit the new offset (synchronous=NORMAL, as Eddy's acknowledgements), repeat.
 */
function rawConsume(size: number): { rate: number; cpuUsPerMessage: number } {
  const db = new Database(join(dir, `raw-consume-${size}-${rawRuns++}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE log (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
  db.exec('CREATE TABLE offsets (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');
  db.prepare("INSERT INTO offsets VALUES ('g', 0)").run();
  const insert = db.prepare('INSERT INTO log (payload) VALUES (?)');
  const payload = Buffer.alloc(size, 7);
  db.transaction(() => {
    for (let i = 0; i < BACKLOG; i++) insert.run(payload);
  })();
  const read = db.prepare<[number], { id: number; payload: Buffer }>(
    'SELECT id, payload FROM log WHERE id > ? ORDER BY id LIMIT 1000',
  );
  const position = db.prepare<[], number>("SELECT position FROM offsets WHERE name = 'g'").pluck();
  const commit = db.prepare<[number]>("UPDATE offsets SET position = ? WHERE name = 'g'");
  let handled = 0;
  const handle = (row: { id: number; payload: Buffer }): void => {
    if (row.payload.length > 0) handled += 1;
  };
  const started = performance.now();
  const cpu = process.cpuUsage();
  let at = position.get()!;
  while (handled < BACKLOG) {
    const rows = read.all(at);
    for (const row of rows) handle(row);
    at = rows[rows.length - 1]!.id;
    commit.run(at);
  }
  const rate = BACKLOG / ((performance.now() - started) / 1000);
  const cpuUsPerMessage = cpuMicros(process.cpuUsage(cpu)) / BACKLOG;
  db.close();
  return { rate, cpuUsPerMessage };
}

const cpuMicros = (usage: NodeJS.CpuUsage): number => usage.user + usage.system;

/**
 * `beforeRound` runs before each concurrent-publish round: the raw-insert ceiling is measured
 * interleaved with Eddy's rounds, so that load from elsewhere on the machine hits both alike.
 */
async function eddy(
  size: number,
  synchronous: 'full' | 'normal',
  beforeRound?: () => void,
  beforeLatency?: () => Promise<void>,
): Promise<Figures> {
  const transport: SqliteTransport = createSqliteTransport({
    path: join(dir, `eddy-${size}-${synchronous}.db`),
    synchronous,
  });
  const topic = `bench-${size}`;
  // Throughput phases reuse one payload, as the raw-insert baseline does; latency stamps each one.
  const fixed = Buffer.alloc(size, 7);
  const message = () => [{ payload: stamped(size) }];
  const publishSerial = await serialRate(() => transport.publish(`${topic}-serial`, [{ payload: fixed }]));
  const rounds: number[] = [];
  for (let round = 0; round < (beforeRound === undefined ? 1 : PUBLISH_ROUNDS); round++) {
    beforeRound?.();
    // Round 0 fills the backlog the consume scenario reads.
    const target = round === 0 ? topic : `${topic}-round${round}`;
    rounds.push(await concurrentRate(() => transport.publish(target, [{ payload: fixed }])));
  }
  const publishConcurrent = median(rounds);
  const publishSerialAtSize =
    synchronous === 'full'
      ? await serialRateAtWalSize(
          transport,
          `${topic}-serial`,
          fixed,
          join(dir, `eddy-${size}-${synchronous}.db-wal`),
        )
      : undefined;
  const consumeBaselines: number[] = [];
  const consumeBaselineCpu: number[] = [];
  const consumeCpu: number[] = [];

  // One consume round per backlog the publish rounds left (median reported).
  const consumeRounds: number[] = [];
  for (let round = 0; round < rounds.length; round++) {
    const baseline = rawConsume(size);
    consumeBaselines.push(baseline.rate);
    consumeBaselineCpu.push(baseline.cpuUsPerMessage);
    let handled = 0;
    const cpu = process.cpuUsage();
    consumeRounds.push(
      await opsPerSecond(BACKLOG, async () => {
        const subscription = await transport.subscribe(
          round === 0 ? topic : `${topic}-round${round}`,
          { group: 'consume', from: 'earliest', maxInFlight: 1_000 },
          () => void (handled += 1),
        );
        await until(() => handled >= BACKLOG);
        // Count the acknowledgements' commit too, not only the handler calls.
        await subscription.close();
      }),
    );
    consumeCpu.push(cpuMicros(process.cpuUsage(cpu)) / BACKLOG);
  }
  const consumeAck = median(consumeRounds);

  await beforeLatency?.();
  const latencies: number[] = [];
  const live = await transport.subscribe(`${topic}-live`, { group: 'live' }, (m) => {
    latencies.push(performance.now() - sentAt(m.payload));
  });
  await steady(() => transport.publish(`${topic}-live`, message()));
  await until(() => latencies.length >= (LATENCY_MS * LATENCY_RATE) / 1000);
  await live.close();
  await transport.close();
  return {
    publishSerial,
    ...(publishSerialAtSize === undefined ? {} : { publishSerialAtSize }),
    rawConsume: median(consumeBaselines),
    rawConsumeCpuUs: median(consumeBaselineCpu),
    consumeCpuUs: median(consumeCpu),
    publishConcurrent,
    consumeAck,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

async function redis(size: number): Promise<Figures> {
  const client = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  const reader = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await Promise.all([client.connect(), reader.connect()]);
  const key = `eddybench:${RUN}:${size}`;
  const fixed = Buffer.alloc(size, 7);
  const xadd = (stream: string, payload: Buffer = fixed) => client.xadd(stream, '*', 'p', payload);
  try {
    const publishSerial = await serialRate(() => xadd(`${key}:serial`));
    const publishConcurrent = await concurrentRate(() => xadd(key));
    // Three groups each read the whole backlog: three rounds, median reported.
    const consumeRounds: number[] = [];
    for (const group of ['g1', 'g2', 'g3']) {
      await client.xgroup('CREATE', key, group, '0');
      let handled = 0;
      consumeRounds.push(
        await opsPerSecond(BACKLOG, async () => {
          while (handled < BACKLOG) {
            const reply = (await client.xreadgroup(
              'GROUP',
              group,
              'c',
              'COUNT',
              1_000,
              'STREAMS',
              key,
              '>',
            )) as [string, [string, string[]][]][] | null;
            const entries = reply?.[0]?.[1] ?? [];
            handled += entries.length;
            if (entries.length > 0) await client.xack(key, group, ...entries.map(([id]) => id));
          }
        }),
      );
    }
    const consumeAck = median(consumeRounds);

    const live = `${key}:live`;
    await client.xgroup('CREATE', live, 'g', '$', 'MKSTREAM');
    const latencies: number[] = [];
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const reply = (await reader.callBuffer('XREADGROUP', [
          'GROUP',
          'g',
          'c',
          'COUNT',
          100,
          'BLOCK',
          100,
          'STREAMS',
          live,
          '>',
        ])) as [Buffer, [Buffer, Buffer[]][]][] | null;
        const entries = reply?.[0]?.[1] ?? [];
        for (const [, fields] of entries) latencies.push(performance.now() - sentAt(fields[1]!));
        if (entries.length > 0) await reader.xack(live, 'g', ...entries.map(([id]) => id));
      }
    })();
    await steady(() => xadd(live, stamped(size)));
    await until(() => latencies.length >= (LATENCY_MS * LATENCY_RATE) / 1000);
    stop = true;
    await loop;
    return {
      publishSerial,
      publishConcurrent,
      consumeAck,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  } finally {
    await client.del(key, `${key}:serial`, `${key}:live`);
    client.disconnect();
    reader.disconnect();
  }
}

async function nats(size: number): Promise<Figures> {
  const nc = await connect({ servers: '127.0.0.1:4222' });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = `eddybench_${RUN}_${size}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  try {
    const fixed = Buffer.alloc(size, 7);
    const publishSerial = await serialRate(() => js.publish(`${stream}.serial`, fixed));
    const publishConcurrent = await concurrentRate(() => js.publish(`${stream}.bulk`, fixed));
    const consumerOf = async (name: string, subject: string, deliver: DeliverPolicy) => {
      await jsm.consumers.add(stream, {
        durable_name: name,
        filter_subject: subject,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: deliver,
        max_ack_pending: 10_000,
      });
      return js.consumers.get(stream, name);
    };
    const bulk = await consumerOf('bulk', `${stream}.bulk`, DeliverPolicy.All);
    let handled = 0;
    const consumeAck = await opsPerSecond(BACKLOG, async () => {
      const messages = await bulk.consume({ max_messages: 1_000 });
      for await (const m of messages) {
        m.ack();
        if (++handled >= BACKLOG) break;
      }
      await messages.close();
    });

    const live = await consumerOf('live', `${stream}.live`, DeliverPolicy.New);
    const latencies: number[] = [];
    const messages = await live.consume({ max_messages: 100 });
    const loop = (async () => {
      for await (const m of messages) {
        latencies.push(performance.now() - sentAt(m.data));
        m.ack();
      }
    })();
    await steady(() => js.publish(`${stream}.live`, stamped(size)));
    await until(() => latencies.length >= (LATENCY_MS * LATENCY_RATE) / 1000);
    await messages.close();
    await loop;
    return {
      publishSerial,
      publishConcurrent,
      consumeAck,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  } finally {
    await jsm.streams.delete(stream);
    await nc.close();
  }
}

const row = (system: string, f: Figures): BenchRow => ({
  system,
  'publish awaited 1-by-1 msg/s': Math.round(f.publishSerial),
  'publish 1,000 concurrent msg/s': Math.round(f.publishConcurrent),
  'consume+ack 100k backlog msg/s': Math.round(f.consumeAck),
  'e2e p50 ms @1k/s': Number(f.p50Ms.toFixed(2)),
  'e2e p99 ms @1k/s': Number(f.p99Ms.toFixed(2)),
});

const results: Record<string, unknown> = {};
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
try {
  for (const size of QUICK ? [256] : SIZES) {
    const loadBefore = load();
    // The limits run right before Eddy's first phase (publish awaited one by one), on the same disk.
    const appended = fsyncLoop(size, 'append');
    const overwritten = fsyncLoop(size, 'overwrite');
    const disk = overwritten.rate >= appended.rate ? overwritten : appended;
    const rawSerial = rawSerialRate(size);
    const rawLayoutSerial = rawLayoutSerialRate(size);
    const rawRates: number[] = [];
    let paced = { p50Ms: Number.NaN, p99Ms: Number.NaN };
    const ours = await eddy(
      size,
      'full',
      () => rawRates.push(rawInsertRate(size)),
      async () => {
        paced = await pacedFsyncLoop(size);
      },
    );
    const raw = median(rawRates);
    const normal = QUICK ? undefined : await eddy(size, 'normal');
    const theirs = QUICK ? undefined : { redis: await redis(size), nats: await nats(size) };
    printTable(
      `SQLite log, ${size} B messages (raw better-sqlite3 batched inserts: ${Math.round(raw).toLocaleString('en-US')} rows/s)`,
      [
        ...(
          [
            ['disk: append + fdatasync loop', appended],
            ['disk: overwrite + fdatasync loop', overwritten],
            ['disk: append + fdatasync at 1,000/s', paced],
          ] as const
        ).map(([system, loop]) => ({
          system,
          ...('rate' in loop ? { 'publish awaited 1-by-1 msg/s': Math.round(loop.rate) } : {}),
          'e2e p50 ms @1k/s': Number(loop.p50Ms.toFixed(2)),
          'e2e p99 ms @1k/s': Number(loop.p99Ms.toFixed(2)),
        })),
        {
          system: 'raw better-sqlite3',
          'publish awaited 1-by-1 msg/s': Math.round(rawSerial),
          'publish 1,000 concurrent msg/s': Math.round(raw),
          'consume+ack 100k backlog msg/s': Math.round(ours.rawConsume ?? 0),
        },
        {
          system: "raw better-sqlite3, Eddy's log layout",
          'publish awaited 1-by-1 msg/s': Math.round(rawLayoutSerial),
        },
        row('eddy sqlite (synchronous=full, default)', ours),
        {
          system: 'eddy sqlite (full), WAL at its working size',
          'publish awaited 1-by-1 msg/s': Math.round(ours.publishSerialAtSize ?? Number.NaN),
        },
        ...(normal === undefined ? [] : [row('eddy sqlite (synchronous=normal)', normal)]),
        ...(theirs === undefined
          ? []
          : [row('redis streams (ioredis)', theirs.redis), row('nats jetstream (@nats-io)', theirs.nats)]),
      ],
    );
    const targets: Record<string, number> = {
      'publish 1-by-1 / fsync loop': ours.publishSerial / disk.rate,
      'the same, WAL at its size': (ours.publishSerialAtSize ?? Number.NaN) / disk.rate,
      'publish 1-by-1 / raw sqlite 1-by-1': ours.publishSerial / rawSerial,
      'publish 1-by-1 / raw sqlite, same layout': ours.publishSerial / rawLayoutSerial,
      'concurrent publish / raw inserts': ours.publishConcurrent / raw,
      'consume+ack / raw offset read': ours.consumeAck / (ours.rawConsume ?? Number.NaN),
      'consume CPU per msg, raw / eddy':
        (ours.rawConsumeCpuUs ?? Number.NaN) / (ours.consumeCpuUs ?? Number.NaN),
      'e2e p99 ms (full)': ours.p99Ms,
      'fsync p99 ms': disk.p99Ms,
      'fsync p99 ms @1k/s': paced.p99Ms,
    };
    if (theirs !== undefined)
      targets['consume+ack / redis XREADGROUP+XACK'] = ours.consumeAck / theirs.redis.consumeAck;
    if (normal !== undefined) targets['e2e p99 ms (normal)'] = normal.p99Ms;
    printTable(
      `targets, ${size} B (>= 0.8, -, -, -, >= 0.5, >= 0.8, -, <= 1 ms, -, -; load ${loadBefore} -> ${load()})`,
      [Object.fromEntries(Object.entries(targets).map(([name, value]) => [name, Number(value.toFixed(2))]))],
    );
    results[`${size}B`] = {
      loadAverage: { before: loadBefore, after: load() },
      disk: { append: appended, overwrite: overwritten, paced },
      rawSerialPerSecond: rawSerial,
      rawLayoutSerialPerSecond: rawLayoutSerial,
      rawInsertsPerSecond: raw,
      eddy: ours,
      ...(normal === undefined ? {} : { eddyNormal: normal }),
      ...theirs,
      targets,
    };
  }
  writeResults(QUICK ? 'sqlite-quick' : 'sqlite', results);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
