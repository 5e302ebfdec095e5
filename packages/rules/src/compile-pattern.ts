import {
  collectLeaves,
  fits,
  isInheritedName,
  isLeaf,
  ownValue,
  withElement,
  type ArrayElement,
  type Constraints,
  type Leaf,
} from './event-leaves.js';
import { parsePattern } from './parse-pattern.js';
import type { Branch, EventPattern, FieldTest } from './pattern-types.js';
import { compileAnyOf, type ValueTest } from './value-test.js';

/** A checked pattern, ready to test any number of events. */
export interface CompiledPattern {
  /**
   * True when `event` matches. The event is the JSON form an EventBridge pattern sees: for a
   * CloudEvent, `eventView(cloudEvent)` (attributes at the top level, `data` as an object).
   */
  matches(event: object): boolean;
}

interface CompiledField {
  readonly field: FieldTest;
  readonly test: ValueTest;
  /** Path steps read with an own-property check (names every object inherits). */
  readonly guarded: readonly boolean[];
}

/** Marks a field whose path crosses an array or ends on an object: the general walk decides. */
const COMPLEX = Symbol('complex');

/**
 * Checks `pattern` once and returns a matcher for it. Throws `InvalidPatternError`
 * (`EDDY_INVALID_PATTERN`) with the field and the reason when the pattern is not valid.
 */
export function compilePattern(pattern: EventPattern | string): CompiledPattern {
  const branches = parsePattern(pattern).map((branch: Branch) =>
    branch.fields.map((field): CompiledField => ({
      field,
      test: compileAnyOf(field.patterns),
      guarded: field.path.map(isInheritedName),
    })),
  );
  return {
    matches(event: object): boolean {
      for (const fields of branches) if (matchFrom(fields, 0, event, null)) return true;
      return false;
    },
  };
}

/**
 * True when `event` matches `pattern`. Compiles the pattern on every call: compile it once with
 * `compilePattern` to test many events, or use `createRuleMatcher` for many patterns.
 */
export function matchesPattern(pattern: EventPattern | string, event: object): boolean {
  return compilePattern(pattern).matches(event);
}

/**
 * The value at a field when the way there crosses no array: a leaf, `undefined` when there is
 * none, or COMPLEX. Most events take this path, which allocates nothing.
 */
function simpleValue(event: object, compiled: CompiledField): Leaf | undefined | typeof COMPLEX {
  const { path } = compiled.field;
  let value: unknown = event;
  for (let i = 0; i < path.length; i++) {
    if (typeof value !== 'object' || value === null) return undefined;
    if (Array.isArray(value)) return COMPLEX;
    if (ArrayBuffer.isView(value)) return undefined;
    value = compiled.guarded[i]
      ? ownValue(value, path[i]!)
      : (value as Readonly<Record<string, unknown>>)[path[i]!];
  }
  if (isLeaf(value)) return value;
  return Array.isArray(value) ? COMPLEX : undefined;
}

/**
 * Tries fields `index..` in order, under the array elements of the leaves already chosen:
 * every combination of leaves is tried until one matches, and `exists: false` holds when no
 * leaf of its field fits the elements chosen so far (event-ruler's rule).
 */
function matchFrom(
  fields: readonly CompiledField[],
  index: number,
  event: object,
  constraints: Constraints | null,
): boolean {
  if (index === fields.length) return true;
  const compiled = fields[index]!;
  const value = simpleValue(event, compiled);
  if (value !== COMPLEX) {
    if (value === undefined) return compiled.field.absent && matchFrom(fields, index + 1, event, constraints);
    if (compiled.test(value) && matchFrom(fields, index + 1, event, constraints)) return true;
    return false;
  }
  const values: Leaf[] = [];
  const elements: (ArrayElement | null)[] = [];
  collectLeaves(event, compiled.field.path, 0, null, values, elements);
  let anyFits = false;
  for (let i = 0; i < values.length; i++) {
    const element = elements[i]!;
    if (!fits(constraints, element)) continue;
    anyFits = true;
    if (compiled.test(values[i]!) && matchFrom(fields, index + 1, event, withElement(constraints, element))) {
      return true;
    }
  }
  return compiled.field.absent && !anyFits && matchFrom(fields, index + 1, event, constraints);
}
