import { describe, expect, it } from 'vitest';
import type { CloudEventsFilter, Headers, SubscriptionFilter } from '@eddy/core';
import {
  compileSubscriptionFilter,
  encodeHeaderValue,
  headerConditionOf,
  type HeaderCondition,
} from '@eddy/core/internal';

/** What a store does with a condition: the reference the SQL versions are checked against. */
function holds(condition: HeaderCondition, headers: Headers): boolean {
  if (headers['ce-type'] === undefined || headers['ce-specversion'] === undefined) return true;
  return evaluate(condition, headers);
}

function evaluate(condition: HeaderCondition, headers: Headers): boolean {
  if (typeof condition === 'boolean') return condition;
  if ('all' in condition) return condition.all.every((part) => evaluate(part, headers));
  if ('any' in condition) return condition.any.some((part) => evaluate(part, headers));
  if ('not' in condition) return !evaluate(condition.not, headers);
  const stored = headers[condition.header];
  if (stored === undefined) return false;
  if (stored.includes('%')) return condition.whenEncoded;
  if (condition.op === 'exact') return stored === condition.value;
  return condition.op === 'prefix' ? stored.startsWith(condition.value) : stored.endsWith(condition.value);
}

// Small alphabets, so that random values often share prefixes and suffixes; '%' and ' ' make
// percent-encoded stored values, '_' and '\\' are LIKE's metacharacters.
const VALUES = ['a', 'ab', 'b%', 'a b', 'a_b', "o'k", 'x\\y', '%41', 'ba'];
const TYPES = ['order.placed', 'order.paid', 'user.created', 'order%2Eplaced'];

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

function randomFilter(random: () => number, depth: number): CloudEventsFilter {
  const attribute = pick(['subject', 'source', 'partitionkey'], random);
  const roll = depth >= 3 ? random() * 0.5 : random();
  const value = pick(VALUES, random);
  if (roll < 0.17) return { exact: { [attribute]: value } };
  if (roll < 0.34) return { prefix: { [attribute]: value } };
  if (roll < 0.5) return { suffix: { [attribute]: value } };
  if (roll < 0.67) return { all: [randomFilter(random, depth + 1), randomFilter(random, depth + 1)] };
  if (roll < 0.84) return { any: [randomFilter(random, depth + 1), randomFilter(random, depth + 1)] };
  return { not: randomFilter(random, depth + 1) };
}

function randomHeaders(random: () => number): Headers {
  const headers: Record<string, string> = { 'ce-specversion': '1.0', 'ce-type': pick(TYPES, random) };
  for (const attribute of ['subject', 'source', 'partitionkey']) {
    if (random() < 0.8) {
      const value = pick(VALUES, random) + pick(['', ...VALUES], random);
      // Stored encoded (as Eddy publishes) or raw (as some other producer might).
      headers[`ce-${attribute}`] = random() < 0.5 ? encodeHeaderValue(value) : value;
    }
  }
  return headers;
}

/** A seeded generator, so a failure reproduces. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('header conditions (what a store can skip for a subscription filter)', () => {
  it('hold for every message the filter accepts, on random filters and headers', () => {
    const random = generator(7);
    let skipped = 0;
    const missed: unknown[] = [];
    for (let round = 0; round < 400; round++) {
      const filter: SubscriptionFilter = {
        type: pick(['order.*', 'order.placed', '*.created', '*', 'o*d'], random),
        attributes: randomFilter(random, 0),
      };
      const accepts = compileSubscriptionFilter(filter);
      const condition = headerConditionOf(filter);
      for (let message = 0; message < 20; message++) {
        const headers = randomHeaders(random);
        const kept = holds(condition, headers);
        if (accepts(headers) && !kept) missed.push({ filter, headers });
        if (!kept) skipped += 1;
      }
    }
    expect(missed).toEqual([]);
    // The conditions are not vacuous: most random pairs are decided without the exact filter.
    expect(skipped).toBeGreaterThan(1_000);
  });

  it('translates type patterns to their literal ends, and a bare * to nothing', () => {
    expect(headerConditionOf({ type: 'order.*.eu' })).toEqual({
      all: [
        { header: 'ce-type', op: 'prefix', value: 'order.', whenEncoded: true },
        { header: 'ce-type', op: 'suffix', value: '.eu', whenEncoded: true },
      ],
    });
    expect(headerConditionOf({ type: '*' })).toBe(true);
    expect(headerConditionOf({})).toBe(true);
  });

  it('reads the content type from content-type and negates with the opposite answer for encoded values', () => {
    expect(headerConditionOf({ attributes: { not: { exact: { datacontenttype: 'text/plain' } } } })).toEqual({
      not: { header: 'content-type', op: 'exact', value: 'text/plain', whenEncoded: false },
    });
  });

  it('keeps messages that are not binary-mode CloudEvents', () => {
    const condition = headerConditionOf({ type: 'a' });
    expect(holds(condition, { 'ce-type': 'b' })).toBe(true);
    expect(holds(condition, { 'ce-type': 'b', 'ce-specversion': '1.0' })).toBe(false);
  });
});
