import { CloudEvent as SdkCloudEvent, HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import {
  createCloudEvent,
  decodeCloudEvent,
  encodeCloudEvent,
  encodeCloudEventBatch,
  isJsonContentType,
  type CloudEventMessage,
} from '@eddy/core/cloudevents';

// Interoperability with the official `cloudevents` SDK over its HTTP binding, whose binary mode
// uses the same `ce-` header naming as Eddy's. The SDK sees what an HTTP server would hand it:
// JSON bodies as text, other bodies as a Buffer.
function toSdk(message: CloudEventMessage): SdkCloudEvent<unknown> {
  const contentType = message.headers['content-type'] ?? '';
  const body =
    contentType === '' || isJsonContentType(contentType) || contentType.startsWith('application/cloudevents')
      ? new TextDecoder().decode(message.payload)
      : Buffer.from(message.payload);
  const event = HTTP.toEvent({ headers: { ...message.headers }, body });
  if (Array.isArray(event)) throw new Error('expected one event');
  return event as SdkCloudEvent<unknown>;
}

function fromSdk(message: { headers: Record<string, unknown>; body: unknown }): CloudEventMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) headers[name] = String(value);
  const body = message.body;
  const payload =
    body instanceof Uint8Array
      ? body
      : typeof body === 'string'
        ? new TextEncoder().encode(body)
        : new Uint8Array(0);
  return { headers, payload };
}

const eddyEvent = createCloudEvent({
  source: 'https://shop.example.com/orders',
  type: 'order.placed',
  subject: 'order/42',
  dataschema: 'https://schemas.example.com/order-placed/2',
  data: { orderId: 42, name: 'Zürich 🚀', lines: [1, 2] },
  correlationid: 'corr-1',
  causationid: 'cause-1',
  partitionkey: 'order-42',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  schemaversion: 3,
  region: 'eu-west',
});

describe('Eddy writes, the cloudevents SDK reads', () => {
  it.each(['binary', 'structured'] as const)('%s mode: JSON data and extensions', (mode) => {
    const sdk = toSdk(encodeCloudEvent(eddyEvent, { mode }));
    expect(sdk.id).toBe(eddyEvent.id);
    expect(sdk.source).toBe(eddyEvent.source);
    expect(sdk.type).toBe('order.placed');
    expect(sdk.specversion).toBe('1.0');
    expect(sdk.subject).toBe('order/42');
    expect(sdk.dataschema).toBe(eddyEvent.dataschema);
    expect(sdk.datacontenttype).toBe('application/json');
    expect(sdk.time).toBe(eddyEvent.time);
    expect(sdk.data).toEqual(eddyEvent.data);
    expect(sdk['correlationid']).toBe('corr-1');
    expect(sdk['causationid']).toBe('cause-1');
    expect(sdk['partitionkey']).toBe('order-42');
    expect(sdk['traceparent']).toBe(eddyEvent.traceparent);
    expect(sdk['region']).toBe('eu-west');
    // Binary mode carries every extension as a header string.
    expect(sdk['schemaversion']).toBe(mode === 'binary' ? '3' : 3);
  });

  it.each(['binary', 'structured'] as const)('%s mode: binary data', (mode) => {
    const data = new Uint8Array([0, 1, 2, 250, 255]);
    const sdk = toSdk(
      encodeCloudEvent(createCloudEvent({ source: '/files', type: 'file.uploaded', data }), { mode }),
    );
    expect(sdk.datacontenttype).toBe('application/octet-stream');
    expect(new Uint8Array(sdk.data as Uint8Array)).toEqual(data);
  });

  it('batch', () => {
    const second = createCloudEvent({ source: '/a', type: 't', data: ['x'] });
    const message = encodeCloudEventBatch([eddyEvent, second]);
    const events = HTTP.toEvent({
      headers: { ...message.headers },
      body: new TextDecoder().decode(message.payload),
    }) as SdkCloudEvent<unknown>[];
    expect(events.map((event) => event.id)).toEqual([eddyEvent.id, second.id]);
    expect(events[0]!.data).toEqual(eddyEvent.data);
    expect(events[1]!.data).toEqual(['x']);
  });
});

describe('the cloudevents SDK writes, Eddy reads', () => {
  const sdkEvent = new SdkCloudEvent({
    source: '/inventory',
    type: 'stock.reserved',
    subject: 'sku/123',
    data: { sku: '123', qty: 2, label: 'café ✓' },
    correlationid: 'corr-9',
    schemaversion: 2,
    region: 'us',
  });

  it.each([
    ['binary', HTTP.binary],
    ['structured', HTTP.structured],
  ] as const)('%s mode: JSON data and extensions', (mode, serialize) => {
    const decoded = decodeCloudEvent(fromSdk(serialize(sdkEvent)));
    expect(decoded).toMatchObject({
      specversion: '1.0',
      id: sdkEvent.id,
      source: '/inventory',
      type: 'stock.reserved',
      subject: 'sku/123',
      time: sdkEvent.time,
      correlationid: 'corr-9',
      schemaversion: 2,
      region: 'us',
      data: { sku: '123', qty: 2, label: 'café ✓' },
    });
    // The SDK writes content-type as a header in binary mode and leaves datacontenttype out of the
    // structured document (JSON data implies application/json there).
    expect(decoded.datacontenttype).toBe(mode === 'binary' ? 'application/json; charset=utf-8' : undefined);
  });

  it.each([
    ['binary', HTTP.binary],
    ['structured', HTTP.structured],
  ] as const)('%s mode: binary data', (_mode, serialize) => {
    const bytes = Buffer.from([9, 8, 7, 0, 255]);
    const event = new SdkCloudEvent({
      source: '/files',
      type: 'file.uploaded',
      datacontenttype: 'application/octet-stream',
      data: bytes,
    });
    const decoded = decodeCloudEvent(fromSdk(serialize(event)));
    expect(decoded.datacontenttype).toBe('application/octet-stream');
    expect(decoded.data).toEqual(new Uint8Array(bytes));
  });

  it('structured mode: JSON data the SDK holds as bytes (data_base64) reads as JSON', () => {
    // The SDK keeps a binary-mode body it received as a Buffer, and forwards it base64-encoded.
    const received = HTTP.toEvent({
      headers: {
        'ce-id': 'fwd-1',
        'ce-source': '/a',
        'ce-type': 't',
        'ce-specversion': '1.0',
        'content-type': 'application/json',
      },
      body: Buffer.from('{"forwarded":true}'),
    }) as SdkCloudEvent<unknown>;
    const message = fromSdk(HTTP.structured(received));
    expect(new TextDecoder().decode(message.payload)).toContain('"data_base64"');
    expect(decodeCloudEvent(message).data).toEqual({ forwarded: true });
  });

  it('binary mode: unicode header values written raw by the SDK', () => {
    const event = new SdkCloudEvent({ source: '/a', type: 't', subject: 'Zürich 東京' });
    expect(decodeCloudEvent(fromSdk(HTTP.binary(event))).subject).toBe('Zürich 東京');
  });

  it('an event without data', () => {
    const event = new SdkCloudEvent({ source: '/a', type: 'ping' });
    for (const serialize of [HTTP.binary, HTTP.structured]) {
      const decoded = decodeCloudEvent(fromSdk(serialize(event)));
      expect(decoded.id).toBe(event.id);
      expect(decoded.data).toBeUndefined();
    }
  });
});
