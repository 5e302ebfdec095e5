import { isEddyError } from '@eddy/core';
import { describe, expect, it } from 'vitest';
import { createRuleMatcher, InvalidRuleNameError } from '@eddy/rules';

const order = {
  type: 'order.placed',
  source: 'shop',
  data: { total: 120, country: 'DE', lines: [{ sku: 'A-1' }] },
};

describe('createRuleMatcher', () => {
  it('returns the names of the rules an event matches, in the order they were added', () => {
    const matcher = createRuleMatcher();
    matcher.add('big-orders', { type: ['order.placed'], data: { total: [{ numeric: ['>', 100] }] } });
    matcher.add('refunds', { type: ['order.refunded'] });
    matcher.add('german', '{ "data": { "country": ["DE"] } }');
    matcher.add('a-lines', { data: { lines: { sku: [{ prefix: 'A-' }] } } });
    expect(matcher.match(order)).toEqual(['big-orders', 'german', 'a-lines']);
    expect(matcher.match({ type: 'order.refunded' })).toEqual(['refunds']);
    expect(matcher.match({ type: 'other' })).toEqual([]);
    expect(matcher.size).toBe(4);
  });

  it('matches a rule once however many of its branches or values match', () => {
    const matcher = createRuleMatcher();
    matcher.add('any', {
      $or: [{ type: [{ prefix: 'order.' }] }, { source: ['shop'] }],
      data: { lines: { sku: [{ exists: true }] } },
    });
    expect(matcher.match({ ...order, data: { lines: [{ sku: 'a' }, { sku: 'b' }] } })).toEqual(['any']);
  });

  it('makes a name with two patterns match when either does, as event-ruler does', () => {
    const matcher = createRuleMatcher();
    matcher.add('R1', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } });
    matcher.add('R1', { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } });
    expect(matcher.size).toBe(1);
    expect(matcher.match({ detail: { 'c-count': 2 } })).toEqual(['R1']);
    expect(matcher.match({ detail: { 'x-limit': 301.8 } })).toEqual(['R1']);
    expect(matcher.match({ detail: { 'c-count': 9 } })).toEqual([]);
  });

  it('removes every pattern of a name, and leaves the other rules as they were', () => {
    const matcher = createRuleMatcher();
    matcher.add('a', { type: ['order.placed'] });
    matcher.add('a', { source: ['shop'] });
    matcher.add('b', { type: ['order.placed'] });
    expect(matcher.match(order)).toEqual(['a', 'b']);
    expect(matcher.remove('a')).toBe(true);
    expect(matcher.remove('a')).toBe(false);
    expect(matcher.has('a')).toBe(false);
    expect(matcher.match(order)).toEqual(['b']);
    expect(matcher.match({ source: 'shop' })).toEqual([]);
    matcher.add('a', { source: ['shop'] });
    expect(matcher.match(order)).toEqual(['b', 'a']);
  });

  it('keeps two names with the same pattern apart', () => {
    const matcher = createRuleMatcher();
    matcher.add('first', { type: ['order.placed'] });
    matcher.add('second', { type: ['order.placed'] });
    matcher.remove('first');
    expect(matcher.match(order)).toEqual(['second']);
  });

  it('refuses names that are not non-empty strings', () => {
    const matcher = createRuleMatcher();
    for (const name of ['', 42 as unknown as string]) {
      let thrown: unknown;
      try {
        matcher.add(name, { a: ['x'] });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidRuleNameError);
      expect(isEddyError(thrown, 'EDDY_INVALID_RULE_NAME')).toBe(true);
    }
    expect(matcher.size).toBe(0);
  });

  it('matches rules added after events were matched (the machine is rebuilt where it changed)', () => {
    const matcher = createRuleMatcher();
    matcher.add('one', { type: ['order.placed'] });
    expect(matcher.match(order)).toEqual(['one']);
    matcher.add('two', { type: ['order.placed'], data: { total: [120] } });
    matcher.add('three', { data: { country: [{ 'anything-but': 'FR' }] } });
    expect(matcher.match(order)).toEqual(['one', 'two', 'three']);
  });

  it('answers the same event the same way each time', () => {
    const matcher = createRuleMatcher();
    matcher.add('arrays', { items: { a: ['x'], b: ['y'] } });
    const event = { items: [{ a: 'x' }, { a: 'x', b: 'y' }] };
    expect(matcher.match(event)).toEqual(['arrays']);
    expect(matcher.match(event)).toEqual(['arrays']);
    expect(matcher.match({ items: [{ a: 'x' }, { b: 'y' }] })).toEqual([]);
  });
});
