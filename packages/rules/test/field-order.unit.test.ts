import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, type EventPattern } from '@eddy/rules';
import {
  collectLeaves,
  fits,
  withElement,
  type ArrayElement,
  type Constraints,
  type Leaf,
} from '../src/event-leaves.js';
import { parsePattern } from '../src/parse-pattern.js';
import type { FieldTest } from '../src/pattern-types.js';
import { compileAnyOf } from '../src/value-test.js';
import { arrayEvent, arrayPattern, event, pattern } from './arbitraries.js';

/**
 * event-ruler's own order: every field of a branch by dotted name, `exists: false` checked
 * against the leaves chosen for the fields before it. Eddy evaluates fields in another order
 * (orderFields); this reference says that the order changes nothing.
 */
function matchesInNameOrder(p: EventPattern, e: object): boolean {
  return parsePattern(p).some((branch) => {
    const fields = [...branch.fields].sort((a, b) =>
      a.dotted !== b.dotted
        ? a.dotted < b.dotted
          ? -1
          : 1
        : JSON.stringify(a.path) < JSON.stringify(b.path)
          ? -1
          : 1,
    );
    return tryFrom(fields, 0, e, null);
  });
}

function tryFrom(
  fields: readonly FieldTest[],
  index: number,
  e: object,
  constraints: Constraints | null,
): boolean {
  if (index === fields.length) return true;
  const field = fields[index]!;
  const test = compileAnyOf(field.patterns);
  const values: Leaf[] = [];
  const elements: (ArrayElement | null)[] = [];
  collectLeaves(e, field.path, 0, null, values, elements);
  let anyFits = false;
  for (let i = 0; i < values.length; i++) {
    if (!fits(constraints, elements[i]!)) continue;
    anyFits = true;
    if (test(values[i]!) && tryFrom(fields, index + 1, e, withElement(constraints, elements[i]!)))
      return true;
  }
  return field.absent && !anyFits && tryFrom(fields, index + 1, e, constraints);
}

describe('the order Eddy evaluates fields in', () => {
  it("gives event-ruler's results, where exists: false meets arrays of objects", () => {
    fc.assert(
      fc.property(arrayPattern, fc.array(arrayEvent, { minLength: 1, maxLength: 10 }), (p, events) => {
        const compiled = compilePattern(p);
        for (const e of events) expect(compiled.matches(e)).toBe(matchesInNameOrder(p as EventPattern, e));
      }),
      { numRuns: 1000 },
    );
  });

  it("gives event-ruler's results on random patterns and events", () => {
    fc.assert(
      fc.property(pattern, fc.array(event, { minLength: 1, maxLength: 10 }), (p, events) => {
        const compiled = compilePattern(p as EventPattern);
        for (const e of events) expect(compiled.matches(e)).toBe(matchesInNameOrder(p as EventPattern, e));
      }),
      { numRuns: 500 },
    );
  });
});
