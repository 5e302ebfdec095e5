import fc from 'fast-check';

/** Random events and patterns for the property tests of both matchers. */

// Few names and few values, so that random patterns and random events meet often: the property
// is only worth something when many rules match and many almost do.
const names = ['a', 'b', 'c', 'd'] as const;
const strings = [
  '',
  'a',
  'ab',
  'abc',
  'AB',
  'b',
  'ba',
  'x*y',
  '10.0.0.1',
  '10.0.1.7',
  '::1',
  '0:0::1',
  'ß',
  'SS',
];
const numbers = [0, -0, 1, 1.5, 2, 5, 100, -3, 1e9];

// Values that are not JSON (which both matchers must ignore alike) come up now and then too.
const leaf = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...strings) },
  { weight: 8, arbitrary: fc.constantFrom(...numbers) },
  { weight: 2, arbitrary: fc.constantFrom(true, false, null) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, Number.NaN, Infinity, 7n, new Uint8Array([1])) },
);

const { json: eventValue } = fc.letrec<{ json: unknown; object: Record<string, unknown> }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: leaf },
    { weight: 2, arbitrary: fc.array(tie('json'), { maxLength: 3 }) },
    { weight: 3, arbitrary: tie('object') },
  ),
  object: fc.dictionary(fc.constantFrom(...names), tie('json'), { maxKeys: 4 }),
}));

export const event = fc.dictionary(fc.constantFrom(...names), eventValue, { minKeys: 1, maxKeys: 4 });

const text = fc.constantFrom('', 'a', 'ab', 'b', 'A', 'B', '0', '1');
const nonEmptyText = fc.constantFrom('a', 'ab', 'b', 'A', '1', '.');
const wildcard = fc
  .array(fc.constantFrom('a', 'b', 'A', '*', '.'), { maxLength: 4 })
  .map((chars) => chars.join('').replace(/\*+/g, '*'));
const bound = fc.constantFrom(-3, 0, 1, 1.5, 2, 5, 100);

const range = fc
  .tuple(fc.constantFrom('>', '>=', '<', '<=', '=', 'between'), bound, bound, fc.boolean(), fc.boolean())
  .filter(([op, lo, hi]) => op !== 'between' || lo < hi)
  .map(([op, lo, hi, loOpen, hiOpen]) =>
    op === 'between' ? [loOpen ? '>' : '>=', lo, hiOpen ? '<' : '<=', hi] : [op, lo],
  );

const operand = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...strings) },
  { weight: 3, arbitrary: fc.constantFrom(...numbers) },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
  { weight: 2, arbitrary: text.map((prefix) => ({ prefix })) },
  { weight: 2, arbitrary: text.map((suffix) => ({ suffix })) },
  { weight: 1, arbitrary: text.map((value) => ({ prefix: { 'equals-ignore-case': value } })) },
  { weight: 1, arbitrary: text.map((value) => ({ suffix: { 'equals-ignore-case': value } })) },
  { weight: 2, arbitrary: text.map((value) => ({ 'equals-ignore-case': value })) },
  { weight: 2, arbitrary: wildcard.map((value) => ({ wildcard: value })) },
  { weight: 3, arbitrary: range.map((numeric) => ({ numeric })) },
  { weight: 2, arbitrary: fc.boolean().map((exists) => ({ exists })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('10.0.0.0/24', '10.0.0.0/16', '::/0', '::/127').map((cidr) => ({ cidr })),
  },
  { weight: 1, arbitrary: text.map((value) => ({ 'anything-but': value })) },
  { weight: 1, arbitrary: fc.constantFrom(...numbers).map((value) => ({ 'anything-but': value })) },
  {
    weight: 1,
    arbitrary: fc
      .uniqueArray(text, { minLength: 1, maxLength: 3 })
      .map((values) => ({ 'anything-but': values })),
  },
  { weight: 1, arbitrary: nonEmptyText.map((prefix) => ({ 'anything-but': { prefix } })) },
  { weight: 1, arbitrary: nonEmptyText.map((suffix) => ({ 'anything-but': { suffix } })) },
  { weight: 1, arbitrary: text.map((value) => ({ 'anything-but': { 'equals-ignore-case': [value, 'b'] } })) },
  { weight: 1, arbitrary: wildcard.map((value) => ({ 'anything-but': { wildcard: value } })) },
);

const values = fc.array(operand, { minLength: 1, maxLength: 3 });

/** Patterns nested at most `depth` levels (objects and `$or` both count), so `$or`s stay small. */
function patternOf(depth: number): fc.Arbitrary<Record<string, unknown>> {
  const node =
    depth === 0
      ? values
      : fc.oneof({ weight: 3, arbitrary: values }, { weight: 1, arbitrary: patternOf(depth - 1) });
  const fields = fc.dictionary(fc.constantFrom(...names), node, { minKeys: 1, maxKeys: 3 });
  if (depth === 0) return fields;
  return fc
    .tuple(fields, fc.option(fc.array(patternOf(depth - 1), { minLength: 2, maxLength: 3 }), { freq: 3 }))
    .map(([own, or]) => (or === null ? own : { ...own, $or: or }));
}

export const pattern = patternOf(2);

// Arrays of objects, where array consistency decides: two fields of one branch may only match
// leaves of the same element, and `exists: false` looks only at elements that fit.
const small = fc.constantFrom('a', 'b', 1, 2, null);
const element = fc.record(
  {
    b: fc.oneof(small, fc.array(small, { maxLength: 2 })),
    c: small,
    d: fc.oneof(
      fc.record({ e: small }, { requiredKeys: [] }),
      fc.array(fc.record({ e: small }), { maxLength: 2 }),
    ),
  },
  { requiredKeys: [] },
);
export const arrayEvent = fc.record(
  {
    a: fc.oneof(
      fc.array(element, { maxLength: 3 }),
      fc.array(fc.array(element, { maxLength: 2 }), { maxLength: 2 }),
    ),
    c: fc.oneof(small, fc.array(fc.record({ x: small }, { requiredKeys: [] }), { maxLength: 2 })),
    e: fc.oneof(fc.record({ x: small }), fc.array(fc.record({ x: small }), { maxLength: 2 })),
  },
  { requiredKeys: ['a'] },
);
const smallOperand = fc.oneof(
  small,
  fc.boolean().map((exists) => ({ exists })),
  small.map((value) => ({ 'anything-but': typeof value === 'number' ? value : String(value) })),
);
const smallValues = fc.array(smallOperand, { minLength: 1, maxLength: 2 });
export const arrayPattern = fc
  .record(
    {
      b: smallValues,
      c: smallValues,
      d: fc.record({ e: smallValues }),
      $or: fc.tuple(fc.record({ b: smallValues }), fc.record({ d: fc.record({ e: smallValues }) })),
    },
    { requiredKeys: [] },
  )
  .filter((fields) => Object.keys(fields).length > 0)
  .chain((fields) =>
    // Fields outside the array too, so that exists: false meets fields of other top-level names.
    fc
      .record({ c: smallValues, e: fc.record({ x: smallValues }) }, { requiredKeys: [] })
      .map((top) => ({ a: fields, ...top })),
  );
