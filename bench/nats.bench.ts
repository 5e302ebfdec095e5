// NATS JetStream: Eddy's transport against the same server driven directly through the same
// client (@nats-io/jetstream), in one run. Publish: batches of concurrent publishes awaiting their
// acks. Consume: messages already in the stream, each acknowledged, with the same consumer layout
// on both sides (a durable consumer per partition), so the ratio is Eddy's own overhead.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { createNatsTransport } from '@eddy/nats';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { opsPerSecond, printTable, writeResults, type BenchRow } from './lib/report.js';

const SERVERS = process.env.NATS_URL ?? '127.0.0.1:4222';
const PREFIX = `eddybench${randomBytes(3).toString('hex')}`;
const PARTITIONS = 8;
const BATCH = 500;
const ROUNDS = 5;
const CASES = [
  { sizeBytes: 256, count: 30_000 },
  { sizeBytes: 4096, count: 15_000 },
] as const;

let topicCounter = 0;
const nextTopic = (): string => `t${(topicCounter += 1)}`;
const streamOf = (topic: string): string => `${PREFIX}_${topic}`;
const subjectOf = (topic: string, partition: number): string => `${PREFIX}.${topic}.${partition}`;

function payloads(count: number, sizeBytes: number): Uint8Array[] {
  const body = randomBytes(sizeBytes);
  return Array.from({ length: count }, () => new Uint8Array(body));
}

async function createStream(jsm: JetStreamManager, topic: string): Promise<void> {
  // The same stream Eddy creates, so both sides write to identical storage.
  await jsm.streams.add({
    name: streamOf(topic),
    subjects: [`${PREFIX}.${topic}.*`],
    description: `Eddy topic "${topic}", partitions=${PARTITIONS}`,
  });
}

async function directPublish(js: JetStreamClient, topic: string, data: Uint8Array[]): Promise<void> {
  for (let start = 0; start < data.length; start += BATCH) {
    await Promise.all(
      data
        .slice(start, start + BATCH)
        .map((payload, i) => js.publish(subjectOf(topic, (start + i) % PARTITIONS), payload)),
    );
  }
}

/** The direct consumer's "handler": reads the payload, as a real one would. */
let consumedBytes = 0;
const consumed = (payload: Uint8Array): void => {
  consumedBytes += payload.byteLength;
};

async function directConsume(
  jsm: JetStreamManager,
  js: JetStreamClient,
  topic: string,
  count: number,
  maxAckPending: number,
): Promise<void> {
  let seen = 0;
  let finish = (): void => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const streams = [];
  for (let partition = 0; partition < PARTITIONS; partition += 1) {
    const name = `direct_p${partition}`;
    await jsm.consumers.add(streamOf(topic), {
      durable_name: name,
      filter_subject: subjectOf(topic, partition),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: maxAckPending,
    });
    const consumer = await js.consumers.get(streamOf(topic), name);
    // Same pull size as Eddy uses for maxInFlight 256.
    streams.push(await consumer.consume({ max_messages: Math.min(256, Math.max(16, maxAckPending)) }));
  }
  for (const messages of streams) {
    void (async () => {
      for await (const msg of messages) {
        // What any consumer does per message: read its payload, hand it on, ack it.
        consumed(msg.data);
        msg.ack();
        if ((seen += 1) === count) finish();
      }
    })();
  }
  await done;
  for (const messages of streams) messages.stop();
}

interface Setup {
  readonly jsm: JetStreamManager;
  readonly js: JetStreamClient;
  readonly data: Uint8Array[];
}

async function eddyPublish({ data }: Setup): Promise<number> {
  const eddy = await createNatsTransport({ servers: SERVERS, prefix: PREFIX, partitions: PARTITIONS });
  const topic = nextTopic();
  const messages = data.map((payload) => ({ payload }));
  await eddy.publish(topic, [messages[0]!]);
  const rate = await opsPerSecond(data.length, async () => {
    for (let start = 0; start < data.length; start += BATCH) {
      await eddy.publish(topic, messages.slice(start, start + BATCH));
    }
  });
  await eddy.close();
  return rate;
}

async function directPublishRate({ jsm, js, data }: Setup): Promise<number> {
  const topic = nextTopic();
  await createStream(jsm, topic);
  return opsPerSecond(data.length, () => directPublish(js, topic, data));
}

async function prefilledTopic({ jsm, js, data }: Setup): Promise<string> {
  const topic = nextTopic();
  await createStream(jsm, topic);
  await directPublish(js, topic, data);
  return topic;
}

async function eddyConsume(setup: Setup, maxAckPending: number): Promise<number> {
  const topic = await prefilledTopic(setup);
  const count = setup.data.length;
  const eddy = await createNatsTransport({
    servers: SERVERS,
    prefix: PREFIX,
    partitions: PARTITIONS,
    maxAckPendingPerPartition: maxAckPending,
  });
  let seen = 0;
  let finish = (): void => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const rate = await opsPerSecond(count, async () => {
    const subscription = await eddy.subscribe(
      topic,
      { group: 'eddy', from: 'earliest', maxInFlight: 256 },
      () => {
        if ((seen += 1) === count) finish();
      },
    );
    await done;
    await subscription.close();
  });
  await eddy.close();
  return rate;
}

async function directConsumeRate(setup: Setup, maxAckPending: number): Promise<number> {
  const topic = await prefilledTopic(setup);
  const count = setup.data.length;
  return opsPerSecond(count, () => directConsume(setup.jsm, setup.js, topic, count, maxAckPending));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs both sides ROUNDS times, alternating which goes first, and keeps the medians. */
async function compare(
  label: string,
  size: string,
  eddy: () => Promise<number>,
  direct: () => Promise<number>,
): Promise<BenchRow> {
  const eddyRates: number[] = [];
  const directRates: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    if (round % 2 === 0) {
      directRates.push(await direct());
      eddyRates.push(await eddy());
    } else {
      eddyRates.push(await eddy());
      directRates.push(await direct());
    }
  }
  const eddyRate = median(eddyRates);
  const directRate = median(directRates);
  return {
    case: label,
    size,
    'eddy msg/s': eddyRate,
    'direct msg/s': directRate,
    ratio: eddyRate / directRate,
  };
}

async function main(): Promise<void> {
  const nc = await connect({ servers: SERVERS });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const rows: BenchRow[] = [];
  try {
    for (const { sizeBytes, count } of CASES) {
      const setup: Setup = { jsm, js, data: payloads(count, sizeBytes) };
      const size = `${sizeBytes} B`;
      rows.push(
        await compare(
          'batched publish',
          size,
          () => eddyPublish(setup),
          () => directPublishRate(setup),
        ),
      );
      rows.push(
        await compare(
          'consume+ack, per-key order (max_ack_pending 1)',
          size,
          () => eddyConsume(setup, 1),
          () => directConsumeRate(setup, 1),
        ),
      );
      rows.push(
        await compare(
          'consume+ack, unordered (max_ack_pending 256)',
          size,
          () => eddyConsume(setup, 256),
          () => directConsumeRate(setup, 256),
        ),
      );
    }
  } finally {
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(`${PREFIX}_`)) await jsm.streams.delete(name);
    }
    await nc.close();
  }
  if (consumedBytes === 0) throw new Error('the direct consumer read no payloads');
  printTable(
    `NATS JetStream (${PARTITIONS} partitions, publish batches of ${BATCH}, median of ${ROUNDS} alternating rounds), Eddy vs @nats-io/jetstream direct, load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
    rows,
  );
  writeResults('nats', rows);
}

await main();
