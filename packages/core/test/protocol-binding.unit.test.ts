import { describe, expect, it } from 'vitest';
import { createCloudEvent, decodeCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';
import {
  AMQP_BINDING,
  fromWireHeaders,
  KAFKA_BINDING,
  NATS_BINDING,
  resolveCloudEventsMode,
  SQS_BINDING,
  toStructuredMessage,
  toWireHeaders,
} from '@eddy/core/internal';
import { ErrorCodes, isEddyError } from '@eddy/core';

const event = createCloudEvent({
  id: 'e-1',
  source: '/s',
  type: 't.happened',
  subject: 'Grüße 100% "ok"',
  data: { n: 1 },
  partitionkey: 'k',
});
const message = encodeCloudEvent(event);

describe('protocol bindings', () => {
  it.each([
    ['Kafka', KAFKA_BINDING, 'ce_subject', 'Grüße 100% "ok"', 'content-type'],
    ['AMQP', AMQP_BINDING, 'cloudEvents_subject', 'Grüße 100% "ok"', 'content-type'],
    ['NATS', NATS_BINDING, 'ce-subject', 'Gr%C3%BC%C3%9Fe%20100%25%20%22ok%22', 'ce-datacontenttype'],
    ['SQS', SQS_BINDING, 'ce_subject', 'Grüße 100% "ok"', 'ce_datacontenttype'],
  ])(
    '%s: writes the binding names and reads them back to the same event',
    (_, binding, subject, value, contentType) => {
      const wire = toWireHeaders(message.headers, binding);
      expect(wire[subject]).toBe(value);
      expect(wire[contentType]).toBe('application/json');
      const back = fromWireHeaders(wire, binding);
      expect(back).toEqual(message.headers);
      expect(decodeCloudEvent({ headers: back, payload: message.payload })).toEqual(event);
    },
  );

  it('reads attribute names in any case and the AMQP binding’s cloudEvents: prefix', () => {
    expect(fromWireHeaders({ 'cloudEvents:id': 'a', CLOUDEVENTS_TYPE: 'b' }, AMQP_BINDING)).toEqual({
      'ce-id': 'a',
      'ce-type': 'b',
    });
  });

  it("reads Eddy's earlier ce- form under every binding", () => {
    for (const binding of [KAFKA_BINDING, AMQP_BINDING, NATS_BINDING, SQS_BINDING]) {
      expect(fromWireHeaders({ 'ce-subject': 'a%20b', 'content-type': 'text/plain' }, binding)).toEqual({
        'ce-subject': 'a%20b',
        'content-type': 'text/plain',
      });
    }
  });

  it('keeps headers that only look like attributes, and content-type of a message that is no event', () => {
    const headers = {
      ce_x: '1',
      cloudevents_y: '2',
      'ce-datacontenttype': '3',
      'content-type': 'text/plain',
    };
    for (const binding of [KAFKA_BINDING, AMQP_BINDING, NATS_BINDING, SQS_BINDING]) {
      expect(fromWireHeaders(toWireHeaders(headers, binding), binding)).toEqual(headers);
    }
  });

  it('keeps a value that would not read back the same in its ce- form', () => {
    const wire = toWireHeaders({ 'ce-specversion': '1.0', 'ce-note': '100%' }, KAFKA_BINDING);
    expect(wire['ce-note']).toBe('100%');
    expect(fromWireHeaders(wire, KAFKA_BINDING)['ce-note']).toBe('100%');
  });

  it('turns a binary-mode message into structured mode, keeping other headers and the key', () => {
    const structured = toStructuredMessage({
      ...message,
      key: 'k',
      headers: { ...message.headers, team: 'a' },
    });
    expect(structured.key).toBe('k');
    expect(structured.headers).toEqual({
      team: 'a',
      'content-type': 'application/cloudevents+json; charset=utf-8',
    });
    expect(decodeCloudEvent({ headers: structured.headers ?? {}, payload: structured.payload })).toEqual(
      event,
    );
    const plain = { headers: { team: 'a' }, payload: new Uint8Array([1]) };
    expect(toStructuredMessage(plain)).toBe(plain);
  });

  it('accepts binary and structured as cloudEventsMode, and nothing else', () => {
    expect(resolveCloudEventsMode(undefined)).toBe('binary');
    expect(resolveCloudEventsMode('structured')).toBe('structured');
    let error: unknown;
    try {
      resolveCloudEventsMode('batch', 'Kafka option cloudEventsMode');
    } catch (caught) {
      error = caught;
    }
    expect(isEddyError(error) && error.code).toBe(ErrorCodes.InvalidOption);
  });
});
