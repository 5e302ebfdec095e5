import { randomBytes } from 'node:crypto';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEddyError, Nack, type ReceivedMessage, type Transport } from '@eddy/core';
import { createCloudEvent, decodeCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';
import { waitFor } from '@eddy/conformance';
import { createSqsTransport } from '@eddy/sqs';
import { queueResourceNames, topicResourceName } from '../src/names.js';
import { startEmulator, type Emulator } from './emulator.js';

function unique(label: string): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

let emulator: Emulator;
let sns: SNSClient;
let sqs: SQSClient;
const transports: Transport[] = [];

async function open(options: Parameters<typeof createSqsTransport>[0] = {}): Promise<Transport> {
  const transport = await createSqsTransport({ url: emulator.url, waitTimeSeconds: 1, ...options });
  transports.push(transport);
  return transport;
}

beforeAll(async () => {
  emulator = await startEmulator();
  const client = {
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  sns = new SNSClient(client);
  sqs = new SQSClient(client);
});

afterAll(async () => {
  await Promise.all(transports.map((transport) => transport.close()));
  sns.destroy();
  sqs.destroy();
  await emulator.stop();
});

/** Receives every message of `topic` through Eddy until `count` arrived. */
async function receive(
  transport: Transport,
  topic: string,
  count: number,
  send: () => Promise<unknown>,
): Promise<ReceivedMessage[]> {
  const received: ReceivedMessage[] = [];
  const subscription = await transport.subscribe(
    topic,
    { group: 'eddy' },
    (message) => void received.push(message),
  );
  await send();
  await waitFor(() => received.length >= count, { description: `${count} message(s) on ${topic}` });
  await subscription.close();
  return received;
}

/** A queue of another application, subscribed raw to the SNS topic Eddy uses for `topic`. */
async function foreignQueue(topic: string, fifo: boolean): Promise<string> {
  const { TopicArn } = await sns.send(
    new CreateTopicCommand({
      Name: topicResourceName(topic, '', fifo),
      ...(fifo ? { Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'false' } } : {}),
    }),
  );
  const name = `foreign-${randomBytes(4).toString('hex')}${fifo ? '.fifo' : ''}`;
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: 'true' } : {} }),
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
  return QueueUrl!;
}

async function receiveRaw(queueUrl: string): Promise<Message> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5, MessageAttributeNames: ['All'] }),
  );
  expect(Messages).toHaveLength(1);
  const message = Messages![0]!;
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
  return message;
}

describe('CloudEvents on SNS/SQS (ce_ message attributes)', () => {
  it('reads a binary-mode event another producer published to the SNS topic with ce_ attributes', async () => {
    const transport = await open({ fifo: false });
    const topic = unique('ce-in');
    const [message] = await receive(transport, topic, 1, async () => {
      const { TopicArn } = await sns.send(
        new CreateTopicCommand({ Name: topicResourceName(topic, '', false) }),
      );
      await sns.send(
        new PublishCommand({
          TopicArn: TopicArn!,
          Message: JSON.stringify({ total: 10 }),
          MessageAttributes: {
            ce_specversion: { DataType: 'String', StringValue: '1.0' },
            ce_id: { DataType: 'String', StringValue: 'evt-1' },
            ce_source: { DataType: 'String', StringValue: 'urn:example:shop' },
            ce_type: { DataType: 'String', StringValue: 'com.example.order.placed' },
            ce_subject: { DataType: 'String', StringValue: 'Grüße, 世界' },
            ce_datacontenttype: { DataType: 'String', StringValue: 'application/json' },
          },
        }),
      );
    });
    expect(decodeCloudEvent(message!)).toEqual({
      specversion: '1.0',
      id: 'evt-1',
      source: 'urn:example:shop',
      type: 'com.example.order.placed',
      subject: 'Grüße, 世界',
      datacontenttype: 'application/json',
      data: { total: 10 },
    });
  });

  it('writes a binary-mode event as ce_ attributes and a plain body, readable by another consumer', async () => {
    const transport = await open();
    const topic = unique('ce-out');
    const queueUrl = await foreignQueue(topic, true);
    const event = createCloudEvent({
      source: 'urn:example:eddy',
      type: 'com.example.shipped',
      subject: 'Grüße, 世界 100%',
      data: { parcel: 'p-1' },
    });
    await transport.publish(topic, [{ ...encodeCloudEvent(event), key: 'parcel-1' }]);
    const raw = await receiveRaw(queueUrl);
    const attribute = (name: string): string | undefined => raw.MessageAttributes?.[name]?.StringValue;
    expect({
      specversion: attribute('ce_specversion'),
      id: attribute('ce_id'),
      source: attribute('ce_source'),
      type: attribute('ce_type'),
      subject: attribute('ce_subject'),
      datacontenttype: attribute('ce_datacontenttype'),
    }).toEqual({
      specversion: '1.0',
      id: event.id,
      source: 'urn:example:eddy',
      type: 'com.example.shipped',
      subject: 'Grüße, 世界 100%',
      datacontenttype: 'application/json',
    });
    expect(Object.keys(raw.MessageAttributes ?? {}).length).toBeLessThanOrEqual(10);
    expect(JSON.parse(raw.Body!)).toEqual({ parcel: 'p-1' });
  });

  it('reads and writes structured mode (application/cloudevents+json)', async () => {
    const transport = await open();
    const topic = unique('ce-structured');
    const queueUrl = await foreignQueue(topic, true);
    const event = createCloudEvent({ source: '/eddy', type: 'com.example.out', data: { n: 1 } });
    const [received] = await receive(transport, topic, 1, () =>
      transport.publish(topic, [encodeCloudEvent(event, { mode: 'structured' })]),
    );
    expect(decodeCloudEvent(received!)).toMatchObject({ id: event.id, data: { n: 1 } });
    const raw = await receiveRaw(queueUrl);
    // The message's own content type, not an event's datacontenttype: no ce_ attribute.
    expect(raw.MessageAttributes?.['content-type']?.StringValue).toMatch(/^application\/cloudevents\+json/);
    expect(raw.MessageAttributes?.['ce_datacontenttype']).toBeUndefined();
    expect(JSON.parse(raw.Body!)).toMatchObject({ id: event.id, type: 'com.example.out', data: { n: 1 } });
  });

  it("writes the bus's binary-mode events in structured mode with cloudEventsMode: 'structured'", async () => {
    const transport = await open({ cloudEventsMode: 'structured' });
    const topic = unique('ce-mode');
    const queueUrl = await foreignQueue(topic, true);
    const event = createCloudEvent({
      source: '/eddy',
      type: 'com.example.mode',
      subject: 'a b',
      data: { n: 2 },
    });
    const [received] = await receive(transport, topic, 1, () =>
      transport.publish(topic, [encodeCloudEvent(event)]),
    );
    expect(decodeCloudEvent(received!)).toMatchObject({ id: event.id, subject: 'a b', data: { n: 2 } });
    const raw = await receiveRaw(queueUrl);
    expect(raw.MessageAttributes?.['content-type']?.StringValue).toMatch(/^application\/cloudevents\+json/);
    expect(Object.keys(raw.MessageAttributes ?? {}).filter((name) => name.startsWith('ce_'))).toEqual([]);
    expect(JSON.parse(raw.Body!)).toMatchObject({ id: event.id, subject: 'a b', data: { n: 2 } });
  });
});

describe('SQS specifics', () => {
  it('moves a message that keeps failing to the group’s dead-letter queue after deadLetter.maxReceiveCount receives', async () => {
    const transport = await open({ deadLetter: { maxReceiveCount: 2 } });
    const topic = unique('redrive');
    let attempts = 0;
    const subscription = await transport.subscribe(topic, { group: 'failing' }, () => {
      attempts += 1;
      throw new Nack(0);
    });
    await transport.publish(topic, [{ key: 'k', payload: Buffer.from('poison') }]);
    const dlqUrl = (
      await sqs.send(
        new GetQueueUrlCommand({ QueueName: queueResourceNames(topic, 'failing', '', true).deadLetter }),
      )
    ).QueueUrl!;
    const moved = await receiveRaw(dlqUrl);
    await subscription.close();
    expect(moved.Body).toBe('poison');
    expect(attempts).toBe(2);
  });

  it('rejects deliverAt beyond 15 minutes with EDDY_SQS_DELAY_TOO_LONG', async () => {
    const transport = await open();
    const error = await rejection(
      transport.publish(unique('late'), [{ payload: Buffer.from('x'), deliverAt: Date.now() + 16 * 60_000 }]),
    );
    expect(isEddyError(error, 'EDDY_SQS_DELAY_TOO_LONG')).toBe(true);
  });

  it('rejects a group whose queue exists with another redrive policy with EDDY_SQS_RESOURCE_CONFLICT', async () => {
    const topic = unique('conflict');
    await (await (await open()).subscribe(topic, { group: 'g' }, () => undefined)).close();
    const withDeadLetter = await open({ deadLetter: { maxReceiveCount: 3 } });
    const error = await rejection(withDeadLetter.subscribe(topic, { group: 'g' }, () => undefined));
    expect(isEddyError(error, 'EDDY_SQS_RESOURCE_CONFLICT'), String(error)).toBe(true);
  });

  it('tells onError about receives that fail, typed, and keeps retrying', async () => {
    const errors: unknown[] = [];
    const transport = await open({ onError: (error) => errors.push(error) });
    const topic = unique('vanished');
    const subscription = await transport.subscribe(topic, { group: 'g' }, () => undefined);
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: queueResourceNames(topic, 'g', '', true).queue }),
    );
    await sqs.send(new DeleteQueueCommand({ QueueUrl: QueueUrl! }));
    await waitFor(() => errors.length >= 2, { description: 'two failed receives reported' });
    await subscription.close();
    expect(errors.every((error) => isEddyError(error))).toBe(true);
  });

  it('fails with EDDY_CONNECTION_FAILED when nothing answers at the endpoint', async () => {
    const transport = await open({
      url: 'sqs://test:test@127.0.0.1:1?region=us-east-1',
      requestTimeoutMs: 2_000,
    });
    const error = await rejection(transport.publish(unique('nowhere'), [{ payload: Buffer.from('x') }]));
    expect(isEddyError(error, 'EDDY_CONNECTION_FAILED')).toBe(true);
  });

  // The conformance suite runs only what a transport declares: a flag turned false would drop its
  // cases silently, so the declared object is pinned whole.
  it('declares everything but replay from positions or a time', async () => {
    const transport = await open();
    expect(transport.capabilities).toEqual({
      durable: true,
      orderingPerKey: true,
      consumerGroups: true,
      replay: false,
      replayFromTime: false,
      delayedDelivery: true,
      nackDelay: true,
      filtering: false,
      supersede: false,
      maxMessageBytes: 180 * 1024,
      leaseExtension: true,
    });
  });

  it('on standard topics (fifo: false) delivers, redelivers with a count and declares no per-key order', async () => {
    const transport = await open({ fifo: false });
    expect(transport.capabilities).toEqual({
      durable: true,
      orderingPerKey: false,
      consumerGroups: true,
      replay: false,
      replayFromTime: false,
      delayedDelivery: true,
      nackDelay: true,
      filtering: false,
      supersede: false,
      maxMessageBytes: 180 * 1024,
      leaseExtension: true,
    });
    const topic = unique('standard');
    const counts: number[] = [];
    const subscription = await transport.subscribe(topic, { group: 'g' }, (message) => {
      counts.push(message.deliveryCount);
      if (message.deliveryCount === 1) throw new Nack(0);
    });
    await transport.publish(topic, [{ key: 'k', payload: Buffer.from('again') }]);
    await waitFor(() => counts.length >= 2, { description: 'the redelivery' });
    await subscription.close();
    expect(counts).toEqual([1, 2]);
  });
});
