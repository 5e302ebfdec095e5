import { isEddyError } from '@eddy/core';
import { describe, expect, it } from 'vitest';
import { compilePattern, createRuleMatcher, InvalidPatternError, type EventPattern } from '@eddy/rules';

/** What `fn` throws, so a test can assert the error's code. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** [what is wrong, the pattern, the field path the error names, a fragment of its message] */
type Invalid = readonly [string, unknown, string, string];

// Each refusal is one event-ruler's rule compiler makes (JsonRuleCompiler, CIDR, the wildcard
// parser), or a limit EventBridge documents, unless marked as Eddy's.
const invalid: readonly Invalid[] = [
  ['not an object', ['source'], '', 'is a JSON object'],
  ['not JSON', '{"source": ["a"]', '', 'not valid JSON'],
  ['an empty pattern', {}, '', 'empty objects are not allowed'],
  ['an empty nested object', { detail: {} }, 'detail', 'empty objects are not allowed'],
  ['a bare value', { source: 'aws.ec2' }, 'source', 'write ["aws.ec2"]'],
  ['a bare number, nested', { detail: { count: 5 } }, 'detail.count', 'not a bare value'],
  ['an empty array', { detail: { state: [] } }, 'detail.state', 'empty arrays are not allowed'],
  ['an array inside the values', { a: [['x']] }, 'a', 'an array cannot be matched'],
  ['an unknown operator', { a: [{ regex: '^a' }] }, 'a', 'unknown operator "regex"'],
  ['two operators in one object', { a: [{ prefix: 'a', suffix: 'b' }] }, 'a', 'exactly one operator'],
  ['an empty operator object', { a: [{}] }, 'a', 'needs an operator'],
  ['a prefix that is not a string', { a: [{ prefix: 5 }] }, 'a', '"prefix" takes a string, not 5'],
  [
    'a prefix object other than equals-ignore-case',
    { a: [{ prefix: { suffix: 'x' } }] },
    'a',
    '"prefix" takes a string or { "equals-ignore-case"',
  ],
  [
    'a case-insensitive suffix that is not a string',
    { a: [{ suffix: { 'equals-ignore-case': 1 } }] },
    'a',
    '"suffix/equals-ignore-case" takes a string',
  ],
  [
    'equals-ignore-case with a number',
    { a: [{ 'equals-ignore-case': 1 }] },
    'a',
    '"equals-ignore-case" takes a string',
  ],
  ['exactly with a number', { a: [{ exactly: 1 }] }, 'a', '"exactly" takes a string'],
  ['two stars in a row', { a: [{ wildcard: 'a**b' }] }, 'a', 'two consecutive "*"'],
  ['a backslash escaping a letter', { a: [{ wildcard: 'a\\b' }] }, 'a', 'escapes neither'],
  ['a trailing backslash', { a: [{ wildcard: 'a\\' }] }, 'a', 'escapes neither'],
  ['numeric without an array', { a: [{ numeric: '>5' }] }, 'a', '"numeric" takes an array'],
  ['an empty numeric array', { a: [{ numeric: [] }] }, 'a', 'must start with an operator string'],
  ['an unknown numeric operator', { a: [{ numeric: ['!=', 5] }] }, 'a', 'unknown operator "!="'],
  [
    'a numeric bound that is a string',
    { a: [{ numeric: ['>', '5'] }] },
    'a',
    'needs a finite number after ">"',
  ],
  ['a numeric bound that is not finite', { a: [{ numeric: ['<', Infinity] }] }, 'a', 'needs a finite number'],
  ['= with two numbers', { a: [{ numeric: ['=', 1, 2] }] }, 'a', 'with "=" takes exactly one number'],
  ['an upper bound first', { a: [{ numeric: ['<', 10, '>', 0] }] }, 'a', 'starts with its lower bound'],
  ['three elements', { a: [{ numeric: ['>', 0, '<'] }] }, 'a', 'has 3 elements'],
  ['a lower bound as the upper one', { a: [{ numeric: ['>', 0, '>=', 5] }] }, 'a', 'needs "<" or "<="'],
  ['an empty range', { a: [{ numeric: ['>', 5, '<', 5] }] }, 'a', 'not below its upper bound'],
  ['a range of one point', { a: [{ numeric: ['>=', 5, '<=', 5] }] }, 'a', 'not below its upper bound'],
  [
    'a reversed range',
    { a: [{ numeric: ['>', 9, '<', 1] }] },
    'a',
    'lower bound 9 not below its upper bound 1',
  ],
  ['exists with a string', { a: [{ exists: 'true' }] }, 'a', '"exists" takes true or false'],
  ['a CIDR block without a mask', { ip: [{ cidr: '10.0.0.0' }] }, 'ip', 'is not a CIDR block'],
  ['a CIDR mask that is not a number', { ip: [{ cidr: '10.0.0.0/x' }] }, 'ip', 'must be a whole number'],
  ['an IPv4 mask of 32 bits', { ip: [{ cidr: '10.0.0.1/32' }] }, 'ip', 'IPv4 mask bits must be below 32'],
  ['an IPv6 mask of 128 bits', { ip: [{ cidr: '::1/128' }] }, 'ip', 'IPv6 mask bits must be below 128'],
  [
    'a CIDR block of a host name',
    { ip: [{ cidr: 'example.com/8' }] },
    'ip',
    'is not an IPv4 or IPv6 address',
  ],
  ['an octet above 255', { ip: [{ cidr: '10.0.0.256/24' }] }, 'ip', 'is not an IPv4 or IPv6 address'],
  ['anything-but an empty list', { a: [{ 'anything-but': [] }] }, 'a', 'needs at least one value'],
  [
    'anything-but strings and numbers mixed',
    { a: [{ 'anything-but': ['a', 1] }] },
    'a',
    'only strings or only finite numbers',
  ],
  ['anything-but null', { a: [{ 'anything-but': [null] }] }, 'a', 'only strings or only finite numbers'],
  ['anything-but a boolean', { a: [{ 'anything-but': true }] }, 'a', '"anything-but" takes a string'],
  [
    'anything-but an empty prefix',
    { a: [{ 'anything-but': { prefix: '' } }] },
    'a',
    'prefix cannot be empty',
  ],
  [
    'anything-but an empty suffix',
    { a: [{ 'anything-but': { suffix: ['x', ''] } }] },
    'a',
    'suffix cannot be empty',
  ],
  [
    'anything-but an unknown operator',
    { a: [{ 'anything-but': { numeric: ['>', 1] } }] },
    'a',
    'found "numeric"',
  ],
  [
    'anything-but two operators',
    { a: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] },
    'a',
    'found "prefix", "suffix"',
  ],
  [
    'anything-but a numeric prefix',
    { a: [{ 'anything-but': { prefix: 5 } }] },
    'a',
    'takes a string or a non-empty list of strings',
  ],
  [
    'anything-but an empty wildcard list (Eddy)',
    { a: [{ 'anything-but': { wildcard: [] } }] },
    'a',
    'non-empty list of strings',
  ],
  [
    'anything-but an invalid wildcard',
    { a: [{ 'anything-but': { wildcard: '**' } }] },
    'a',
    'two consecutive "*"',
  ],
  ['$or with one branch', { $or: [{ a: ['x'] }] }, '$or', 'needs at least two objects, found 1'],
  [
    'an operator name as a field inside $or',
    { $or: [{ prefix: ['a'] }, { b: ['x'] }] },
    '$or[0].prefix',
    'operator name',
  ],
  [
    'an invalid field inside $or',
    { a: { $or: [{ b: ['x'] }, { c: [] }] } },
    'a.$or[1].c',
    'empty arrays are not allowed',
  ],
];

describe('invalid patterns', () => {
  it.each(invalid)('refuses %s', (_what, pattern, path, fragment) => {
    let thrown: unknown;
    try {
      compilePattern(pattern as EventPattern);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidPatternError);
    expect(isEddyError(thrown, 'EDDY_INVALID_PATTERN')).toBe(true);
    const error = thrown as InvalidPatternError;
    expect(error.path).toBe(path);
    expect(error.message).toContain(fragment);
    expect(error.message).toContain(path === '' ? 'at the top level' : `at "${path}"`);
    expect(error.retriable).toBe(false);
  });

  it('refuses $or combinations past the 1000 EventBridge allows', () => {
    const pattern: Record<string, EventPattern> = {};
    for (let i = 0; i < 10; i++) pattern[`f${i}`] = { $or: [{ a: ['x'] }, { b: ['y'] }] };
    expect(() => compilePattern(pattern as EventPattern)).toThrow(/more than 1000 alternatives/);
    delete pattern.f9;
    expect(() => compilePattern(pattern as EventPattern)).not.toThrow();
  });

  it('refuses an alternative testing more than 256 fields', () => {
    const fields = (count: number): EventPattern =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, ['x']]));
    expect(() => compilePattern(fields(257))).toThrow(/tests 257 fields; at most 256/);
    expect(() => compilePattern(fields(256))).not.toThrow();
  });

  it('reads $or as a field name where event-ruler does: an object, or values that are no branches', () => {
    expect(compilePattern({ $or: { a: ['x'] } }).matches({ $or: { a: 'x' } })).toBe(true);
    expect(compilePattern({ $or: ['a', 'b'] as unknown as EventPattern[] }).matches({ $or: 'b' })).toBe(true);
    expect(compilePattern({ $or: [{ prefix: 'a' }, { numeric: ['>', 1] }] }).matches({ $or: 2 })).toBe(true);
  });

  it('adds nothing to a rule matcher when the pattern is invalid', () => {
    const matcher = createRuleMatcher();
    expect(thrown(() => matcher.add('broken', { a: [{ numeric: ['>', 5, '<', 1] }] }))).toMatchObject({
      code: 'EDDY_INVALID_PATTERN',
    });
    expect(matcher.has('broken')).toBe(false);
    expect(matcher.size).toBe(0);
  });
});
