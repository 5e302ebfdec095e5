import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type Bus, type BusEvent } from '@eddy/core';
import { createRabbitMqTransport } from '@eddy/rabbitmq';
import { LOCK_HOOK_TIMEOUT_MS, lockBroker } from './broker-lock.js';
import { URL, deleteTopology, rabbitAvailable, titleFor, uniqueName, waitFor } from './helpers.js';

// The CloudEvents AMQP binding on RabbitMQ: other producers' messages, built here with amqplib
// alone, reach an Eddy handler whole, and what Eddy publishes reads as the binding says.

const available = await rabbitAvailable();
const prefix = uniqueName('eddy-ce');

type Events = Record<string, unknown>;

describe.skipIf(!available)(titleFor('RabbitMQ CloudEvents binding', available), () => {
  let connection: ChannelModel;
  let channel: Channel;
  const buses: Bus<Events>[] = [];
  let unlock: () => void = () => undefined;

  beforeAll(async () => {
    unlock = await lockBroker();
    connection = await amqp.connect(URL);
    channel = await connection.createChannel();
  }, LOCK_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    try {
      await Promise.all(buses.map((bus) => bus.stop()));
      await connection?.close();
      await deleteTopology(prefix);
    } finally {
      unlock();
    }
  });

  /** A started bus whose handler of `type` records what it gets; its topic is `topic`. */
  async function listen(
    topic: string,
    type: string,
    mode: 'binary' | 'structured' = 'binary',
  ): Promise<{ bus: Bus<Events>; received: BusEvent<string, unknown>[] }> {
    const transport = await createRabbitMqTransport({
      url: URL,
      namePrefix: prefix,
      partitions: 1,
      cloudEventsMode: mode,
    });
    const bus = createBus<Events>({ transport, source: '/eddy-test', topicFor: () => topic });
    buses.push(bus);
    const received: BusEvent<string, unknown>[] = [];
    bus.on(type, (event) => {
      received.push(event);
    });
    await bus.start();
    return { bus, received };
  }

  /** Every message published to the topic's exchange, read raw. */
  async function tap(topic: string): Promise<ConsumeMessage[]> {
    const raw: ConsumeMessage[] = [];
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, `${prefix}/${topic}`, '#');
    await channel.consume(
      queue,
      (message) => {
        if (message !== null) raw.push(message);
      },
      { noAck: true },
    );
    return raw;
  }

  it('hands a binary-mode message built with amqplib to an Eddy handler with every attribute', async () => {
    const topic = uniqueName('binary-in');
    const { received } = await listen(topic, 'invoice.sent');
    channel.publish(`${prefix}/${topic}`, '0', Buffer.from(JSON.stringify({ amount: 12.5 })), {
      contentType: 'application/json',
      headers: {
        cloudEvents_specversion: '1.0',
        cloudEvents_id: 'amqp-1',
        cloudEvents_source: 'urn:other-producer',
        cloudEvents_type: 'invoice.sent',
        cloudEvents_time: '2026-02-03T04:05:06.000Z',
        cloudEvents_subject: 'façade 50% "ok"',
        'cloudEvents:tenant': 'acme',
      },
    });
    await waitFor(() => received.length === 1, 15_000, 'the binary-mode event');
    expect(received[0]).toMatchObject({
      id: 'amqp-1',
      source: 'urn:other-producer',
      type: 'invoice.sent',
      specversion: '1.0',
      time: '2026-02-03T04:05:06.000Z',
      subject: 'façade 50% "ok"',
      datacontenttype: 'application/json',
      data: { amount: 12.5 },
      tenant: 'acme',
    });
  });

  it('hands a structured-mode message built with amqplib to an Eddy handler', async () => {
    const topic = uniqueName('structured-in');
    const { received } = await listen(topic, 'invoice.sent');
    const document = {
      specversion: '1.0',
      id: 'amqp-2',
      source: 'urn:other-producer',
      type: 'invoice.sent',
      datacontenttype: 'application/json',
      data: { amount: 3 },
      tenant: 'acme',
    };
    channel.publish(`${prefix}/${topic}`, '0', Buffer.from(JSON.stringify(document)), {
      contentType: 'application/cloudevents+json; charset=utf-8',
    });
    await waitFor(() => received.length === 1, 15_000, 'the structured-mode event');
    expect(received[0]).toMatchObject({ id: 'amqp-2', data: { amount: 3 }, tenant: 'acme' });
  });

  it("still reads a message in Eddy's earlier ce- header form", async () => {
    const topic = uniqueName('legacy-in');
    const { received } = await listen(topic, 'order.placed');
    channel.publish(`${prefix}/${topic}`, '0', Buffer.from('{"n":1}'), {
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'old-1',
        'ce-source': '/old',
        'ce-type': 'order.placed',
        'ce-subject': 'a%20b',
        'content-type': 'application/json',
      },
    });
    await waitFor(() => received.length === 1, 15_000, 'the old-form event');
    expect(received[0]).toMatchObject({ id: 'old-1', subject: 'a b', data: { n: 1 } });
  });

  it('publishes binary mode as cloudEvents_ application properties and the content-type property', async () => {
    const topic = uniqueName('binary-out');
    const { bus, received } = await listen(topic, 'order.placed');
    const raw = await tap(topic);
    await bus.publish(
      'order.placed',
      { orderId: 7 },
      { key: 'order-7', subject: 'Grüße 100%', id: 'eddy-1' },
    );
    await waitFor(() => raw.length === 1 && received.length === 1, 15_000, 'the published message');
    const { properties, content } = raw[0]!;
    expect(properties.contentType).toBe('application/json');
    const headers = properties.headers as Record<string, unknown>;
    const text = (name: string): string | undefined => {
      const value = headers[name];
      return Buffer.isBuffer(value) ? value.toString('utf8') : (value as string | undefined);
    };
    expect(text('cloudEvents_id')).toBe('eddy-1');
    expect(text('cloudEvents_specversion')).toBe('1.0');
    expect(text('cloudEvents_type')).toBe('order.placed');
    expect(text('cloudEvents_source')).toBe('/eddy-test');
    expect(text('cloudEvents_subject')).toBe('Grüße 100%');
    expect(text('cloudEvents_partitionkey')).toBe('order-7');
    expect(Object.keys(headers).filter((name) => name.startsWith('ce-') || name === 'content-type')).toEqual(
      [],
    );
    expect(JSON.parse(content.toString('utf8'))).toEqual({ orderId: 7 });
    expect(received[0]).toMatchObject({ id: 'eddy-1', subject: 'Grüße 100%', data: { orderId: 7 } });
  });

  it('publishes structured mode as one application/cloudevents+json body', async () => {
    const topic = uniqueName('structured-out');
    const { bus, received } = await listen(topic, 'order.placed', 'structured');
    const raw = await tap(topic);
    await bus.publish('order.placed', { orderId: 8 }, { id: 'eddy-2' });
    await waitFor(() => raw.length === 1 && received.length === 1, 15_000, 'the published message');
    const { properties, content } = raw[0]!;
    expect(properties.contentType).toMatch(/^application\/cloudevents\+json/);
    expect(JSON.parse(content.toString('utf8'))).toMatchObject({
      specversion: '1.0',
      id: 'eddy-2',
      type: 'order.placed',
      source: '/eddy-test',
      data: { orderId: 8 },
    });
    expect(received[0]).toMatchObject({ id: 'eddy-2', data: { orderId: 8 } });
  });
});
