// Eddy's PostgreSQL transport next to the same database driven directly through pg, in one run:
// batched publish (INSERT ... SELECT unnest vs transport.publish) and consume-with-ack (a FOR UPDATE
// SKIP LOCKED claim + DELETE loop vs a subscription), at 256 B.
// Run: node --conditions=@eddy/source --import tsx bench/postgres.bench.ts
import { randomBytes } from 'node:crypto';

import { createPostgresTransport } from '@eddy/postgres';
import pg from 'pg';

import { opsPerSecond, overallRate, printTable, writeResults, type BenchRow } from './lib/report.js';
import { subscriptionRate } from './lib/subscription-rate.js';

const POSTGRES_URL = process.env.EDDY_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BATCH = 100;
const FETCH = 256;
const MESSAGES = 20_000;
const PAYLOAD_BYTES = 256;
const KEYS = 64;
// Each side runs ROUNDS times; the table shows total messages over total time per side and the
// median of per-round ratios: single rounds swing widely on a 2-core machine shared with the server.
const ROUNDS = 7;

const schema = `eddy_bench_${randomBytes(4).toString('hex')}`;
const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 });
const transport = await createPostgresTransport({ connectionString: POSTGRES_URL, schema, poolSize: 4 });
const direct = `"${schema}".direct_queue`;
await pool.query(
  `CREATE TABLE ${direct} (id bigserial PRIMARY KEY, key text, headers jsonb NOT NULL, payload bytea NOT NULL,
     published_at bigint NOT NULL)`,
);

// Publishing is timed in slices that alternate between the sides, so load that drifts during a run
// (this machine is shared) falls on both sides alike.
const SLICES = 10;

async function elapsedMs(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function directPublishSlice(payload: Buffer, messages: number): Promise<number> {
  const headers = Array.from({ length: BATCH }, () => '{}');
  const payloads = Array.from({ length: BATCH }, () => payload);
  return elapsedMs(async () => {
    for (let sent = 0; sent < messages; sent += BATCH) {
      await pool.query(
        `INSERT INTO ${direct} (headers, payload, published_at)
         SELECT h::jsonb, p, (extract(epoch FROM clock_timestamp()) * 1000)::bigint FROM unnest($1::text[], $2::bytea[]) AS u (h, p)`,
        [headers, payloads],
      );
    }
  });
}

let keyCounter = 0;
async function eddyPublishSlice(
  topic: string,
  payload: Buffer,
  messages: number,
  keyed: boolean,
): Promise<number> {
  return elapsedMs(async () => {
    for (let sent = 0; sent < messages; sent += BATCH) {
      const batch = Array.from({ length: BATCH }, () =>
        keyed ? { key: `k${keyCounter++ % KEYS}`, payload } : { payload },
      );
      await transport.publish(topic, batch);
    }
  });
}

/** Publishes MESSAGES per side, interleaved slice by slice; returns msg/s per side. */
async function publishRound(
  topic: string,
  keyedTopic: string,
  payload: Buffer,
): Promise<{ direct: number; eddy: number; keyed: number }> {
  const totals = { direct: 0, eddy: 0, keyed: 0 };
  const slice = MESSAGES / SLICES;
  for (let i = 0; i < SLICES; i++) {
    totals.direct += await directPublishSlice(payload, slice);
    totals.eddy += await eddyPublishSlice(topic, payload, slice, false);
    totals.keyed += await eddyPublishSlice(keyedTopic, payload, slice, true);
  }
  const rate = (ms: number): number => (MESSAGES / ms) * 1000;
  return { direct: rate(totals.direct), eddy: rate(totals.eddy), keyed: rate(totals.keyed) };
}

async function directConsume(): Promise<number> {
  const client = await pool.connect();
  try {
    return await opsPerSecond(MESSAGES, async () => {
      let handled = 0;
      while (handled < MESSAGES) {
        await client.query('BEGIN');
        const claimed = await client.query<{ id: string; payload: Buffer }>(
          `SELECT id, key, headers, payload, published_at FROM ${direct} ORDER BY id LIMIT ${FETCH} FOR UPDATE SKIP LOCKED`,
        );
        handled += claimed.rows.length;
        await client.query(`DELETE FROM ${direct} WHERE id = ANY ($1::bigint[])`, [
          claimed.rows.map((row) => row.id),
        ]);
        await client.query('COMMIT');
      }
    });
  } finally {
    client.release();
  }
}

async function eddyConsume(topic: string): Promise<number> {
  // Until close(), which waits for every ack to be written. The one-off subscription setup (group
  // rows, LISTEN connection) before the first delivery is left out, as the direct loop has none.
  const options = { group: 'bench', from: 'earliest', maxInFlight: FETCH } as const;
  return subscriptionRate(transport, topic, options, MESSAGES, 'closed');
}

const payload = Buffer.alloc(PAYLOAD_BYTES, 7);
type Metric =
  'directPublish' | 'eddyPublish' | 'keyedPublish' | 'directConsume' | 'eddyConsume' | 'keyedConsume';
const runs: Record<Metric, number[]> = {
  directPublish: [],
  eddyPublish: [],
  keyedPublish: [],
  directConsume: [],
  eddyConsume: [],
  keyedConsume: [],
};
const started = Date.now();
for (let round = 0; round < ROUNDS; round++) {
  const topic = `bench-${round}`;
  const keyedTopic = `bench-keyed-${round}`;
  const published = await publishRound(topic, keyedTopic, payload);
  runs.directPublish.push(published.direct);
  runs.eddyPublish.push(published.eddy);
  runs.keyedPublish.push(published.keyed);
  // Consuming cannot be sliced (each side drains its own backlog); alternate which side goes first.
  if (round % 2 === 0) {
    runs.directConsume.push(await directConsume());
    runs.eddyConsume.push(await eddyConsume(topic));
  } else {
    runs.eddyConsume.push(await eddyConsume(topic));
    runs.directConsume.push(await directConsume());
  }
  runs.keyedConsume.push(await eddyConsume(keyedTopic));
}

const overall = (metric: Metric): number => overallRate(runs[metric]);
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
// Eddy and direct run back to back in each round; the median of those per-round ratios is less
// sensitive to load drifting between rounds than the ratio of the overall rates.
const roundRatio = (eddy: Metric, direct: Metric): number =>
  Number(median(runs[eddy].map((value, i) => value / runs[direct][i]!)).toFixed(2));
const row = (label: string, eddy: Metric, direct: Metric): BenchRow => ({
  case: label,
  'direct msg/s': Math.round(overall(direct)),
  'eddy msg/s': Math.round(overall(eddy)),
  'eddy/direct': Number((overall(eddy) / overall(direct)).toFixed(2)),
  'eddy/direct (median per round)': roundRatio(eddy, direct),
});
const rows: BenchRow[] = [
  row(`publish, batches of ${BATCH}, 256 B`, 'eddyPublish', 'directPublish'),
  row(`consume + ack, 256 B`, 'eddyConsume', 'directConsume'),
  row(`publish, batches of ${BATCH}, ${KEYS} keys (direct: no keys)`, 'keyedPublish', 'directPublish'),
  row(`consume + ack, ${KEYS} keys in order (direct: no order)`, 'keyedConsume', 'directConsume'),
];

printTable(
  `PostgreSQL (${POSTGRES_URL.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')}), pg direct vs Eddy transport, ` +
    `${MESSAGES.toLocaleString('en-US')} messages per side and round, ${ROUNDS} rounds, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  rows,
);
writeResults('postgres', rows);

await transport.close();
await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
await pool.end();
