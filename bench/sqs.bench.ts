// Eddy's SQS/SNS transport next to the same emulator driven directly through the same clients
// (@aws-sdk/client-sns and @aws-sdk/client-sqs), in one run: publish (PublishBatch of 10, four
// calls in flight, on both sides) and consume-with-ack (four long polls of up to 10 messages in
// flight, DeleteMessageBatch of what each brought, on both sides), SNS topic -> raw delivery into
// one SQS queue, at 256 B, for standard and for FIFO topics and queues (64 keys as message groups).
// The emulator is fauxqs, started here as a child process on a free port (or EDDY_SQS_URL).
// Run: node --conditions=@eddy/source --import tsx bench/sqs.bench.ts
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

import {
  CreateTopicCommand,
  PublishBatchCommand,
  SNSClient,
  SubscribeCommand,
  type PublishBatchRequestEntry,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createSqsTransport } from '@eddy/sqs';

import { startEmulator } from '../packages/sqs/test/emulator.js';
import {
  DeliveryMeter,
  opsPerSecond,
  overallRate,
  printTable,
  writeResults,
  type BenchRow,
} from './lib/report.js';
import { subscriptionRate } from './lib/subscription-rate.js';

const MESSAGES = 2_000;
const BATCH = 100;
const IN_FLIGHT_CALLS = 4;
const KEYS = 64;
const BYTES = 256;
// The shared 2-core machine swings from second to second, so each side runs several rounds, taking
// turns to go first, and the table reports total messages over total time per side.
const ROUNDS = 4;
const run = randomUUID().slice(0, 8);

const emulator = await startEmulator();
const clientConfig = {
  endpoint: emulator.endpoint,
  region: emulator.region,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
};
const sns = new SNSClient(clientConfig);
const sqs = new SQSClient(clientConfig);

/** A topic and a queue subscribed to it with raw delivery, as a careful user would set them up. */
async function directSetup(name: string, fifo: boolean): Promise<{ topicArn: string; queueUrl: string }> {
  const suffix = fifo ? '.fifo' : '';
  const { TopicArn } = await sns.send(
    new CreateTopicCommand({
      Name: `${name}${suffix}`,
      ...(fifo ? { Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'false' } } : {}),
    }),
  );
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}-q${suffix}`,
      Attributes: fifo ? { FifoQueue: 'true' } : {},
    }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: QueueUrl!, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn: TopicArn!,
      Protocol: 'sqs',
      Endpoint: Attributes!['QueueArn']!,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  return { topicArn: TopicArn!, queueUrl: QueueUrl! };
}

async function directPublish(topicArn: string, fifo: boolean, body: string): Promise<number> {
  let sequence = 0;
  const batches: PublishBatchRequestEntry[][] = [];
  for (let sent = 0; sent < MESSAGES; sent += 10) {
    batches.push(
      Array.from({ length: 10 }, (_, i) => {
        sequence += 1;
        return {
          Id: String(i),
          Message: body,
          ...(fifo
            ? { MessageGroupId: `key-${sequence % KEYS}`, MessageDeduplicationId: `${run}-${sequence}` }
            : {}),
        };
      }),
    );
  }
  return opsPerSecond(MESSAGES, async () => {
    for (let i = 0; i < batches.length; i += BATCH / 10) {
      // A batch of 100 as ten PublishBatch calls, four in flight (what Eddy's lanes do).
      const calls = batches.slice(i, i + BATCH / 10);
      let next = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT_CALLS }, async () => {
          while (next < calls.length) {
            await sns.send(
              new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: calls[next++]! }),
            );
          }
        }),
      );
    }
  });
}

async function directConsume(queueUrl: string): Promise<number> {
  const meter = new DeliveryMeter(MESSAGES);
  let done = false;
  void meter.done.then(() => (done = true));
  const poller = async (): Promise<void> => {
    while (!done) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 30,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        }),
      );
      if (Messages.length === 0) continue;
      meter.record(Messages.length);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle! })),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT_CALLS }, poller));
  return meter.rate('last');
}

/** CPU time (user + system, µs) of this process and of the emulator, so far. */
function cpuNow(): { client: number; emulator: number } {
  const own = process.cpuUsage();
  let emulatorMicros = Number.NaN;
  if (emulator.pid !== undefined) {
    // /proc/<pid>/stat: utime and stime are fields 14 and 15, in clock ticks (100 per second).
    const fields = readFileSync(`/proc/${emulator.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    emulatorMicros = (Number(fields[11]) + Number(fields[12])) * 10_000;
  }
  return { client: own.user + own.system, emulator: emulatorMicros };
}
/** Publish CPU per side over the counted rounds: the client's own, and the emulator's. */
const publishCpu = {
  direct: { client: 0, emulator: 0 },
  eddy: { client: 0, emulator: 0 },
};
async function timedPublish(side: 'direct' | 'eddy', work: () => Promise<number>): Promise<number> {
  const before = cpuNow();
  const rate = await work();
  const after = cpuNow();
  publishCpu[side].client += after.client - before.client;
  publishCpu[side].emulator += after.emulator - before.emulator;
  return rate;
}
const perMessage = (micros: number): number => Number((micros / (MESSAGES * ROUNDS)).toFixed(0));

const rows: BenchRow[] = [];
const payload = Buffer.alloc(BYTES, 'e');
for (const fifo of [false, true]) {
  const transport = await createSqsTransport({
    url: emulator.url,
    fifo,
    waitTimeSeconds: 1,
    receivers: IN_FLIGHT_CALLS,
  });
  const runs = {
    directPublish: [] as number[],
    eddyPublish: [] as number[],
    directConsume: [] as number[],
    eddyConsume: [] as number[],
  };
  // Round -1 warms up both sides (JIT, sockets, the emulator) and is not counted.
  for (let round = -1; round < ROUNDS; round++) {
    const name = `bench-${run}-${fifo ? 'fifo' : 'std'}-${round + 1}`;
    const direct = async (): Promise<void> => {
      const { topicArn, queueUrl } = await directSetup(`${name}-direct`, fifo);
      runs.directPublish.push(
        await timedPublish('direct', () => directPublish(topicArn, fifo, payload.toString('utf8'))),
      );
      runs.directConsume.push(await directConsume(queueUrl));
    };
    const eddy = async (): Promise<void> => {
      const topic = `${name}-eddy`;
      await (await transport.subscribe(topic, { group: 'bench' }, () => undefined)).close();
      let sequence = 0;
      const batch = (): { key?: string; payload: Buffer }[] =>
        Array.from({ length: BATCH }, () => ({
          ...(fifo ? { key: `key-${++sequence % KEYS}` } : {}),
          payload,
        }));
      runs.eddyPublish.push(
        await timedPublish('eddy', () =>
          opsPerSecond(MESSAGES, async () => {
            for (let sent = 0; sent < MESSAGES; sent += BATCH) await transport.publish(topic, batch());
          }),
        ),
      );
      runs.eddyConsume.push(
        await subscriptionRate(
          transport,
          topic,
          { group: 'bench', maxInFlight: IN_FLIGHT_CALLS * 10 },
          MESSAGES,
          'last',
        ),
      );
    };
    if (round % 2 === 0) {
      await direct();
      await eddy();
    } else {
      await eddy();
      await direct();
    }
    if (round === -1) {
      for (const list of Object.values(runs)) list.length = 0;
      for (const side of Object.values(publishCpu)) Object.assign(side, { client: 0, emulator: 0 });
    }
  }
  await transport.close();
  const cpu = structuredClone(publishCpu);
  for (const side of Object.values(publishCpu)) Object.assign(side, { client: 0, emulator: 0 });
  const kind = fifo ? `FIFO, ${KEYS} keys` : 'standard';
  const publish = { direct: overallRate(runs.directPublish), eddy: overallRate(runs.eddyPublish) };
  const consume = { direct: overallRate(runs.directConsume), eddy: overallRate(runs.eddyConsume) };
  rows.push(
    {
      case: `publish, batches of ${BATCH}, ${kind}`,
      messages: MESSAGES * ROUNDS,
      'direct msg/s': Math.round(publish.direct),
      'eddy msg/s': Math.round(publish.eddy),
      'eddy/direct': Number((publish.eddy / publish.direct).toFixed(2)),
      'client CPU µs/msg direct': perMessage(cpu.direct.client),
      'client CPU µs/msg eddy': perMessage(cpu.eddy.client),
      'emulator CPU µs/msg direct': perMessage(cpu.direct.emulator),
      'emulator CPU µs/msg eddy': perMessage(cpu.eddy.emulator),
    },
    {
      case: `consume + ack, ${IN_FLIGHT_CALLS} polls of 10, ${kind}`,
      messages: MESSAGES * ROUNDS,
      'direct msg/s': Math.round(consume.direct),
      'eddy msg/s': Math.round(consume.eddy),
      'eddy/direct': Number((consume.eddy / consume.direct).toFixed(2)),
    },
  );
}

printTable(
  `SNS/SQS on fauxqs (${emulator.endpoint}), AWS SDK v3 direct vs Eddy transport, ${BYTES} B, ${ROUNDS} alternating rounds, load average ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')}`,
  rows,
);
// `ratios` is what `npm run bench` gathers into its summary: Eddy over the SDK direct, per case.
const ratios = Object.fromEntries(rows.map((row) => [String(row['case']), row['eddy/direct']]));
writeResults('sqs', { rows, ratios });

sns.destroy();
sqs.destroy();
await emulator.stop();
