import { foldCase } from './case-fold.js';
import type { Leaf } from './event-leaves.js';
import { ipInRange, ipKey, parseIp } from './ip-address.js';
import type { ValuePattern } from './pattern-types.js';
import { matchesGlob } from './wildcard.js';

/** A compiled test of one leaf value. */
export type ValueTest = (value: Leaf) => boolean;

/**
 * Compiles one value test. Which JSON types each kind accepts follows event-ruler's machine:
 * string operators see only strings, numeric ones only numbers, and anything-but matches every
 * value it does not exclude, values of another type included (so `{ "anything-but": "x" }`
 * matches 5, true and null).
 */
export function compileValueTest(pattern: ValuePattern): ValueTest {
  switch (pattern.kind) {
    case 'string': {
      const expected = pattern.value;
      return (value) => value === expected;
    }
    case 'ip': {
      const expected = pattern.key;
      return (value) => {
        if (typeof value !== 'string') return false;
        const address = parseIp(value);
        return address !== undefined && ipKey(address) === expected;
      };
    }
    case 'number': {
      const expected = pattern.value;
      return (value) => value === expected;
    }
    case 'literal': {
      const expected = pattern.value;
      return (value) => value === expected;
    }
    case 'prefix': {
      const { value: prefix, ignoreCase } = pattern;
      return ignoreCase
        ? (value) => typeof value === 'string' && foldCase(value).startsWith(prefix)
        : (value) => typeof value === 'string' && value.startsWith(prefix);
    }
    case 'suffix': {
      const { value: suffix, ignoreCase } = pattern;
      return ignoreCase
        ? (value) => typeof value === 'string' && foldCase(value).endsWith(suffix)
        : (value) => typeof value === 'string' && value.endsWith(suffix);
    }
    case 'equals-ignore-case': {
      const expected = pattern.value;
      return (value) => typeof value === 'string' && foldCase(value) === expected;
    }
    case 'wildcard': {
      const { glob } = pattern;
      return (value) => typeof value === 'string' && matchesGlob(glob, value);
    }
    case 'range': {
      const { lo, loOpen, hi, hiOpen } = pattern;
      return (value) =>
        typeof value === 'number' &&
        (loOpen ? value > lo : value >= lo) &&
        (hiOpen ? value < hi : value <= hi);
    }
    case 'cidr': {
      const { range } = pattern;
      return (value) => {
        if (typeof value !== 'string') return false;
        const address = parseIp(value);
        return address !== undefined && ipInRange(address, range);
      };
    }
    case 'exists':
      return () => true;
    case 'not-strings': {
      const { values } = pattern;
      return (value) => typeof value !== 'string' || !values.has(value);
    }
    case 'not-numbers': {
      const { values } = pattern;
      return (value) => typeof value !== 'number' || !values.has(value);
    }
    case 'not-prefix': {
      const { values } = pattern;
      return (value) => typeof value !== 'string' || !values.some((prefix) => value.startsWith(prefix));
    }
    case 'not-suffix': {
      const { values } = pattern;
      return (value) => typeof value !== 'string' || !values.some((suffix) => value.endsWith(suffix));
    }
    case 'not-equals-ignore-case': {
      const { values } = pattern;
      return (value) => typeof value !== 'string' || !values.has(foldCase(value));
    }
    case 'not-wildcard': {
      const { globs } = pattern;
      return (value) => typeof value !== 'string' || !globs.some((glob) => matchesGlob(glob, value));
    }
  }
}

/** The test of a field's whole array: any one of its values may match. */
export function compileAnyOf(patterns: readonly ValuePattern[]): ValueTest {
  const tests = patterns.map(compileValueTest);
  if (tests.length === 1) return tests[0]!;
  return (value) => {
    for (const test of tests) if (test(value)) return true;
    return false;
  };
}
