// Eddy's Kafka transport next to the same brokers driven directly through kafkajs, in one run:
// batched publish (producer.send of 100 vs transport.publish of 100, both acks: -1) and
// consume-with-ack (a consumer group with eachBatch and resolveOffset vs a subscription), 256 B.
// Needs a broker: KAFKA_BROKERS=host:port[,host:port]. Without it the script says so and exits 0.
// Run: KAFKA_BROKERS=127.0.0.1:9092 node --conditions=@eddy/source --import tsx bench/kafka.bench.ts
import { randomUUID } from 'node:crypto';

import { createKafkaTransport } from '@eddy/kafka';
import kafkajs from 'kafkajs';

import {
  DeliveryMeter,
  opsPerSecond,
  overallRate,
  printTable,
  writeResults,
  type BenchRow,
} from './lib/report.js';
import { subscriptionRate } from './lib/subscription-rate.js';

const brokers = process.env.KAFKA_BROKERS?.split(',').filter((broker) => broker.length > 0) ?? [];
if (brokers.length === 0) {
  console.log('kafka.bench.ts skipped: set KAFKA_BROKERS=host:port to measure against a broker.');
  process.exit(0);
}

const BATCH = 100;
const MESSAGES = 20_000;
const PARTITIONS = 8;
const ROUNDS = 4;

const run = randomUUID().slice(0, 8);
const { Kafka, logLevel } = kafkajs;
const kafka = new Kafka({ brokers, clientId: `eddy-bench-${run}`, logLevel: logLevel.ERROR });
const admin = kafka.admin();
const producer = kafka.producer({ allowAutoTopicCreation: false });
await admin.connect();
await producer.connect();
const transport = await createKafkaTransport({ brokers, partitions: PARTITIONS });

async function directPublish(topic: string, payload: Buffer): Promise<number> {
  let next = 0;
  return opsPerSecond(MESSAGES, async () => {
    for (let sent = 0; sent < MESSAGES; sent += BATCH) {
      const messages = Array.from({ length: BATCH }, () => ({
        value: payload,
        partition: next++ % PARTITIONS,
      }));
      await producer.send({ topic, acks: -1, messages });
    }
  });
}

async function eddyPublish(topic: string, payload: Buffer): Promise<number> {
  const batch = Array.from({ length: BATCH }, () => ({ payload }));
  return opsPerSecond(MESSAGES, async () => {
    for (let sent = 0; sent < MESSAGES; sent += BATCH) await transport.publish(topic, batch);
  });
}

async function directConsume(topic: string): Promise<number> {
  const consumer = kafka.consumer({ groupId: `direct-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const meter = new DeliveryMeter(MESSAGES);
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      for (const message of payload.batch.messages) payload.resolveOffset(message.offset);
      meter.record(payload.batch.messages.length);
      await payload.heartbeat();
    },
  });
  await meter.done;
  await consumer.disconnect();
  return meter.rate();
}

async function eddyConsume(topic: string): Promise<number> {
  return subscriptionRate(transport, topic, { group: 'bench', from: 'earliest', maxInFlight: 256 }, MESSAGES);
}

const payload = Buffer.alloc(256, 7);
const runs = {
  directPublish: [] as number[],
  eddyPublish: [] as number[],
  directConsume: [] as number[],
  eddyConsume: [] as number[],
};
const created: string[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const directTopic = `eddy-bench-${run}-direct-${round}`;
  const eddyTopic = `eddy-bench-${run}-eddy-${round}`;
  await admin.createTopics({
    topics: [{ topic: directTopic, numPartitions: PARTITIONS }],
    waitForLeaders: true,
  });
  created.push(directTopic, eddyTopic);
  const direct = async (): Promise<void> => {
    runs.directPublish.push(await directPublish(directTopic, payload));
    runs.directConsume.push(await directConsume(directTopic));
  };
  const eddy = async (): Promise<void> => {
    runs.eddyPublish.push(await eddyPublish(eddyTopic, payload));
    runs.eddyConsume.push(await eddyConsume(eddyTopic));
  };
  if (round % 2 === 0) {
    await direct();
    await eddy();
  } else {
    await eddy();
    await direct();
  }
}

const row = (label: string, direct: number[], eddy: number[]): BenchRow => ({
  case: label,
  messages: MESSAGES * ROUNDS,
  'direct msg/s': Math.round(overallRate(direct)),
  'eddy msg/s': Math.round(overallRate(eddy)),
  'eddy/direct': Number((overallRate(eddy) / overallRate(direct)).toFixed(2)),
});
const rows = [
  row(`publish, batches of ${BATCH}, 256 B, acks -1`, runs.directPublish, runs.eddyPublish),
  row('consume + ack, 256 B', runs.directConsume, runs.eddyConsume),
];
printTable(
  `Kafka (${brokers.join(',')}), kafkajs direct vs Eddy transport, ${ROUNDS} alternating rounds`,
  rows,
);
writeResults('kafka', rows);

await transport.close();
await admin.deleteTopics({ topics: created }).catch(() => undefined);
await producer.disconnect();
await admin.disconnect();
