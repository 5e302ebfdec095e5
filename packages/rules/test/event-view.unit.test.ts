import type { CloudEvent } from '@eddy/core';
import { describe, expect, it } from 'vitest';
import { eventView, matchesPattern } from '@eddy/rules';

function cloudEvent(fields: Partial<CloudEvent> & Record<string, unknown>): CloudEvent {
  return { specversion: '1.0', id: 'e-1', source: '/shop', type: 'order.placed', ...fields };
}

describe('eventView', () => {
  it('is the CloudEvent itself when its data is already JSON', () => {
    const event = cloudEvent({
      datacontenttype: 'application/json',
      data: { total: 5 },
      correlationid: 'c-1',
    });
    expect(eventView(event)).toBe(event);
    expect(
      matchesPattern(
        { type: ['order.placed'], correlationid: ['c-1'], data: { total: [5] } },
        eventView(event),
      ),
    ).toBe(true);
  });

  it('treats data without a content type as JSON, as the CloudEvents JSON format does', () => {
    const event = cloudEvent({ data: { total: 5 } });
    expect(eventView(event)).toBe(event);
  });

  it('parses JSON bytes, for any JSON content type', () => {
    const bytes = new TextEncoder().encode('{"total": 7, "lines": [{"sku": "A"}]}');
    for (const datacontenttype of [
      'application/json',
      'application/vnd.shop+json; charset=utf-8',
      'text/json',
    ]) {
      const view = eventView(cloudEvent({ datacontenttype, data: bytes }));
      expect(view.data).toEqual({ total: 7, lines: [{ sku: 'A' }] });
    }
  });

  it('parses a string holding a JSON object or array, and keeps any other string as a string', () => {
    expect(eventView(cloudEvent({ datacontenttype: 'application/json', data: ' {"a": 1}' })).data).toEqual({
      a: 1,
    });
    expect(eventView(cloudEvent({ datacontenttype: 'application/json', data: '[1, 2]' })).data).toEqual([
      1, 2,
    ]);
    expect(eventView(cloudEvent({ datacontenttype: 'application/json', data: '42' })).data).toBe('42');
    expect(eventView(cloudEvent({ datacontenttype: 'application/json', data: 'hello' })).data).toBe('hello');
    expect(eventView(cloudEvent({ datacontenttype: 'application/json', data: '{not json' })).data).toBe(
      '{not json',
    );
  });

  it('leaves binary data out: it cannot be matched', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const binary = eventView(
      cloudEvent({ datacontenttype: 'application/octet-stream', data: bytes, subject: 's' }),
    );
    expect('data' in binary).toBe(false);
    expect(binary.subject).toBe('s');
    expect(matchesPattern({ data: [{ exists: false }] }, binary)).toBe(true);
    expect('data' in eventView(cloudEvent({ data: bytes }))).toBe(false);
    expect('data' in eventView(cloudEvent({ datacontenttype: 'text/plain', data: 'text' }))).toBe(false);
    expect(
      'data' in eventView(cloudEvent({ datacontenttype: 'application/json', data: new Uint8Array([0xff]) })),
    ).toBe(false);
  });

  it('keeps an event without data as it is', () => {
    const event = cloudEvent({});
    expect(eventView(event)).toBe(event);
  });
});
