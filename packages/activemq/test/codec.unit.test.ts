import { describe, expect, it } from 'vitest';
import { decodeHeaders, decodeMessage, encodeSendHeaders, redeliveryHeaders } from '../src/codec.js';
import { groupDestination, topicDestination } from '../src/destinations.js';
import { isCiValue } from './helpers.js';

describe('destinations', () => {
  it('maps topics to virtual topics and groups to one segment of their consumer queue', () => {
    expect(topicDestination('orders.created')).toBe('/topic/VirtualTopic.orders.created');
    expect(groupDestination('orders.created', 'billing')).toBe(
      '/queue/Consumer.billing.VirtualTopic.orders.created',
    );
    expect(groupDestination('t', 'billing.eu')).toBe('/queue/Consumer.billing~eu.VirtualTopic.t');
    expect(groupDestination('a', 'b.c')).not.toBe(groupDestination('a.b', 'c'));
  });
});

describe('codec', () => {
  const encode = (headers: Record<string, string>, key?: string) =>
    encodeSendHeaders(
      { payload: new Uint8Array(0), headers, ...(key === undefined ? {} : { key }) },
      '1-0-ab',
      1_000,
    );

  it('writes CloudEvents attributes as cloudEvents_ properties with plain values', () => {
    const wire = encode({
      'ce-id': 'a1',
      'ce-subject': 'Gr%C3%BC%C3%9Fe%20100%25',
      'content-type': 'application/json',
    });
    expect(wire).toMatchObject({
      cloudEvents_id: 'a1',
      cloudEvents_subject: 'Grüße 100%',
      'content-type': 'application/json',
    });
    expect(decodeHeaders(wire)).toEqual({
      'ce-id': 'a1',
      'ce-subject': 'Gr%C3%BC%C3%9Fe%20100%25',
      'content-type': 'application/json',
    });
  });

  it('keeps a ce- header that would not read back the same under its own name', () => {
    const wire = encode({ 'ce-note': 'not encoded' });
    expect(wire['ce-note']).toBe('not encoded');
    expect(decodeHeaders(wire)).toEqual({ 'ce-note': 'not encoded' });
  });

  it('escapes reserved names and quotes edge white space, and reads both back', () => {
    const headers = { type: 't', eddy_key: 'k', 'activemq.x': 'y', padded: ' p ' };
    const wire = encode(headers, ' key ');
    expect(wire).toMatchObject({
      eddy_h_type: 't',
      eddy_h_eddy_key: 'k',
      'eddy_h_activemq.x': 'y',
      eddy_q_padded: '" p "',
    });
    expect(wire['JMSXGroupID']).toBe(' key ');
    expect(decodeHeaders(wire)).toEqual(headers);
    expect(decodeMessage('t', wire, new Uint8Array(0)).message.key).toBe(' key ');
  });

  it('counts deliveries from the copy header and the broker redelivered flag', () => {
    const body = new Uint8Array(0);
    expect(decodeMessage('t', { eddy_offset: 'o' }, body).message.deliveryCount).toBe(1);
    expect(decodeMessage('t', { redelivered: 'true' }, body).message.deliveryCount).toBe(2);
    const copy = redeliveryHeaders(
      { eddy_key: 'k', 'message-id': 'ID:1', timestamp: '5', redelivered: 'true', 'x-h': 'v' },
      { priorDeliveries: 3, publishedAt: 5, delayMs: 200, now: 1_000, avoid: 'member' },
    );
    expect(copy).toEqual({
      eddy_key: 'k',
      'x-h': 'v',
      persistent: 'true',
      JMSXGroupID: 'k',
      eddy_deliveries: '3',
      eddy_published_at: '5',
      AMQ_SCHEDULED_DELAY: '200',
      eddy_due_at: '1200',
      eddy_avoid: 'member',
    });
    expect(decodeMessage('t', copy, body).message).toMatchObject({
      deliveryCount: 4,
      publishedAt: 5,
      key: 'k',
    });
  });

  it('refuses header lines longer than the STOMP connector takes', () => {
    const codeOf = (encoding: () => unknown): unknown => {
      try {
        encoding();
        return undefined;
      } catch (error) {
        return (error as { code?: unknown }).code;
      }
    };
    expect(codeOf(() => encode({ long: 'x'.repeat(10 * 1024) }))).toBe('EDDY_INVALID_HEADER');
    expect(codeOf(() => encode({}, 'k'.repeat(10 * 1024)))).toBe('EDDY_INVALID_HEADER');
  });
});

describe('test environment', () => {
  it('reads CI as a flag, so CI=false or CI=0 is not CI', () => {
    expect([undefined, '', 'false', '0', 'no'].map((value) => isCiValue(value))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(['true', '1', 'github'].map((value) => isCiValue(value))).toEqual([true, true, true]);
  });
});
