// Eddy's Redis Streams transport next to the same Redis driven directly through ioredis, in one run:
// batched publish (XADD pipeline vs transport.publish) and consume-with-ack (XREADGROUP + XACK vs a
// subscription), at 256 B and 4 KiB. Run: node --conditions=@eddy/source --import tsx bench/redis.bench.ts
// Flags: `--consume` times and prints only the consume cases (the streams are still filled first);
// `--size=4096` runs one payload size; `--alloc` also samples the JS heap allocations of each timed
// phase (bytes per message; the sampling costs CPU, so read rates from runs without it);
// `--messages=N` sets the messages per round for every size (each consume round subscribes and
// closes once, so two values of N separate that per-round cost from the cost per message).
import { randomUUID } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';

import { createRedisTransport } from '@eddy/redis';
import { Redis } from 'ioredis';

import {
  DeliveryMeter,
  opsPerSecond,
  overallRate,
  printTable,
  writeResults,
  type BenchRow,
} from './lib/report.js';
import { subscriptionRate } from './lib/subscription-rate.js';

const REDIS_URL = process.env.EDDY_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BATCH = 100;
const READ_COUNT = 256;
// Both sides use the same layout: a topic is PARTITIONS streams, messages spread round-robin.
const PARTITIONS = 4;
// Rounds long enough for dozens of reads of 256: with a few thousand messages a round lasts ~30 ms
// and a single GC pause or lease heartbeat decides the figure instead of the per-message cost.
const ALL_CASES = [
  { label: '256 B', bytes: 256, messages: 20_000 },
  { label: '4 KiB', bytes: 4_096, messages: 10_000 },
];
const flag = (name: string): string | undefined =>
  process.argv.find((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
const CONSUME_ONLY = flag('consume') !== undefined;
const SIZE = flag('size')?.split('=')[1];
const CASES = ALL_CASES.filter(({ bytes }) => SIZE === undefined || bytes === Number(SIZE));
const ALLOC = flag('alloc') !== undefined;
// The shared 2-core machine swings widely from second to second, so each side runs many short
// rounds, taking turns to go first, and the table reports total messages over total time per side:
// both sides sample the same noisy periods.
const ROUNDS = 12;

const prefix = `eddy-bench-${randomUUID().slice(0, 8)}:`;
const redis = new Redis(REDIS_URL);
const transport = await createRedisTransport({ url: REDIS_URL, prefix, partitions: PARTITIONS });

async function directPublish(streams: string[], payload: Buffer, messages: number): Promise<number> {
  let next = 0;
  return opsPerSecond(messages, async () => {
    for (let sent = 0; sent < messages; sent += BATCH) {
      const pipeline = redis.pipeline();
      for (let i = 0; i < BATCH; i++) pipeline.xadd(streams[next++ % streams.length]!, '*', 'p', payload);
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

const PAYLOAD_FIELD = 'p'.charCodeAt(0);
/** The direct consumer's "handler": reads the payload, as a real one would. */
let consumedBytes = 0;
const consumed = (payload: Uint8Array | undefined): void => {
  consumedBytes += payload?.byteLength ?? 0;
};

/** The value of the payload field (`p`, as the direct publisher writes it) of an entry's field list. */
function payloadOf(fields: Buffer[]): Uint8Array | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!;
    if (name.length === 1 && name[0] === PAYLOAD_FIELD) return fields[i + 1];
  }
  return undefined;
}

async function directConsume(streams: string[], messages: number): Promise<number> {
  for (const stream of streams) await redis.xgroup('CREATE', stream, 'bench', '0');
  const meter = new DeliveryMeter(messages);
  let handled = 0;
  while (handled < messages) {
    const reply = (await redis.callBuffer(
      'XREADGROUP',
      'GROUP',
      'bench',
      'c1',
      'COUNT',
      READ_COUNT / streams.length,
      'BLOCK',
      1_000,
      'STREAMS',
      ...streams,
      ...streams.map(() => '>'),
    )) as [Buffer, [Buffer, Buffer[]][]][] | null;
    if (reply === null) continue;
    const acks = redis.pipeline();
    for (const [stream, entries] of reply) {
      const ids: Buffer[] = [];
      for (const [id, fields] of entries) {
        // What any consumer must do per entry: find its payload, hand it on, remember the id to ack.
        consumed(payloadOf(fields));
        ids.push(id);
      }
      handled += entries.length;
      meter.record(entries.length);
      acks.xack(stream, 'bench', ...ids);
    }
    await acks.exec();
  }
  return meter.rate('now');
}

async function eddyConsume(topic: string, messages: number): Promise<number> {
  return subscriptionRate(
    transport,
    topic,
    { group: 'bench', from: 'earliest', maxInFlight: READ_COUNT },
    messages,
  );
}

async function deleteKeys(pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/**
 * JS heap bytes allocated while `work` runs, garbage included, from V8's sampling heap profiler
 * (a sample every 256 bytes on average). Buffers' backing stores live outside the JS heap and are
 * not counted.
 */
const inspector = ALLOC ? new Session() : undefined;
inspector?.connect();
interface SampledNode {
  readonly selfSize: number;
  readonly children: readonly SampledNode[];
}
const totalSize = (node: SampledNode): number =>
  node.children.reduce((sum, child) => sum + totalSize(child), node.selfSize);
async function allocated(work: () => Promise<void>): Promise<number> {
  if (inspector === undefined) {
    await work();
    return 0;
  }
  await inspector.post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await work();
  const { profile } = (await inspector.post('HeapProfiler.stopSampling')) as unknown as {
    profile: { head: SampledNode };
  };
  return totalSize(profile.head);
}

/** Microseconds of this process's CPU per message over every round. */
const perMessage = (micros: number, messagesPerRound: number): number =>
  Number((micros / (messagesPerRound * ROUNDS)).toFixed(1));

const rows: BenchRow[] = [];
const MESSAGES = flag('messages')?.split('=')[1];
for (const { label, bytes, messages: defaultMessages } of CASES) {
  const messages = MESSAGES === undefined ? defaultMessages : Number(MESSAGES);
  const payload = Buffer.alloc(bytes, 7);
  const runs = {
    directPublish: [] as number[],
    eddyPublish: [] as number[],
    directConsume: [] as number[],
    eddyConsume: [] as number[],
  };
  // This process's CPU time per phase: on a loaded machine wall-clock rates follow the neighbours,
  // CPU time per message follows the code.
  const cpu = { directPublish: 0, eddyPublish: 0, directConsume: 0, eddyConsume: 0 };
  const heap = { directPublish: 0, eddyPublish: 0, directConsume: 0, eddyConsume: 0 };
  const timed = async (phase: keyof typeof cpu, work: () => Promise<number>): Promise<void> => {
    if (CONSUME_ONLY && phase.endsWith('Publish')) {
      await work();
      return;
    }
    let rate = 0;
    const before = process.cpuUsage();
    heap[phase] += await allocated(async () => {
      rate = await work();
    });
    const used = process.cpuUsage(before);
    cpu[phase] += used.user + used.system;
    runs[phase].push(rate);
  };
  for (let round = 0; round < ROUNDS; round++) {
    const streams = Array.from({ length: PARTITIONS }, (_, p) => `${prefix}direct-${bytes}-${round}:${p}`);
    const topic = `eddy-${bytes}-${round}`;
    const direct = async (): Promise<void> => {
      await timed('directPublish', () => directPublish(streams, payload, messages));
      await timed('directConsume', () => directConsume(streams, messages));
    };
    const eddy = async (): Promise<void> => {
      await timed('eddyPublish', () => eddyPublish(topic, payload, messages));
      await timed('eddyConsume', () => eddyConsume(topic, messages));
    };
    if (round % 2 === 0) {
      await direct();
      await eddy();
    } else {
      await eddy();
      await direct();
    }
    await deleteKeys(`${prefix}*-${bytes}-${round}*`); // keeps Redis's memory flat across rounds
  }
  const publish = { direct: overallRate(runs.directPublish), eddy: overallRate(runs.eddyPublish) };
  const consume = { direct: overallRate(runs.directConsume), eddy: overallRate(runs.eddyConsume) };
  const bytesPerMessage = (phase: keyof typeof heap): Record<string, number> =>
    ALLOC
      ? {
          'heap B/msg direct': Math.round(
            heap[phase.replace('eddy', 'direct') as keyof typeof heap] / (messages * ROUNDS),
          ),
          'heap B/msg eddy': Math.round(heap[phase] / (messages * ROUNDS)),
        }
      : {};
  if (!CONSUME_ONLY) {
    rows.push({
      case: `publish, batches of ${BATCH}, ${label}`,
      messages: messages * ROUNDS,
      'direct msg/s': Math.round(publish.direct),
      'eddy msg/s': Math.round(publish.eddy),
      'eddy/direct': Number((publish.eddy / publish.direct).toFixed(2)),
      'CPU µs/msg direct': perMessage(cpu.directPublish, messages),
      'CPU µs/msg eddy': perMessage(cpu.eddyPublish, messages),
      ...bytesPerMessage('eddyPublish'),
    });
  }
  rows.push({
    case: `consume + ack, ${label}`,
    messages: messages * ROUNDS,
    'direct msg/s': Math.round(consume.direct),
    'eddy msg/s': Math.round(consume.eddy),
    'eddy/direct': Number((consume.eddy / consume.direct).toFixed(2)),
    'CPU µs/msg direct': perMessage(cpu.directConsume, messages),
    'CPU µs/msg eddy': perMessage(cpu.eddyConsume, messages),
    ...bytesPerMessage('eddyConsume'),
  });
}

if (consumedBytes === 0) throw new Error('the direct consumer read no payloads');
const load = loadavg();
printTable(
  `Redis Streams (${REDIS_URL}), ioredis direct vs Eddy transport, ${ROUNDS} alternating rounds, load average ${load.map((value) => value.toFixed(2)).join(' ')}`,
  rows,
);
// Under `ratios`, so that `npm run bench` lists them in its summary.
const ratios: Record<string, number> = {};
for (const row of rows) ratios[String(row.case)] = Number(row['eddy/direct']);
writeResults('redis', { loadAverage: load, ratios, rows });

await transport.close();
await deleteKeys(`${prefix}*`);
redis.disconnect();
