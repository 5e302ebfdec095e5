import { createCloudEvent, decodeCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';
import { Kafka, CloudEvent as SdkCloudEvent, type KafkaMessage } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { encodeRecord, headersOfRecord } from '../src/codec.js';

// No Kafka broker runs here: the record codec is checked against the CloudEvents SDK's own Kafka
// binding, which is what other producers and consumers on Kafka use.

const eddyEvent = createCloudEvent({
  id: 'evt-1',
  source: '/orders',
  type: 'order.placed',
  time: '2026-01-02T03:04:05.000Z',
  subject: 'Grüße 100% "sure"',
  data: { orderId: 7, note: 'ünïcode' },
  partitionkey: 'order-7',
  correlationid: 'corr-1',
  schemaversion: 3,
});

function eddyRecord(mode: 'binary' | 'structured'): {
  key: string;
  headers: Record<string, string>;
  value: Buffer;
} {
  const { headers, payload } = encodeCloudEvent(eddyEvent);
  const record = encodeRecord({ key: 'order-7', headers, payload }, mode);
  return { key: 'order-7', ...record };
}

/** What a kafkajs consumer hands over for an SDK-built message: string headers, a Buffer value. */
function asReceived(message: { key?: unknown; headers: Record<string, unknown>; value?: unknown }): {
  headers: Record<string, string>;
  payload: Uint8Array;
} {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      headers[name] = String(value);
    }
  }
  const value = message.value;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return { headers: headersOfRecord(headers), payload: Buffer.from(text, 'utf8') };
}

describe('Kafka protocol binding', () => {
  it('writes binary mode as ce_ headers with plain values, content-type and the key', () => {
    const record = eddyRecord('binary');
    expect(record.headers).toMatchObject({
      ce_id: 'evt-1',
      ce_specversion: '1.0',
      ce_subject: 'Grüße 100% "sure"',
      ce_partitionkey: 'order-7',
      ce_schemaversion: '3',
      'content-type': 'application/json',
    });
    expect(Object.keys(record.headers).filter((name) => name.startsWith('ce-'))).toEqual([]);
  });

  it('binary mode written by Eddy is read by the SDK with every attribute', () => {
    const record = eddyRecord('binary');
    const message: KafkaMessage = { ...record, body: record.value, timestamp: '0' };
    const event = Kafka.toEvent(message) as SdkCloudEvent;
    expect(event.id).toBe('evt-1');
    expect(event.source).toBe('/orders');
    expect(event.type).toBe('order.placed');
    expect(event.time).toBe('2026-01-02T03:04:05.000Z');
    expect(event.subject).toBe('Grüße 100% "sure"');
    expect(event.datacontenttype).toBe('application/json');
    expect(event.data).toEqual({ orderId: 7, note: 'ünïcode' });
    expect(event['correlationid']).toBe('corr-1');
    expect(event.partitionkey).toBe('order-7');
  });

  it('structured mode written by Eddy is read by the SDK', () => {
    const record = eddyRecord('structured');
    expect(record.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    const message: KafkaMessage = {
      key: record.key,
      headers: record.headers,
      value: record.value.toString('utf8'),
      body: record.value.toString('utf8'),
      timestamp: '0',
    };
    const event = Kafka.toEvent(message) as SdkCloudEvent;
    expect(event.id).toBe('evt-1');
    expect(event.subject).toBe('Grüße 100% "sure"');
    expect(event.data).toEqual({ orderId: 7, note: 'ünïcode' });
    expect(event['schemaversion']).toBe(3);
    expect(event.partitionkey).toBe('order-7');
  });

  const sdkEvent = new SdkCloudEvent({
    id: 'sdk-1',
    source: 'urn:other-producer',
    type: 'invoice.sent',
    time: '2026-02-03T04:05:06.000Z',
    subject: 'façade 50%',
    datacontenttype: 'application/json',
    data: { amount: 12.5 },
    partitionkey: 'inv-9',
    tenant: 'acme',
  });

  it('binary mode written by the SDK is read by Eddy with every attribute', () => {
    const event = decodeCloudEvent(asReceived(Kafka.binary(sdkEvent)));
    expect(event).toMatchObject({
      id: 'sdk-1',
      source: 'urn:other-producer',
      type: 'invoice.sent',
      specversion: '1.0',
      time: '2026-02-03T04:05:06.000Z',
      subject: 'façade 50%',
      datacontenttype: 'application/json',
      data: { amount: 12.5 },
      partitionkey: 'inv-9',
      tenant: 'acme',
    });
  });

  it('structured mode written by the SDK is read by Eddy', () => {
    const event = decodeCloudEvent(asReceived(Kafka.structured(sdkEvent)));
    expect(event).toMatchObject({
      id: 'sdk-1',
      subject: 'façade 50%',
      data: { amount: 12.5 },
      tenant: 'acme',
    });
  });

  it("still reads Eddy's earlier ce- headers with percent-encoded values", () => {
    const headers = headersOfRecord({
      'ce-id': 'old-1',
      'ce-source': '/old',
      'ce-type': 'old.event',
      'ce-specversion': '1.0',
      'ce-subject': 'a%20b',
      'content-type': 'text/plain',
    });
    const event = decodeCloudEvent({ headers, payload: Buffer.from('hi') });
    expect(event).toMatchObject({ id: 'old-1', subject: 'a b', datacontenttype: 'text/plain' });
  });

  it('keeps a header that only looks like an attribute under its own name', () => {
    const record = encodeRecord(
      { headers: { ce_note: 'x', 'ce-other': 'y' }, payload: new Uint8Array() },
      'binary',
    );
    expect(headersOfRecord(record.headers)).toEqual({ ce_note: 'x', 'ce-other': 'y' });
  });
});
