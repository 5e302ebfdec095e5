import { randomBytes } from 'node:crypto';
import { GetTopicAttributesCommand, ListTopicsCommand } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { createSqsTransport } from '@eddy/sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueResourceNames, topicResourceName } from '../src/names.js';
import { resolveOptions } from '../src/options.js';
import { startEmulator, type Emulator } from './emulator.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
}, 60_000);
afterAll(async () => {
  await emulator?.stop();
});

describe('sqs transport.native', () => {
  it('is the SDK clients the transport runs on: they see the topic and queue Eddy made', async () => {
    const transport = await createSqsTransport({ url: emulator.url, waitTimeSeconds: 1 });
    const topic = `native-${randomBytes(4).toString('hex')}`;
    const group = 'g';
    const { namePrefix: prefix, fifo } = resolveOptions({ url: emulator.url });
    try {
      const subscription = await transport.subscribe(topic, { group }, () => undefined);
      await transport.publish(topic, [{ payload: new TextEncoder().encode('{}') }]);
      const topics = await transport.native.sns.send(new ListTopicsCommand({}));
      const arn = topics.Topics?.map((t) => t.TopicArn ?? '').find((a) =>
        a.endsWith(`:${topicResourceName(topic, prefix, fifo)}`),
      );
      expect(arn).toBeDefined();
      const attributes = await transport.native.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
      expect(attributes.Attributes?.['TopicArn']).toBe(arn);
      const queues = await transport.native.sqs.send(new ListQueuesCommand({}));
      expect(queues.QueueUrls?.length).toBeGreaterThan(0);
      const { queue } = queueResourceNames(topic, group, prefix, fifo);
      const url = await transport.native.sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
      expect(url.QueueUrl).toContain(queue);
      await subscription.close();
    } finally {
      await transport.close();
    }
  });
});
