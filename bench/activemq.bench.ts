// Eddy's ActiveMQ transport next to the same broker driven directly through the same client
// (@stomp/stompjs over @stomp/tcp-wrapper), in one run: batched publish (one transaction per batch,
// committed with a receipt, on both sides) and consume-with-ack (client-individual acks, prefetch
// 256), at 256 B and 4 KiB, both through a virtual topic into a group's queue.
// Run: node --conditions=@eddy/source --import tsx bench/activemq.bench.ts (broker: packages/activemq/test/broker/start.sh)
import { randomUUID } from 'node:crypto';
import { createConnection, type Socket } from 'node:net';

import { createActiveMqTransport } from '@eddy/activemq';
import { Client } from '@stomp/stompjs';
import { TCPWrapper } from '@stomp/tcp-wrapper';

import {
  DeliveryMeter,
  opsPerSecond,
  overallRate,
  printTable,
  writeResults,
  type BenchRow,
} from './lib/report.js';
import { subscriptionRate } from './lib/subscription-rate.js';

const URL = process.env.EDDY_ACTIVEMQ_URL ?? 'stomp://127.0.0.1:61613';
const { hostname: HOST, port: PORT } = new globalThis.URL(URL);
const BATCH = 100;
const PREFETCH = 256;
const CASES = [
  { label: '256 B', bytes: 256, messages: 5_000 },
  { label: '4 KiB', bytes: 4_096, messages: 3_000 },
];
// The shared 2-core machine swings from second to second, so each side runs several rounds, taking
// turns to go first, and the table reports total messages over total time per side.
const ROUNDS = 6;
const run = randomUUID().slice(0, 8);

/** The direct client, as a careful user would set it up: Nagle off, heart-beats off. */
class NoDelaySocket extends TCPWrapper {
  protected override getSocket(port: number, host: string): Socket {
    return createConnection({ port, host, noDelay: true });
  }
}

let socket: NoDelaySocket | undefined;
const client = new Client({
  webSocketFactory: () => (socket = new NoDelaySocket(HOST, Number(PORT))),
  heartbeatIncoming: 0,
  heartbeatOutgoing: 0,
  reconnectDelay: 0,
  debug: () => undefined,
});
await new Promise<void>((resolve) => {
  client.onConnect = () => resolve();
  client.activate();
});
let receipts = 0;
client.onUnhandledReceipt = () => undefined;
function withReceipt(send: (receipt: string) => void): Promise<void> {
  receipts += 1;
  const receipt = `bench-${receipts}`;
  return new Promise((resolve) => {
    client.watchForReceipt(receipt, () => resolve());
    send(receipt);
  });
}

const transport = await createActiveMqTransport({ url: URL });

/** Creates a group's queue, so that the virtual topic forwards to it from now on. */
async function createQueue(queue: string): Promise<void> {
  const id = `create-${randomUUID()}`;
  await withReceipt((receipt) =>
    client.subscribe(queue, () => undefined, { id, receipt, ack: 'client-individual' }),
  );
  await withReceipt((receipt) => client.unsubscribe(id, { receipt }));
}

async function directPublish(topic: string, payload: Buffer, messages: number): Promise<number> {
  return opsPerSecond(messages, async () => {
    for (let sent = 0; sent < messages; sent += BATCH) {
      const transaction = `tx-${randomUUID()}`;
      client.begin(transaction);
      for (let i = 0; i < BATCH; i++) {
        client.publish({
          destination: topic,
          headers: { transaction, persistent: 'true' },
          binaryBody: payload,
        });
      }
      // stompjs sends COMMIT without a receipt; the receipt (stored, durable) needs the raw frame.
      await withReceipt((receipt) =>
        socket!.send(`COMMIT\ntransaction:${transaction}\nreceipt:${receipt}\n\n\0`),
      );
    }
  });
}

async function directConsume(queue: string, messages: number): Promise<number> {
  const meter = new DeliveryMeter(messages);
  const id = `consume-${randomUUID()}`;
  client.subscribe(
    queue,
    (message) => {
      message.ack();
      meter.record();
    },
    { id, ack: 'client-individual', 'activemq.prefetchSize': String(PREFETCH) },
  );
  await meter.done;
  await withReceipt((receipt) => client.unsubscribe(id, { receipt }));
  return meter.rate('now');
}

async function eddyPublish(topic: string, payload: Buffer, messages: number): Promise<number> {
  const batch = Array.from({ length: BATCH }, () => ({ payload }));
  return opsPerSecond(messages, async () => {
    for (let sent = 0; sent < messages; sent += BATCH) await transport.publish(topic, batch);
  });
}

async function eddyConsume(topic: string, messages: number): Promise<number> {
  return subscriptionRate(transport, topic, { group: 'bench', maxInFlight: PREFETCH }, messages, 'closed');
}

const rows: BenchRow[] = [];
for (const { label, bytes, messages } of CASES) {
  const payload = Buffer.alloc(bytes, 7);
  const runs = {
    directPublish: [] as number[],
    eddyPublish: [] as number[],
    directConsume: [] as number[],
    eddyConsume: [] as number[],
  };
  for (let round = 0; round < ROUNDS; round++) {
    const directTopic = `bench-direct-${run}-${bytes}-${round}`;
    const eddyTopic = `bench-eddy-${run}-${bytes}-${round}`;
    const direct = async (): Promise<void> => {
      const queue = `/queue/Consumer.bench.VirtualTopic.${directTopic}`;
      await createQueue(queue);
      runs.directPublish.push(await directPublish(`/topic/VirtualTopic.${directTopic}`, payload, messages));
      runs.directConsume.push(await directConsume(queue, messages));
    };
    const eddy = async (): Promise<void> => {
      await (await transport.subscribe(eddyTopic, { group: 'bench' }, () => undefined)).close();
      runs.eddyPublish.push(await eddyPublish(eddyTopic, payload, messages));
      runs.eddyConsume.push(await eddyConsume(eddyTopic, messages));
    };
    if (round % 2 === 0) {
      await direct();
      await eddy();
    } else {
      await eddy();
      await direct();
    }
  }
  const publish = { direct: overallRate(runs.directPublish), eddy: overallRate(runs.eddyPublish) };
  const consume = { direct: overallRate(runs.directConsume), eddy: overallRate(runs.eddyConsume) };
  rows.push(
    {
      case: `publish, transactions of ${BATCH}, ${label}`,
      messages: messages * ROUNDS,
      'direct msg/s': Math.round(publish.direct),
      'eddy msg/s': Math.round(publish.eddy),
      'eddy/direct': Number((publish.eddy / publish.direct).toFixed(2)),
    },
    {
      case: `consume + ack, prefetch ${PREFETCH}, ${label}`,
      messages: messages * ROUNDS,
      'direct msg/s': Math.round(consume.direct),
      'eddy msg/s': Math.round(consume.eddy),
      'eddy/direct': Number((consume.eddy / consume.direct).toFixed(2)),
    },
  );
}

printTable(`ActiveMQ (${URL}), @stomp/stompjs direct vs Eddy transport, ${ROUNDS} alternating rounds`, rows);
writeResults('activemq', rows);

await transport.close();
await client.deactivate();
