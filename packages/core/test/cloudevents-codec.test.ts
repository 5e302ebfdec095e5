import { describe, expect, it } from 'vitest';
import { type CloudEvent } from '@eddy/core';
import {
  createCloudEvent,
  decodeCloudEvent,
  decodeCloudEventBatch,
  DecodeError,
  detectCloudEventMode,
  encodeCloudEvent,
  encodeCloudEventBatch,
  InvalidCloudEventError,
  type CloudEventMessage,
} from '@eddy/core/cloudevents';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

const full = createCloudEvent({
  source: 'https://shop.example.com/orders',
  type: 'order.placed',
  subject: 'order/42',
  dataschema: 'https://schemas.example.com/order-placed/2',
  data: { orderId: 42, items: [{ sku: 'a', qty: 2 }], note: null },
  correlationid: 'corr-1',
  causationid: 'cause-1',
  partitionkey: 'order-42',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: 'rojo=00f067aa0ba902b7',
  schemaversion: 2,
  region: 'eu-west',
  priority: 5,
  urgent: true,
});

describe.each(['binary', 'structured'] as const)('%s mode round trip', (mode) => {
  const roundTrip = (event: CloudEvent): CloudEvent => decodeCloudEvent(encodeCloudEvent(event, { mode }));

  it('keeps every attribute and JSON data', () => {
    const decoded = roundTrip(full);
    if (mode === 'structured') {
      expect(decoded).toEqual(full);
    } else {
      // Binary mode carries unknown extensions as strings; Eddy's typed ones come back typed.
      expect(decoded).toEqual({ ...full, priority: '5', urgent: 'true' });
      expect(decoded.schemaversion).toBe(2);
    }
  });

  it('carries binary data as bytes', () => {
    const data = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const decoded = roundTrip(createCloudEvent({ source: '/a', type: 't', data }));
    expect(decoded.datacontenttype).toBe('application/octet-stream');
    expect(decoded.data).toEqual(data);
  });

  it('carries JSON scalars and strings', () => {
    for (const data of [0, false, 'plain string', '', [], {}, null, 'x'.repeat(10_000)]) {
      expect(roundTrip(createCloudEvent({ source: '/a', type: 't', data })).data).toEqual(data);
    }
  });

  it('carries an event without data', () => {
    const event = createCloudEvent({ source: '/a', type: 't' });
    const decoded = roundTrip(event);
    expect(decoded).toEqual(event);
    expect('data' in decoded).toBe(false);
  });

  it('keeps unicode in attributes and data', () => {
    const event = createCloudEvent({
      source: '/shop/orders',
      type: 'commande.passée',
      subject: 'Zürich 東京 🚀 "quoted" 100% done',
      data: { name: 'Łódź 🍕', emoji: '👩‍👩‍👧' },
      region: 'café',
    });
    expect(roundTrip(event)).toEqual(event);
  });

  it('decodes +json content types as JSON', () => {
    const event = createCloudEvent({
      source: '/a',
      type: 't',
      datacontenttype: 'application/vnd.shop.order+json; charset=utf-8',
      data: { a: 1 },
    });
    expect(roundTrip(event).data).toEqual({ a: 1 });
  });
});

describe('binary mode wire format', () => {
  it('writes ce- headers, content-type and the JSON payload', () => {
    const message = encodeCloudEvent(full);
    expect(message.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': full.id,
      'ce-source': 'https://shop.example.com/orders',
      'ce-type': 'order.placed',
      'ce-subject': 'order/42',
      'ce-schemaversion': '2',
      'ce-urgent': 'true',
      'content-type': 'application/json',
    });
    expect(message.headers['ce-datacontenttype']).toBeUndefined();
    expect(JSON.parse(text(message.payload))).toEqual(full.data);
  });

  it('percent-encodes header values as the HTTP binding requires', () => {
    const message = encodeCloudEvent(createCloudEvent({ source: '/a', type: 't', subject: 'a b "c" 50% é' }));
    expect(message.headers['ce-subject']).toBe('a%20b%20%22c%22%2050%25%20%C3%A9');
  });

  it('reads header values that are not valid percent-encoding as they are', () => {
    const headers = { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/a', 'ce-type': 't' };
    const subjectOf = (subject: string) =>
      decodeCloudEvent({ headers: { ...headers, 'ce-subject': subject }, payload: new Uint8Array(0) })
        .subject;
    expect(subjectOf('100%')).toBe('100%');
    expect(subjectOf('50%zz')).toBe('50%zz');
    expect(subjectOf('bad %FF byte')).toBe('bad %FF byte');
    expect(subjectOf('caf%C3%A9 ok%21')).toBe('café ok!');
  });

  it('writes text data with a non-JSON content type as UTF-8 bytes', () => {
    const message = encodeCloudEvent(
      createCloudEvent({ source: '/a', type: 't', datacontenttype: 'text/plain', data: 'héllo' }),
    );
    expect(text(message.payload)).toBe('héllo');
    expect(decodeCloudEvent(message).data).toEqual(utf8('héllo'));
  });

  it('reads header names case-insensitively and keeps unknown extensions as strings', () => {
    const decoded = decodeCloudEvent({
      headers: {
        'CE-SpecVersion': '1.0',
        'Ce-Id': '1',
        'ce-source': '/a',
        'ce-type': 't',
        'Content-Type': 'application/json',
        'ce-count': '12',
        'ce-schemaversion': '3',
        'x-other': 'ignored',
      },
      payload: utf8('{"ok":true}'),
    });
    expect(decoded).toEqual({
      specversion: '1.0',
      id: '1',
      source: '/a',
      type: 't',
      datacontenttype: 'application/json',
      count: '12',
      schemaversion: 3,
      data: { ok: true },
    });
  });
});

describe('structured mode wire format', () => {
  it('writes one JSON document with data or data_base64', () => {
    const message = encodeCloudEvent(full, { mode: 'structured' });
    expect(message.headers).toEqual({ 'content-type': 'application/cloudevents+json; charset=utf-8' });
    expect(JSON.parse(text(message.payload))).toEqual(full);

    const bytes = encodeCloudEvent(
      createCloudEvent({ source: '/a', type: 't', data: new Uint8Array([1, 2, 3]) }),
      {
        mode: 'structured',
      },
    );
    const json = JSON.parse(text(bytes.payload)) as Record<string, unknown>;
    expect(json['data_base64']).toBe('AQID');
    expect('data' in json).toBe(false);
  });

  it('decodes data_base64 as JSON when the content type is JSON', () => {
    const base = { specversion: '1.0', id: '1', source: '/a', type: 't' };
    const json = decodeCloudEvent(
      structured({
        ...base,
        datacontenttype: 'application/json',
        data_base64: Buffer.from('{"a":1}').toString('base64'),
      }),
    );
    expect(json.data).toEqual({ a: 1 });
    const bytes = decodeCloudEvent(
      structured({ ...base, datacontenttype: 'image/png', data_base64: 'AQID' }),
    );
    expect(bytes.data).toEqual(new Uint8Array([1, 2, 3]));
    expect(decodeCloudEvent(structured({ ...base, data_base64: '' })).data).toEqual(new Uint8Array(0));
    expect(
      thrown(() =>
        decodeCloudEvent(
          structured({
            ...base,
            datacontenttype: 'application/json',
            data_base64: Buffer.from('{').toString('base64'),
          }),
        ),
      ),
    ).toMatchObject({ code: 'EDDY_DECODE_FAILED' });
  });

  it('treats null members as absent', () => {
    const decoded = decodeCloudEvent(
      structured({ specversion: '1.0', id: '1', source: '/a', type: 't', subject: null }),
    );
    expect('subject' in decoded).toBe(false);
  });
});

function structured(json: unknown): CloudEventMessage {
  return {
    headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
    payload: utf8(JSON.stringify(json)),
  };
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('decoding malformed input', () => {
  const binaryHeaders = { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/a', 'ce-type': 't' };

  it('names missing required headers in binary mode', () => {
    const error = thrown(() =>
      decodeCloudEvent({ headers: { 'ce-specversion': '1.0', 'ce-id': '1' }, payload: utf8('') }),
    );
    expect(error).toBeInstanceOf(InvalidCloudEventError);
    expect(error).toMatchObject({ code: 'EDDY_INVALID_CLOUDEVENT' });
    expect((error as InvalidCloudEventError).problems).toEqual([
      '"source" is required: header "ce-source" is missing (binary mode)',
      '"type" is required: header "ce-type" is missing (binary mode)',
    ]);
  });

  it('rejects bad JSON data with the content type in the message', () => {
    const error = thrown(() =>
      decodeCloudEvent({
        headers: { ...binaryHeaders, 'content-type': 'application/json' },
        payload: utf8('{"a":'),
      }),
    );
    expect(error).toBeInstanceOf(DecodeError);
    expect(error).toMatchObject({ code: 'EDDY_DECODE_FAILED' });
    expect(error.message).toMatch(/^Payload with content-type "application\/json" is not valid JSON/);
  });

  it('rejects invalid UTF-8 in JSON data', () => {
    const error = thrown(() =>
      decodeCloudEvent({
        headers: { ...binaryHeaders, 'content-type': 'application/json' },
        payload: new Uint8Array([0x22, 0xff, 0x22]),
      }),
    );
    expect(error).toBeInstanceOf(DecodeError);
    expect(error).toMatchObject({ code: 'EDDY_DECODE_FAILED' });
    expect(error.message).toContain('not valid UTF-8');
  });

  it('rejects wrong attribute types read from headers', () => {
    const error = thrown(() =>
      decodeCloudEvent({
        headers: { ...binaryHeaders, 'ce-schemaversion': 'two', 'ce-time': 'now' },
        payload: utf8(''),
      }),
    );
    expect((error as InvalidCloudEventError).problems).toEqual([
      expect.stringMatching(/^"time" must be an RFC 3339 timestamp/),
      '"schemaversion" must be an integer >= 1, got "two"',
    ]);
  });

  it('rejects messages that are not CloudEvents', () => {
    expect(() =>
      decodeCloudEvent({ headers: { 'content-type': 'text/plain' }, payload: utf8('hi') }),
    ).toThrow(
      'Not a CloudEvent: no "ce-specversion" header (binary mode) and content-type "text/plain" is not application/cloudevents+json',
    );
    expect(thrown(() => decodeCloudEvent({ headers: {}, payload: utf8('hi') }))).toMatchObject({
      code: 'EDDY_DECODE_FAILED',
    });
  });

  it('rejects bad structured payloads', () => {
    expect(() => decodeCloudEvent({ ...structured(null), payload: utf8('{nope') })).toThrow(
      /^Structured-mode payload is not valid JSON/,
    );
    expect(() => decodeCloudEvent(structured([1]))).toThrow(
      'Structured-mode payload must be a JSON object, got an array',
    );
    const error = thrown(() =>
      decodeCloudEvent(structured({ specversion: '1.0', id: 7, source: '/a', type: 't' })),
    );
    expect((error as InvalidCloudEventError).problems).toEqual(['"id" must be a string, got 7']);
    expect(() =>
      decodeCloudEvent(
        structured({ specversion: '1.0', id: '1', source: '/a', type: 't', data: 1, data_base64: 'AQ==' }),
      ),
    ).toThrow('"data" and "data_base64" are mutually exclusive');
    expect(() =>
      decodeCloudEvent({ headers: { 'content-type': 'application/cloudevents+avro' }, payload: utf8('') }),
    ).toThrow('Structured-mode format "application/cloudevents+avro" is not supported');
  });

  it('refuses to encode an invalid event', () => {
    expect(thrown(() => encodeCloudEvent({ ...full, time: 'noon' }))).toMatchObject({
      code: 'EDDY_INVALID_CLOUDEVENT',
    });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => encodeCloudEvent({ ...full, data: cyclic })).toThrow(/"data" cannot be serialized as JSON/);
  });
});

describe('batch', () => {
  const events = [
    full,
    createCloudEvent({ source: '/a', type: 't', data: new Uint8Array([9]) }),
    createCloudEvent({ source: '/a', type: 'no-data' }),
  ];

  it('round trips a batch', () => {
    const message = encodeCloudEventBatch(events);
    expect(message.headers['content-type']).toBe('application/cloudevents-batch+json; charset=utf-8');
    expect(detectCloudEventMode(message)).toBe('batch');
    expect(decodeCloudEventBatch(message)).toEqual(events);
    expect(decodeCloudEventBatch(encodeCloudEventBatch([]))).toEqual([]);
  });

  it('reports the problems of every bad event with its index', () => {
    const payload = utf8(
      JSON.stringify([{ specversion: '1.0', id: '1', source: '/a', type: 't' }, { specversion: '1.0' }, 5]),
    );
    const error = thrown(() =>
      decodeCloudEventBatch({ headers: { 'content-type': 'application/cloudevents-batch+json' }, payload }),
    );
    expect((error as InvalidCloudEventError).problems).toEqual([
      'event [1]: "id" is required',
      'event [1]: "source" is required',
      'event [1]: "type" is required',
      'event [2]: a CloudEvent must be an object, got 5',
    ]);
  });

  it('tells single and batch messages apart', () => {
    expect(() => decodeCloudEvent(encodeCloudEventBatch(events))).toThrow(/decodeCloudEventBatch/);
    expect(thrown(() => decodeCloudEventBatch(encodeCloudEvent(full, { mode: 'structured' })))).toMatchObject(
      { code: 'EDDY_DECODE_FAILED' },
    );
    expect(() =>
      decodeCloudEventBatch({
        headers: { 'content-type': 'application/cloudevents-batch+json' },
        payload: utf8('{}'),
      }),
    ).toThrow('A CloudEvents batch must be a JSON array');
  });
});
