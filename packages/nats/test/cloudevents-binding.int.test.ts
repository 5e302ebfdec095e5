import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type Bus, type BusEvent } from '@eddy/core';
import { createNatsTransport } from '@eddy/nats';
import { streamName } from '../src/names.js';
import { deleteStreams, unique, waitFor } from './helpers.js';

// The CloudEvents NATS binding: messages another producer builds with the NATS client alone reach
// an Eddy handler whole, and what Eddy publishes reads as the binding says.

type Events = Record<string, unknown>;
const prefix = unique('eddyce');

describe('CloudEvents NATS binding', () => {
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  const buses: Bus<Events>[] = [];

  beforeAll(async () => {
    nc = await connect({ servers: '127.0.0.1:4222' });
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.stop()));
    await nc?.close();
    await deleteStreams(prefix);
  });

  async function listen(
    topic: string,
    type: string,
    mode: 'binary' | 'structured' = 'binary',
  ): Promise<{ bus: Bus<Events>; received: BusEvent<string, unknown>[] }> {
    const transport = await createNatsTransport({ prefix, partitions: 1, cloudEventsMode: mode });
    const bus = createBus<Events>({ transport, source: '/eddy-test', topicFor: () => topic });
    buses.push(bus);
    const received: BusEvent<string, unknown>[] = [];
    bus.on(
      type,
      (event) => {
        received.push(event);
      },
      { from: 'earliest' },
    );
    await bus.start();
    return { bus, received };
  }

  it('hands a binary-mode message built with the NATS client to an Eddy handler with every attribute', async () => {
    const topic = unique('binin');
    const { received } = await listen(topic, 'invoice.sent');
    const headers = natsHeaders();
    headers.set('ce-specversion', '1.0');
    headers.set('ce-id', 'nats-1');
    headers.set('ce-source', 'urn:other-producer');
    headers.set('ce-type', 'invoice.sent');
    headers.set('ce-time', '2026-02-03T04:05:06.000Z');
    headers.set('ce-subject', 'fa%C3%A7ade%2050%25');
    headers.set('ce-datacontenttype', 'application/json');
    headers.set('ce-tenant', 'acme');
    await js.publish(`${prefix}.${topic}.0`, JSON.stringify({ amount: 12.5 }), { headers });
    await waitFor(() => received.length === 1, 'the binary-mode event');
    expect(received[0]).toMatchObject({
      id: 'nats-1',
      source: 'urn:other-producer',
      type: 'invoice.sent',
      time: '2026-02-03T04:05:06.000Z',
      subject: 'façade 50%',
      datacontenttype: 'application/json',
      data: { amount: 12.5 },
      tenant: 'acme',
    });
  });

  it('hands a structured-mode message built with the NATS client to an Eddy handler', async () => {
    const topic = unique('strin');
    const { received } = await listen(topic, 'invoice.sent');
    const headers = natsHeaders();
    headers.set('Content-Type', 'application/cloudevents+json');
    const document = { specversion: '1.0', id: 'nats-2', source: '/x', type: 'invoice.sent', data: { n: 1 } };
    await js.publish(`${prefix}.${topic}.0`, JSON.stringify(document), { headers });
    await waitFor(() => received.length === 1, 'the structured-mode event');
    expect(received[0]).toMatchObject({ id: 'nats-2', data: { n: 1 } });
  });

  it("still reads Eddy's earlier form, with the content type in content-type", async () => {
    const topic = unique('legacy');
    const { received } = await listen(topic, 'order.placed');
    const headers = natsHeaders();
    for (const [name, value] of Object.entries({
      'ce-specversion': '1.0',
      'ce-id': 'old-1',
      'ce-source': '/old',
      'ce-type': 'order.placed',
      'content-type': 'text/plain',
    })) {
      headers.set(name, value);
    }
    await js.publish(`${prefix}.${topic}.0`, 'hello', { headers });
    await waitFor(() => received.length === 1, 'the old-form event');
    expect(received[0]).toMatchObject({ id: 'old-1', datacontenttype: 'text/plain' });
    expect(Buffer.from(received[0]!.data as Uint8Array).toString('utf8')).toBe('hello');
  });

  it('publishes binary mode as ce- headers, percent-encoded, with ce-datacontenttype', async () => {
    const topic = unique('binout');
    const { bus, received } = await listen(topic, 'order.placed');
    const result = await bus.publish('order.placed', { orderId: 7 }, { id: 'eddy-1', subject: 'Grüße 100%' });
    const stored = await jsm.streams.getMessage(streamName(prefix, topic), { seq: Number(result.offset) });
    expect(stored).not.toBeNull();
    const header = stored!.header;
    expect(header.get('ce-id')).toBe('eddy-1');
    expect(header.get('ce-specversion')).toBe('1.0');
    expect(header.get('ce-source')).toBe('/eddy-test');
    expect(header.get('ce-subject')).toBe('Gr%C3%BC%C3%9Fe%20100%25');
    expect(header.get('ce-datacontenttype')).toBe('application/json');
    expect(header.has('content-type')).toBe(false);
    expect(JSON.parse(Buffer.from(stored!.data).toString('utf8'))).toEqual({ orderId: 7 });
    await waitFor(() => received.length === 1, 'the event back through Eddy');
    expect(received[0]).toMatchObject({
      id: 'eddy-1',
      subject: 'Grüße 100%',
      datacontenttype: 'application/json',
    });
  });

  it('publishes structured mode as one application/cloudevents+json payload', async () => {
    const topic = unique('strout');
    const { bus, received } = await listen(topic, 'order.placed', 'structured');
    const result = await bus.publish('order.placed', { orderId: 8 }, { id: 'eddy-2' });
    const stored = await jsm.streams.getMessage(streamName(prefix, topic), { seq: Number(result.offset) });
    expect(stored!.header.get('content-type')).toMatch(/^application\/cloudevents\+json/);
    expect(stored!.header.has('ce-id')).toBe(false);
    expect(JSON.parse(Buffer.from(stored!.data).toString('utf8'))).toMatchObject({
      id: 'eddy-2',
      source: '/eddy-test',
      data: { orderId: 8 },
    });
    await waitFor(() => received.length === 1, 'the event back through Eddy');
    expect(received[0]).toMatchObject({ id: 'eddy-2', data: { orderId: 8 } });
  });
});
