import type { IMessage } from '@stomp/stompjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedMessage, Transport } from '@eddy/core';
import { createCloudEvent, decodeCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';
import { waitFor } from '@eddy/conformance';
import { createActiveMqTransport } from '@eddy/activemq';
import { activeMqAvailable, SKIP_REASON, URL, uniqueName } from './helpers.js';
import { RawStomp } from './raw-stomp.js';

// The CloudEvents AMQP binding, in the JMS-compatible naming ActiveMQ's JMS and STOMP clients see:
// attributes are `cloudEvents_<name>` properties with plain values, datacontenttype is
// `content-type`, structured mode is content-type application/cloudevents+json.
const available = await activeMqAvailable();

describe.skipIf(!available)(`CloudEvents on ActiveMQ${available ? '' : ` (${SKIP_REASON})`}`, () => {
  let transport: Transport;
  let raw: RawStomp;

  beforeAll(async () => {
    transport = await createActiveMqTransport({ url: URL });
    raw = await RawStomp.connect();
  });

  afterAll(async () => {
    await transport.close();
    await raw.close();
  });

  async function receiveOne(topic: string, send: () => Promise<void>): Promise<ReceivedMessage> {
    const received: ReceivedMessage[] = [];
    const subscription = await transport.subscribe(topic, { group: 'eddy' }, (m) => void received.push(m));
    await send();
    await waitFor(() => received.length === 1);
    await subscription.close();
    return received[0]!;
  }

  async function rawReceiveOne(topic: string, publish: () => Promise<unknown>): Promise<IMessage> {
    const received: IMessage[] = [];
    await raw.subscribe(`/queue/Consumer.other.VirtualTopic.${topic}`, (message) => {
      received.push(message);
      raw.ack(message);
    });
    await publish();
    await waitFor(() => received.length === 1);
    return received[0]!;
  }

  it('reads a binary-mode event written by another producer with cloudEvents_ properties', async () => {
    const topic = uniqueName('ce-in');
    const message = await receiveOne(topic, () =>
      raw.send(
        `/topic/VirtualTopic.${topic}`,
        {
          'content-type': 'application/json',
          cloudEvents_specversion: '1.0',
          cloudEvents_id: 'evt-1',
          cloudEvents_source: 'urn:example:shop',
          cloudEvents_type: 'com.example.order.placed',
          cloudEvents_subject: 'Grüße, 世界',
          cloudEvents_time: '2026-01-02T03:04:05Z',
          cloudEvents_correlationid: 'corr-7',
        },
        Buffer.from(JSON.stringify({ total: 10 })),
      ),
    );
    expect(decodeCloudEvent(message)).toEqual({
      specversion: '1.0',
      id: 'evt-1',
      source: 'urn:example:shop',
      type: 'com.example.order.placed',
      subject: 'Grüße, 世界',
      time: '2026-01-02T03:04:05Z',
      correlationid: 'corr-7',
      datacontenttype: 'application/json',
      data: { total: 10 },
    });
  });

  it('accepts the cloudEvents: prefix of the AMQP binding too (a STOMP header name escapes ":" as \\c)', async () => {
    const topic = uniqueName('ce-colon');
    const message = await receiveOne(topic, () =>
      raw.send(
        `/topic/VirtualTopic.${topic}`,
        {
          'content-type': 'text/plain',
          'cloudEvents\\cspecversion': '1.0',
          'cloudEvents\\cid': 'evt-2',
          'cloudEvents\\csource': '/colon',
          'cloudEvents\\ctype': 'com.example.colon',
        },
        Buffer.from('plain'),
      ),
    );
    const event = decodeCloudEvent(message);
    expect({ id: event.id, type: event.type, source: event.source }).toEqual({
      id: 'evt-2',
      type: 'com.example.colon',
      source: '/colon',
    });
  });

  it('writes a binary-mode event as cloudEvents_ properties with plain values, readable by another consumer', async () => {
    const topic = uniqueName('ce-out');
    const event = createCloudEvent({
      source: 'urn:example:eddy',
      type: 'com.example.shipped',
      subject: 'Grüße, 世界 100%',
      data: { parcel: 'p-1' },
    });
    const encoded = encodeCloudEvent(event);
    const message = await rawReceiveOne(topic, () => transport.publish(topic, [encoded]));
    expect(message.headers).toMatchObject({
      cloudEvents_specversion: '1.0',
      cloudEvents_id: event.id,
      cloudEvents_source: 'urn:example:eddy',
      cloudEvents_type: 'com.example.shipped',
      cloudEvents_subject: 'Grüße, 世界 100%',
      'content-type': 'application/json',
    });
    expect(Object.keys(message.headers).filter((name) => name.startsWith('ce-'))).toEqual([]);
    expect(JSON.parse(Buffer.from(message.binaryBody).toString())).toEqual({ parcel: 'p-1' });
  });

  it('reads and writes structured mode (application/cloudevents+json)', async () => {
    const incoming = uniqueName('ce-structured-in');
    const document = {
      specversion: '1.0',
      id: 'evt-3',
      source: '/structured',
      type: 'com.example.structured',
      datacontenttype: 'application/json',
      data: { ok: true },
    };
    const message = await receiveOne(incoming, () =>
      raw.send(
        `/topic/VirtualTopic.${incoming}`,
        { 'content-type': 'application/cloudevents+json; charset=utf-8' },
        Buffer.from(JSON.stringify(document)),
      ),
    );
    expect(decodeCloudEvent(message)).toEqual(document);

    const outgoing = uniqueName('ce-structured-out');
    const event = createCloudEvent({ source: '/eddy', type: 'com.example.out', data: { n: 1 } });
    const written = await rawReceiveOne(outgoing, () =>
      transport.publish(outgoing, [encodeCloudEvent(event, { mode: 'structured' })]),
    );
    expect(written.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(JSON.parse(Buffer.from(written.binaryBody).toString())).toMatchObject({
      id: event.id,
      type: 'com.example.out',
      data: { n: 1 },
    });
  });

  it("turns the bus's binary-mode events into structured mode with cloudEventsMode: 'structured'", async () => {
    const structured = await createActiveMqTransport({ url: URL, cloudEventsMode: 'structured' });
    try {
      const topic = uniqueName('ce-mode');
      const event = createCloudEvent({
        source: '/eddy',
        type: 'com.example.mode',
        subject: 'a b',
        data: { n: 2 },
      });
      const written = await rawReceiveOne(topic, () => structured.publish(topic, [encodeCloudEvent(event)]));
      expect(written.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
      expect(Object.keys(written.headers).filter((name) => name.startsWith('cloudEvents_'))).toEqual([]);
      expect(JSON.parse(Buffer.from(written.binaryBody).toString())).toMatchObject({
        id: event.id,
        subject: 'a b',
        data: { n: 2 },
      });
    } finally {
      await structured.close();
    }
  });

  it("still reads Eddy's earlier ce- header form", async () => {
    const topic = uniqueName('ce-legacy');
    const message = await receiveOne(topic, () =>
      raw.send(
        `/topic/VirtualTopic.${topic}`,
        {
          'content-type': 'text/plain',
          'ce-specversion': '1.0',
          'ce-id': 'old-1',
          'ce-source': '/old',
          'ce-type': 'com.example.old',
          'ce-subject': 'a%20b',
        },
        Buffer.from('plain'),
      ),
    );
    // A non-JSON content type decodes to the payload's bytes (core's binary-mode contract).
    expect(decodeCloudEvent(message)).toMatchObject({
      id: 'old-1',
      subject: 'a b',
      data: new TextEncoder().encode('plain'),
    });
  });
});
