// Eddy's Redis Streams transport next to the same Redis driven directly through ioredis, in one run:
// batched publish (XADD pipeline vs transport.publish) and consume-with-ack (XREADGROUP + XACK vs a
// subscription), at 256 B and 4 KiB. Run: node --conditions=source --import tsx bench/redis.bench.ts
import { randomUUID } from 'node:crypto';

import { createRedisTransport } from '@eddy/redis';
import { Redis } from 'ioredis';

import { opsPerSecond, printTable, writeResults, type BenchRow } from './lib/report.js';

const REDIS_URL = process.env.EDDY_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BATCH = 100;
const READ_COUNT = 256;
const CASES = [
  { label: '256 B', bytes: 256, messages: 30_000 },
  { label: '4 KiB', bytes: 4_096, messages: 10_000 },
];
// Each figure is the best of ROUNDS interleaved runs: on a shared 2-core machine single runs swing widely.
const ROUNDS = 3;

const prefix = `eddy-bench-${randomUUID().slice(0, 8)}:`;
const redis = new Redis(REDIS_URL);
const transport = await createRedisTransport({ url: REDIS_URL, prefix });

async function directPublish(stream: string, payload: Buffer, messages: number): Promise<number> {
  return opsPerSecond(messages, async () => {
    for (let sent = 0; sent < messages; sent += BATCH) {
      const pipeline = redis.pipeline();
      for (let i = 0; i < BATCH; i++) pipeline.xadd(stream, '*', 'p', payload);
      await pipeline.exec();
    }
  });
}

async function eddyPublish(topic: string, payload: Buffer, messages: number): Promise<number> {
  const batch = Array.from({ length: BATCH }, () => ({ payload }));
  return opsPerSecond(messages, async () => {
    for (let sent = 0; sent < messages; sent += BATCH) await transport.publish(topic, batch);
  });
}

async function directConsume(stream: string, messages: number): Promise<number> {
  await redis.xgroup('CREATE', stream, 'bench', '0');
  return opsPerSecond(messages, async () => {
    let handled = 0;
    while (handled < messages) {
      const reply = (await redis.callBuffer(
        'XREADGROUP',
        'GROUP',
        'bench',
        'c1',
        'COUNT',
        READ_COUNT,
        'BLOCK',
        1_000,
        'STREAMS',
        stream,
        '>',
      )) as [Buffer, [Buffer, Buffer[]][]][] | null;
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) continue;
      handled += entries.length;
      await redis.xack(stream, 'bench', ...entries.map(([id]) => id));
    }
  });
}

async function eddyConsume(topic: string, messages: number): Promise<number> {
  let close: (() => Promise<void>) | undefined;
  const rate = await opsPerSecond(messages, async () => {
    let handled = 0;
    await new Promise<void>((resolve, reject) => {
      transport
        .subscribe(topic, { group: 'bench', from: 'earliest', maxInFlight: READ_COUNT }, () => {
          handled += 1;
          if (handled === messages) resolve();
        })
        .then((subscription) => (close = () => subscription.close()), reject);
    });
  });
  await close?.();
  return rate;
}

const rows: BenchRow[] = [];
for (const { label, bytes, messages } of CASES) {
  const payload = Buffer.alloc(bytes, 7);
  const best = { directPublish: 0, eddyPublish: 0, directConsume: 0, eddyConsume: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const stream = `${prefix}direct-${bytes}-${round}`;
    const topic = `eddy-${bytes}-${round}`;
    best.directPublish = Math.max(best.directPublish, await directPublish(stream, payload, messages));
    best.eddyPublish = Math.max(best.eddyPublish, await eddyPublish(topic, payload, messages));
    best.directConsume = Math.max(best.directConsume, await directConsume(stream, messages));
    best.eddyConsume = Math.max(best.eddyConsume, await eddyConsume(topic, messages));
  }
  rows.push(
    {
      case: `publish, batches of ${BATCH}, ${label}`,
      'direct msg/s': Math.round(best.directPublish),
      'eddy msg/s': Math.round(best.eddyPublish),
      'eddy/direct': Number((best.eddyPublish / best.directPublish).toFixed(2)),
    },
    {
      case: `consume + ack, ${label}`,
      'direct msg/s': Math.round(best.directConsume),
      'eddy msg/s': Math.round(best.eddyConsume),
      'eddy/direct': Number((best.eddyConsume / best.directConsume).toFixed(2)),
    },
  );
}

printTable(`Redis Streams (${REDIS_URL}), ioredis direct vs Eddy transport`, rows);
writeResults('redis', rows);

await transport.close();
let cursor = '0';
do {
  const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
  cursor = next;
  if (keys.length > 0) await redis.unlink(...keys);
} while (cursor !== '0');
redis.disconnect();
