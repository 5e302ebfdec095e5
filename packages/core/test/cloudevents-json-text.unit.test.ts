import { describe, expect, it } from 'vitest';
import {
  cloudEventToJson,
  createCloudEvent,
  decodeCloudEvent,
  encodeCloudEvent,
  type CloudEventMessage,
} from '@eddy/core/cloudevents';
import { cloudEventJsonText } from '@eddy/core/internal';

/** What the gateway sent before the text fast path: decode, JSON event format, stringify. */
function viaObjects(message: CloudEventMessage): unknown {
  try {
    return cloudEventToJson(decodeCloudEvent(message));
  } catch {
    return undefined;
  }
}

function viaText(message: CloudEventMessage): unknown {
  const text = cloudEventJsonText(message);
  return text === undefined ? undefined : JSON.parse(text);
}

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

const binaryHeaders = {
  'ce-specversion': '1.0',
  'ce-id': 'e-1',
  'ce-source': '/orders',
  'ce-type': 'order.placed',
  'content-type': 'application/json',
};

const cases: Record<string, CloudEventMessage> = {
  'encoded by the codec, binary mode': encodeCloudEvent(
    createCloudEvent({
      source: '/orders',
      type: 'order.placed',
      subject: 'o 1 é',
      partitionkey: 'customer-1',
      schemaversion: 3,
      data: { orderId: 'o-1', total: 42.5, lines: [{ sku: 'a', qty: 2 }], note: 'quote " and \u2028' },
    }),
  ),
  'encoded by the codec, structured mode': encodeCloudEvent(
    createCloudEvent({ source: '/orders', type: 'order.placed', data: { a: 1 } }),
    { mode: 'structured' },
  ),
  'bytes data': encodeCloudEvent(
    createCloudEvent({ source: '/files', type: 'file.added', data: new Uint8Array([0, 1, 254, 255]) }),
  ),
  'JSON data as other writers store it (spaces, escapes, null)': {
    headers: binaryHeaders,
    payload: bytes(' { "a" : [1, 2.50, -0, 1e3], "b": "\\u00e9\\ud83d\\ude00", "c": null } \n'),
  },
  'JSON null data': { headers: binaryHeaders, payload: bytes('null') },
  'JSON string data with a +json type': {
    headers: { ...binaryHeaders, 'content-type': 'application/vnd.shop+json; charset=utf-8' },
    payload: bytes('"text"'),
  },
  'no data': { headers: binaryHeaders, payload: new Uint8Array(0) },
  'no content type': {
    headers: { 'ce-specversion': '1.0', 'ce-id': 'e', 'ce-source': '/s', 'ce-type': 't' },
    payload: bytes('{"a":1}'),
  },
  'text content type': { headers: { ...binaryHeaders, 'content-type': 'text/plain' }, payload: bytes('hi') },
  'percent-encoded and typed attributes, mixed-case header names': {
    headers: { ...binaryHeaders, 'CE-Subject': '100%25%20sure', 'ce-schemaversion': '2' },
    payload: bytes('{}'),
  },
  'a ce-data header': { headers: { ...binaryHeaders, 'ce-data': 'x' }, payload: new Uint8Array(0) },
  'invalid JSON data': { headers: binaryHeaders, payload: bytes('{"a":') },
  'two JSON values': { headers: binaryHeaders, payload: bytes('{} {}') },
  'data that is not UTF-8': { headers: binaryHeaders, payload: new Uint8Array([0x22, 0xff, 0x22]) },
  'an invalid attribute': { headers: { ...binaryHeaders, 'ce-source': 'not a uri' }, payload: bytes('1') },
  'a missing attribute': {
    headers: { 'ce-specversion': '1.0', 'ce-id': 'e', 'content-type': 'application/json' },
    payload: bytes('1'),
  },
  'not a CloudEvent': { headers: { 'content-type': 'application/json' }, payload: bytes('{"a":1}') },
};

describe('cloudEventJsonText', () => {
  for (const [name, message] of Object.entries(cases)) {
    it(`means what decode, cloudEventToJson and stringify give: ${name}`, () => {
      expect(viaText(message)).toEqual(viaObjects(message));
    });
  }

  it('refuses exactly the messages decodeCloudEvent refuses', () => {
    const refused = Object.entries(cases)
      .filter(([, message]) => cloudEventJsonText(message) === undefined)
      .map(([name]) => name);
    expect(refused).toEqual([
      'invalid JSON data',
      'two JSON values',
      'data that is not UTF-8',
      'an invalid attribute',
      'a missing attribute',
      'not a CloudEvent',
    ]);
  });
});
