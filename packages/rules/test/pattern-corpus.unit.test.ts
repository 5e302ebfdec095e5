import { describe, expect, it } from 'vitest';
import { compilePattern, createRuleMatcher, matchesPattern } from '@eddy/rules';
import type { CorpusCase } from './corpus/corpus-case.js';
import { otherOperatorCases } from './corpus/other-operators.js';
import { stringOperatorCases } from './corpus/string-operators.js';
import { structureCases } from './corpus/structure.js';

const corpus: readonly (readonly [string, readonly CorpusCase[]])[] = [
  ['exact values and string operators', stringOperatorCases],
  ['anything-but, numeric, cidr and exists', otherOperatorCases],
  ['fields, $or and arrays', structureCases],
];

describe.each(corpus)('pattern corpus: %s', (_, cases) => {
  it.each(cases.map((c) => [`${c.name} (${c.from})`, c] as const))('%s', (_name, c) => {
    expect(c.matches.length + c.misses.length).toBeGreaterThan(0);
    const compiled = compilePattern(c.pattern);
    for (const event of c.matches)
      expect({ event, matches: compiled.matches(event) }).toEqual({ event, matches: true });
    for (const event of c.misses)
      expect({ event, matches: compiled.matches(event) }).toEqual({ event, matches: false });
  });

  it('gives the same answers through createRuleMatcher, all rules at once', () => {
    const matcher = createRuleMatcher();
    cases.forEach((c, i) => matcher.add(`case-${i}`, c.pattern));
    cases.forEach((c, i) => {
      for (const event of c.matches) expect(matcher.match(event)).toContain(`case-${i}`);
      for (const event of c.misses) expect(matcher.match(event)).not.toContain(`case-${i}`);
    });
  });
});

describe('matchesPattern', () => {
  it('takes a pattern as an object or as JSON text', () => {
    expect(matchesPattern({ source: ['a'] }, { source: 'a' })).toBe(true);
    expect(matchesPattern('{"source":["a"]}', { source: 'a' })).toBe(true);
    expect(matchesPattern('{"source":["a"]}', { source: 'b' })).toBe(false);
  });

  it('ignores values that are not JSON (undefined, functions, bigints, bytes)', () => {
    const pattern = { a: [{ exists: false }] };
    expect(matchesPattern(pattern, { a: undefined })).toBe(true);
    expect(matchesPattern(pattern, { a: () => 1 })).toBe(true);
    expect(matchesPattern(pattern, { a: 1n })).toBe(true);
    expect(matchesPattern({ a: { 0: [1] } }, { a: new Uint8Array([1]) })).toBe(false);
    expect(matchesPattern(pattern, { a: Number.NaN })).toBe(true);
  });
});
