import { describe, expect, it } from 'vitest';
import { broken, check } from './helpers.js';

// Confluent's JSON Schema rules: BACKWARD holds when every document the old schema accepts is
// accepted by the new one. Each rule has an allowed and a refused case.
interface Case {
  readonly rule: string;
  readonly old: unknown;
  readonly next: unknown;
  /** Broken rules as `KIND path`; empty when the change is allowed. */
  readonly breaks: readonly string[];
}

const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  ...extra,
});
const closed = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  object(properties, { additionalProperties: false, ...extra });
const str = { type: 'string' };
const int = { type: 'integer' };

const cases: readonly Case[] = [
  // Content models.
  {
    rule: 'property added to a closed content model',
    old: closed({ id: int }),
    next: closed({ id: int, email: str }),
    breaks: [],
  },
  {
    rule: 'property added to an open content model (old data may hold anything under that name)',
    old: object({ id: int }),
    next: object({ id: int, email: str }),
    breaks: ['OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/email'],
  },
  {
    rule: 'property with an empty schema added to an open content model',
    old: object({ id: int }),
    next: object({ id: int, extra: {} }),
    breaks: [],
  },
  {
    rule: 'property removed from an open content model',
    old: object({ id: int, email: str }),
    next: object({ id: int }),
    breaks: [],
  },
  {
    rule: 'property removed from a closed content model',
    old: closed({ id: int, email: str }),
    next: closed({ id: int }),
    breaks: ['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/email'],
  },
  {
    rule: 'property added that a partially open model (additionalProperties schema) already covered',
    old: object({ id: int }, { additionalProperties: str }),
    next: object({ id: int, email: str }, { additionalProperties: str }),
    breaks: [],
  },
  {
    rule: 'property added that a partially open model did not cover',
    old: object({ id: int }, { additionalProperties: str }),
    next: object({ id: int, age: int }, { additionalProperties: str }),
    breaks: [
      'TYPE_CHANGED #/properties/age',
      'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/age',
    ],
  },
  {
    rule: 'content model opened (additionalProperties false removed)',
    old: closed({ id: int }),
    next: object({ id: int }),
    breaks: [],
  },
  {
    rule: 'content model closed (additionalProperties: false added)',
    old: object({ id: int }),
    next: closed({ id: int }),
    breaks: ['ADDITIONAL_PROPERTIES_REMOVED #/additionalProperties'],
  },
  // Required.
  {
    rule: 'required removed',
    old: closed({ id: int }, { required: ['id'] }),
    next: closed({ id: int }),
    breaks: [],
  },
  {
    rule: 'existing property made required',
    old: closed({ id: int }),
    next: closed({ id: int }, { required: ['id'] }),
    breaks: ['REQUIRED_ATTRIBUTE_ADDED #/required/id'],
  },
  {
    rule: 'existing property made required, with a default',
    old: closed({ id: int }),
    next: closed({ id: { type: 'integer', default: 0 } }, { required: ['id'] }),
    breaks: [],
  },
  {
    rule: 'required property added to a closed model',
    old: closed({ id: int }),
    next: closed({ id: int, email: str }, { required: ['email'] }),
    breaks: ['REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/email'],
  },
  // Types.
  { rule: 'integer widened to number', old: int, next: { type: 'number' }, breaks: [] },
  { rule: 'number narrowed to integer', old: { type: 'number' }, next: int, breaks: ['TYPE_NARROWED #/'] },
  { rule: 'type widened to a union with null', old: str, next: { type: ['string', 'null'] }, breaks: [] },
  {
    rule: 'union narrowed to one of its types',
    old: { type: ['string', 'null'] },
    next: str,
    breaks: ['TYPE_CHANGED #/'],
  },
  { rule: 'type changed', old: str, next: int, breaks: ['TYPE_CHANGED #/'] },
  { rule: 'anything to the empty schema', old: closed({ id: int }), next: {}, breaks: [] },
  // Enums.
  {
    rule: 'enum extended',
    old: { enum: ['NEW', 'PAID'] },
    next: { enum: ['NEW', 'PAID', 'SHIPPED'] },
    breaks: [],
  },
  {
    rule: 'enum narrowed',
    old: { enum: ['NEW', 'PAID', 'SHIPPED'] },
    next: { enum: ['NEW', 'PAID'] },
    breaks: ['ENUM_ARRAY_NARROWED #/enum'],
  },
  {
    rule: 'enum changed',
    old: { enum: ['NEW', 'PAID'] },
    next: { enum: ['NEW', 'DONE'] },
    breaks: ['ENUM_ARRAY_CHANGED #/enum'],
  },
  // Combined schemas.
  {
    rule: 'oneOf gains a subschema',
    old: { oneOf: [str, int] },
    next: { oneOf: [str, int, { type: 'null' }] },
    breaks: [],
  },
  {
    rule: 'oneOf loses a subschema',
    old: { oneOf: [str, int, { type: 'null' }] },
    next: { oneOf: [str, int] },
    breaks: ['SUM_TYPE_NARROWED #/'],
  },
  { rule: 'anyOf subschemas reordered', old: { anyOf: [str, int] }, next: { anyOf: [int, str] }, breaks: [] },
  {
    rule: 'allOf gains a subschema (another constraint)',
    old: { allOf: [object({ id: int })] },
    next: { allOf: [object({ id: int }), { required: ['id'] }] },
    breaks: ['PRODUCT_TYPE_EXTENDED #/'],
  },
  {
    rule: 'allOf loses a subschema',
    old: { allOf: [str, { maxLength: 5 }] },
    next: { allOf: [str] },
    breaks: [],
  },
  { rule: 'oneOf changed to anyOf', old: { oneOf: [str, int] }, next: { anyOf: [str, int] }, breaks: [] },
  {
    rule: 'anyOf changed to allOf',
    old: { anyOf: [str, int] },
    next: { allOf: [str, int] },
    breaks: ['COMBINED_TYPE_CHANGED #/'],
  },
  { rule: 'plain type turned into a oneOf holding it', old: str, next: { oneOf: [str, int] }, breaks: [] },
  // Numeric bounds.
  {
    rule: 'maximum increased',
    old: { type: 'number', maximum: 10 },
    next: { type: 'number', maximum: 20 },
    breaks: [],
  },
  {
    rule: 'maximum decreased',
    old: { type: 'number', maximum: 20 },
    next: { type: 'number', maximum: 10 },
    breaks: ['MAXIMUM_DECREASED #/maximum'],
  },
  { rule: 'minimum removed', old: { type: 'number', minimum: 1 }, next: { type: 'number' }, breaks: [] },
  {
    rule: 'minimum added',
    old: { type: 'number' },
    next: { type: 'number', minimum: 1 },
    breaks: ['MINIMUM_ADDED #/minimum'],
  },
  {
    rule: 'exclusiveMinimum increased',
    old: { type: 'number', exclusiveMinimum: 0 },
    next: { type: 'number', exclusiveMinimum: 1 },
    breaks: ['EXCLUSIVE_MINIMUM_INCREASED #/exclusiveMinimum'],
  },
  {
    rule: 'multipleOf reduced to a divisor',
    old: { type: 'number', multipleOf: 10 },
    next: { type: 'number', multipleOf: 5 },
    breaks: [],
  },
  {
    rule: 'multipleOf expanded to a multiple',
    old: { type: 'number', multipleOf: 5 },
    next: { type: 'number', multipleOf: 10 },
    breaks: ['MULTIPLE_OF_EXPANDED #/multipleOf'],
  },
  // String lengths and patterns.
  {
    rule: 'maxLength increased',
    old: { type: 'string', maxLength: 5 },
    next: { type: 'string', maxLength: 10 },
    breaks: [],
  },
  {
    rule: 'maxLength decreased',
    old: { type: 'string', maxLength: 10 },
    next: { type: 'string', maxLength: 5 },
    breaks: ['MAX_LENGTH_DECREASED #/maxLength'],
  },
  {
    rule: 'minLength decreased',
    old: { type: 'string', minLength: 5 },
    next: { type: 'string', minLength: 1 },
    breaks: [],
  },
  {
    rule: 'minLength added',
    old: str,
    next: { type: 'string', minLength: 1 },
    breaks: ['MIN_LENGTH_ADDED #/minLength'],
  },
  { rule: 'pattern removed', old: { type: 'string', pattern: '^a' }, next: str, breaks: [] },
  {
    rule: 'pattern changed',
    old: { type: 'string', pattern: '^a' },
    next: { type: 'string', pattern: '^b' },
    breaks: ['PATTERN_CHANGED #/pattern'],
  },
  // Arrays.
  {
    rule: 'array items widened',
    old: { type: 'array', items: int },
    next: { type: 'array', items: { type: 'number' } },
    breaks: [],
  },
  {
    rule: 'array items changed',
    old: { type: 'array', items: int },
    next: { type: 'array', items: str },
    breaks: ['TYPE_CHANGED #/items'],
  },
  {
    rule: 'array items schema added',
    old: { type: 'array' },
    next: { type: 'array', items: int },
    breaks: ['SCHEMA_ADDED #/items'],
  },
  { rule: 'maxItems removed', old: { type: 'array', maxItems: 3 }, next: { type: 'array' }, breaks: [] },
  {
    rule: 'minItems increased',
    old: { type: 'array', minItems: 1 },
    next: { type: 'array', minItems: 2 },
    breaks: ['MIN_ITEMS_INCREASED #/minItems'],
  },
  {
    rule: 'uniqueItems removed',
    old: { type: 'array', uniqueItems: true },
    next: { type: 'array' },
    breaks: [],
  },
  {
    rule: 'uniqueItems added',
    old: { type: 'array' },
    next: { type: 'array', uniqueItems: true },
    breaks: ['UNIQUE_ITEMS_ADDED #/uniqueItems'],
  },
  // Not.
  { rule: 'not narrowed', old: { not: { type: ['string', 'null'] } }, next: { not: str }, breaks: [] },
  {
    rule: 'not extended',
    old: { not: str },
    next: { not: { type: ['string', 'null'] } },
    breaks: ['NOT_TYPE_EXTENDED #/not'],
  },
];

describe('JSON Schema compatibility', () => {
  for (const { rule, old, next, breaks } of cases) {
    it(`${breaks.length === 0 ? 'allows' : 'refuses'}: ${rule}`, () => {
      const result = check('JSON', 'BACKWARD', [old], next);
      expect(broken(result)).toEqual(breaks);
      expect(result.compatible).toBe(breaks.length === 0);
    });
  }

  it('follows $ref into definitions and through recursion', () => {
    const tree = (leaf: unknown) => ({
      $defs: {
        node: {
          type: 'object',
          properties: { value: leaf, children: { type: 'array', items: { $ref: '#/$defs/node' } } },
        },
      },
      $ref: '#/$defs/node',
    });
    expect(check('JSON', 'BACKWARD', [tree(int)], tree({ type: 'number' })).compatible).toBe(true);
    expect(broken(check('JSON', 'BACKWARD', [tree({ type: 'number' })], tree(int)))).toEqual([
      'TYPE_NARROWED #/properties/value',
    ]);
  });

  it('reports each broken rule with its path and reason, per version and direction', () => {
    const result = check(
      'JSON',
      'FULL',
      [closed({ id: int, name: { type: 'string', maxLength: 10 } })],
      closed({ id: str, name: { type: 'string', maxLength: 20 } }),
    );
    expect(result.messages).toEqual([
      'TYPE_CHANGED at #/properties/id: the new schema cannot read data written with version 1: the type changed, so values of the old type are rejected',
      'TYPE_CHANGED at #/properties/id: version 1 cannot read data written with the new schema: the type changed, so values of the old type are rejected',
      'MAX_LENGTH_DECREASED at #/properties/name/maxLength: version 1 cannot read data written with the new schema: maxLength was lowered',
    ]);
  });
});
