import { describe, expect, it } from 'vitest';
import { ErrorCodes, type Headers, type SubscriptionFilter } from '@eddy/core';
import { encodeCloudEvent } from '@eddy/core/cloudevents';
import { compileSubscriptionFilter } from '@eddy/core/internal';

/** The headers binary mode gives an event, as a transport stores them. */
function headersOf(attributes: Record<string, string>): Headers {
  return encodeCloudEvent(
    {
      specversion: '1.0',
      id: '1',
      source: '/test',
      ...attributes,
      type: attributes['type'] ?? 't',
      data: { a: 1 },
    },
    { mode: 'binary' },
  ).headers;
}

const accepts = (filter: SubscriptionFilter, headers: Headers): boolean =>
  compileSubscriptionFilter(filter)(headers);

describe('subscription filters on message headers', () => {
  it('matches a type exactly or by pattern', () => {
    expect(accepts({ type: 'order.placed' }, headersOf({ type: 'order.placed' }))).toBe(true);
    expect(accepts({ type: 'order.placed' }, headersOf({ type: 'order.paid' }))).toBe(false);
    expect(accepts({ type: 'order.*' }, headersOf({ type: 'order.item.added' }))).toBe(true);
    expect(accepts({ type: 'order.*' }, headersOf({ type: 'invoice.sent' }))).toBe(false);
  });

  it('compares decoded values, so percent-encoded attributes match what was published', () => {
    const headers = headersOf({ subject: 'café 100%' });
    expect(headers['ce-subject']).not.toBe('café 100%');
    expect(accepts({ attributes: { exact: { subject: 'café 100%' } } }, headers)).toBe(true);
    expect(accepts({ attributes: { prefix: { subject: 'café' } } }, headers)).toBe(true);
    expect(accepts({ attributes: { suffix: { subject: '100%' } } }, headers)).toBe(true);
  });

  it('reads the content type from content-type, and an absent attribute never matches', () => {
    const headers = headersOf({});
    expect(accepts({ attributes: { exact: { datacontenttype: 'application/json' } } }, headers)).toBe(true);
    expect(accepts({ attributes: { exact: { subject: 'x' } } }, headers)).toBe(false);
    expect(accepts({ attributes: { not: { exact: { subject: 'x' } } } }, headers)).toBe(true);
  });

  it('lets through a message it cannot read attributes from (structured mode, not a CloudEvent)', () => {
    expect(accepts({ type: 'order.placed' }, { 'content-type': 'application/cloudevents+json' })).toBe(true);
    expect(accepts({ type: 'order.placed' }, {})).toBe(true);
  });

  it('refuses a malformed filter with EDDY_INVALID_FILTER', () => {
    const bad: unknown[] = [
      { type: '' },
      { attributes: { regex: { type: 'a' } } },
      { attributes: { sql: "type = 'a'" } },
      { attributes: { all: [] } },
      { attributes: { exact: { Type: 'a' } } },
      null,
    ];
    for (const filter of bad) {
      let code: unknown;
      try {
        compileSubscriptionFilter(filter as SubscriptionFilter);
      } catch (error) {
        code = (error as { code?: unknown }).code;
      }
      expect(code, JSON.stringify(filter)).toBe(ErrorCodes.InvalidFilter);
    }
  });
});
