import { describe, expect, it } from 'vitest';
import { ErrorCodes, type BusEvent, type EventFilter } from '@eddy/core';
import { compileEventFilter } from '@eddy/core/internal';

const event: BusEvent = {
  specversion: '1.0',
  id: 'e-1',
  source: '/shop/eu',
  type: 'com.shop.order.placed',
  subject: 'orders/42',
  partitionkey: 'customer-7',
  sequence: 12,
  data: { total: 10 },
} as unknown as BusEvent;

const accepts = (filter: EventFilter): boolean => compileEventFilter(filter)(event);

describe('CloudEvents Subscriptions API filters', () => {
  it('exact compares one attribute, case-sensitively, and an absent attribute never matches', () => {
    expect(accepts({ exact: { type: 'com.shop.order.placed' } })).toBe(true);
    expect(accepts({ exact: { type: 'com.shop.order.PLACED' } })).toBe(false);
    expect(accepts({ exact: { partitionkey: 'customer-7' } })).toBe(true);
    expect(accepts({ exact: { dataschema: 'x' } })).toBe(false);
  });

  it('prefix and suffix match the start and the end of a value', () => {
    expect(accepts({ prefix: { type: 'com.shop.' } })).toBe(true);
    expect(accepts({ prefix: { type: 'com.bank.' } })).toBe(false);
    expect(accepts({ suffix: { subject: '/42' } })).toBe(true);
    expect(accepts({ suffix: { subject: '/43' } })).toBe(false);
    expect(accepts({ not: { prefix: { dataschema: 'a' } } })).toBe(true);
  });

  it('compares non-string attributes in their canonical string form', () => {
    expect(accepts({ exact: { sequence: '12' } })).toBe(true);
  });

  it('never reads data through an attribute filter', () => {
    expect(accepts({ prefix: { data: '[' } })).toBe(false);
  });

  it('all, any and not combine filters', () => {
    expect(accepts({ all: [{ prefix: { type: 'com.shop.' } }, { exact: { source: '/shop/eu' } }] })).toBe(
      true,
    );
    expect(accepts({ all: [{ prefix: { type: 'com.shop.' } }, { exact: { source: '/shop/us' } }] })).toBe(
      false,
    );
    expect(accepts({ any: [{ exact: { source: '/shop/us' } }, { suffix: { type: '.placed' } }] })).toBe(true);
    expect(accepts({ any: [{ exact: { source: '/shop/us' } }, { suffix: { type: '.paid' } }] })).toBe(false);
    expect(accepts({ not: { exact: { source: '/shop/eu' } } })).toBe(false);
    expect(accepts({ not: { not: { exact: { source: '/shop/eu' } } } })).toBe(true);
  });

  it('passes a predicate through unchanged', () => {
    expect(accepts((e) => e.id === 'e-1')).toBe(true);
    expect(accepts((e) => e.id === 'e-2')).toBe(false);
  });

  it.each([
    [{}, 'exactly one dialect, found none'],
    [{ exact: { type: 'a' }, prefix: { type: 'b' } }, 'exactly one dialect, found exact, prefix'],
    [{ sql: "type = 'a'" }, 'CloudEvents SQL dialect is not supported'],
    [{ regex: { type: 'a' } }, 'unknown dialect "regex"'],
    [{ exact: {} }, 'filter.exact must name exactly one attribute, found 0'],
    [{ exact: { type: 'a', source: 'b' } }, 'found 2'],
    [{ exact: { Type: 'a' } }, '"Type" is not a CloudEvents attribute name'],
    [{ prefix: { type: '' } }, 'filter.prefix.type must be a non-empty string'],
    [{ suffix: { type: 3 } }, 'filter.suffix.type must be a non-empty string'],
    [{ all: [] }, 'filter.all must be a non-empty array'],
    [{ any: { exact: { type: 'a' } } }, 'filter.any must be a non-empty array'],
    [{ all: [{ exact: { type: 'a' } }, { nope: {} }] }, 'filter.all[1]: unknown dialect "nope"'],
    [{ not: [] }, 'filter.not must be an object'],
  ])('refuses %j with EDDY_INVALID_FILTER naming the problem', (filter, message) => {
    let caught: unknown;
    try {
      compileEventFilter(filter as EventFilter);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: ErrorCodes.InvalidFilter });
    expect((caught as Error).message).toContain(message);
  });
});
