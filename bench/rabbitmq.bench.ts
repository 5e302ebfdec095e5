// RabbitMQ: Eddy's transport against the same broker driven directly through the same client
// (amqplib), in one run. Both sides use the same layout: one topic exchange, one group with
// PARTITIONS durable quorum queues bound by partition number, persistent messages.
// Publish: batches on a confirm channel, each batch awaited (Eddy: transport.publish of a batch;
// direct: publish + waitForConfirms), timed end to end. Consume: messages already queued, each
// acknowledged, prefetch equal on both sides, timed from the first delivery to the last (steady
// state: subscribing and closing are not counted on either side).
import { randomBytes } from 'node:crypto';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { createRabbitMqTransport } from '@eddy/rabbitmq';
// The direct side declares the same queues Eddy does; the naming is internal to the package.
import { TopologyNames } from '../packages/rabbitmq/src/names.js';
import { opsPerSecond, printTable, writeResults, type BenchRow } from './lib/report.js';

const URL = process.env.EDDY_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const PREFIX = `eddy-bench-${randomBytes(3).toString('hex')}`;
const PARTITIONS = 4;
const BATCH = 100;
const PREFETCH = 128;
const GROUP = 'bench';
// Each side runs ROUNDS times, alternating which goes first; the table shows the median round, so
// one disturbed round (the machine is shared) does not decide the ratio.
const ROUNDS = 5;
const CASES = [
  { sizeBytes: 256, count: 10_000 },
  { sizeBytes: 4096, count: 5_000 },
] as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const names = new TopologyNames(PREFIX);
let topicCounter = 0;
const nextTopic = (): string => `t${(topicCounter += 1)}`;

async function declareLayout(channel: Channel, topic: string): Promise<string[]> {
  const exchange = names.exchange(topic);
  await channel.assertExchange(exchange, 'topic', { durable: true });
  const queues: string[] = [];
  for (let partition = 0; partition < PARTITIONS; partition += 1) {
    const queue = names.queue(topic, GROUP, partition);
    await channel.assertQueue(queue, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-single-active-consumer': true },
    });
    await channel.bindQueue(queue, exchange, String(partition));
    queues.push(queue);
  }
  return queues;
}

async function directPublish(
  connection: ChannelModel,
  topic: string,
  body: Buffer,
  count: number,
): Promise<void> {
  const channel = await connection.createConfirmChannel();
  const exchange = names.exchange(topic);
  for (let sent = 0; sent < count; sent += BATCH) {
    for (let i = 0; i < BATCH; i += 1) {
      channel.publish(exchange, String((sent + i) % PARTITIONS), body, { persistent: true });
    }
    await channel.waitForConfirms();
  }
  await channel.close();
}

/** Counts deliveries and reports the rate from the first to the last, so setup is not measured. */
class RateMeter {
  private seen = 0;
  private first = 0;
  private last = 0;
  private finish: () => void = () => undefined;
  readonly done = new Promise<void>((resolve) => (this.finish = resolve));

  constructor(private readonly count: number) {}

  tick(): void {
    const now = performance.now();
    if (this.seen === 0) this.first = now;
    this.seen += 1;
    if (this.seen === this.count) {
      this.last = now;
      this.finish();
    }
  }

  get perSecond(): number {
    return ((this.count - 1) * 1000) / (this.last - this.first);
  }
}

async function directConsume(connection: ChannelModel, queues: string[], count: number): Promise<number> {
  const channel = await connection.createChannel();
  await channel.prefetch(PREFETCH);
  const meter = new RateMeter(count);
  for (const queue of queues) {
    await channel.consume(queue, (message) => {
      if (message === null) return;
      channel.ack(message);
      meter.tick();
    });
  }
  await meter.done;
  await channel.close();
  return meter.perSecond;
}

async function deleteLayout(channel: Channel, topic: string): Promise<void> {
  for (let partition = 0; partition < PARTITIONS; partition += 1) {
    await channel.deleteQueue(names.queue(topic, GROUP, partition));
  }
  await channel.deleteQueue(names.members(topic, GROUP));
  await channel.deleteExchange(names.exchange(topic));
}

interface Round {
  publish: number;
  consume: number;
}

async function main(): Promise<void> {
  const connection = await amqp.connect(URL, { noDelay: true });
  const admin = await connection.createChannel();
  const transport = await createRabbitMqTransport({ url: URL, namePrefix: PREFIX, partitions: PARTITIONS });
  const rows: BenchRow[] = [];
  const topics: string[] = [];

  const direct = async (body: Buffer, count: number): Promise<Round> => {
    const topic = nextTopic();
    topics.push(topic);
    const queues = await declareLayout(admin, topic);
    const publish = await opsPerSecond(count, () => directPublish(connection, topic, body, count));
    const consume = await directConsume(connection, queues, count);
    await deleteLayout(admin, topic);
    return { publish, consume };
  };

  const eddy = async (body: Buffer, count: number): Promise<Round> => {
    const topic = nextTopic();
    topics.push(topic);
    const batches = Array.from({ length: count / BATCH }, () =>
      Array.from({ length: BATCH }, () => ({ payload: new Uint8Array(body) })),
    );
    // Create the group first: a queue only holds what arrives after it exists.
    await (await transport.subscribe(topic, { group: GROUP }, () => undefined)).close();
    const publish = await opsPerSecond(count, async () => {
      for (const batch of batches) await transport.publish(topic, batch);
    });
    const meter = new RateMeter(count);
    const subscription = await transport.subscribe(topic, { group: GROUP, maxInFlight: PREFETCH }, () =>
      meter.tick(),
    );
    await meter.done;
    await subscription.close();
    const consume = meter.perSecond;
    await deleteLayout(admin, topic);
    return { publish, consume };
  };

  try {
    for (const { sizeBytes, count } of CASES) {
      const body = randomBytes(sizeBytes);
      const directRounds: Round[] = [];
      const eddyRounds: Round[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        if (round % 2 === 0) {
          directRounds.push(await direct(body, count));
          eddyRounds.push(await eddy(body, count));
        } else {
          eddyRounds.push(await eddy(body, count));
          directRounds.push(await direct(body, count));
        }
      }
      for (const metric of ['publish', 'consume'] as const) {
        const directRate = median(directRounds.map((r) => r[metric]));
        const eddyRate = median(eddyRounds.map((r) => r[metric]));
        rows.push({
          scenario:
            metric === 'publish'
              ? `batched publish (${BATCH}/batch, confirmed)`
              : `consume with ack (prefetch ${PREFETCH})`,
          size: `${sizeBytes} B`,
          messages: count,
          'direct msg/s': Math.round(directRate),
          'eddy msg/s': Math.round(eddyRate),
          ratio: Number((eddyRate / directRate).toFixed(2)),
        });
      }
    }
  } finally {
    await transport.close();
    for (const topic of topics) await deleteLayout(admin, topic).catch(() => undefined);
    await admin.deleteExchange(names.controlExchange()).catch(() => undefined);
    await admin.close().catch(() => undefined);
    await connection.close();
  }
  printTable(
    `RabbitMQ ${PARTITIONS} quorum queues per group, median of ${ROUNDS} rounds: Eddy vs amqplib direct`,
    rows,
  );
  writeResults('rabbitmq', {
    partitions: PARTITIONS,
    batch: BATCH,
    prefetch: PREFETCH,
    rounds: ROUNDS,
    rows,
  });
}

await main();
