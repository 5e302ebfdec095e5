import { InvalidPatternError } from './errors.js';
import { orderFields } from './field-order.js';
import { ABSENT, isObject, parseFieldValue } from './parse-operator.js';
import { patternKey } from './pattern-key.js';
import type { Branch, EventPattern, FieldTest, ValuePattern } from './pattern-types.js';

/** EventBridge refuses a pattern whose `$or`s multiply out to more alternatives than this. */
export const MAX_BRANCHES = 1000;
/** event-ruler refuses an alternative that tests more fields than this. */
export const MAX_FIELDS = 256;

/**
 * Field names event-ruler refuses inside `$or`, so that a misplaced operator (`{ "$or": [{
 * "prefix": "a" }, ...] }`) is not read as a field called "prefix".
 */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

interface Draft {
  readonly path: readonly string[];
  readonly absent: boolean;
  readonly patterns: readonly ValuePattern[];
}

/** The alternatives being built: each maps a field (its path as JSON) to its test. */
type Alternatives = Map<string, Draft>[];

class OrProblem extends InvalidPatternError {}

/**
 * Parses and checks a pattern (object or JSON text) into its alternatives, each with its fields
 * in evaluation order. Every problem is an `InvalidPatternError` naming the field.
 *
 * Like event-ruler, `$or` forks every alternative built so far, and a field given twice in one
 * alternative keeps the last value given (EventBridge documents this for repeated keys). When the
 * value of `$or` is not an array of at least two objects free of operator names, event-ruler
 * falls back to reading `$or` as an ordinary field name, and so does Eddy.
 */
export function parsePattern(pattern: EventPattern | string): Branch[] {
  const root = typeof pattern === 'string' ? parseJson(pattern) : (pattern as unknown);
  let alternatives: Alternatives;
  try {
    alternatives = parseTop(root, true);
  } catch (error) {
    if (!(error instanceof OrProblem)) throw error;
    try {
      alternatives = parseTop(root, false);
    } catch {
      throw new InvalidPatternError(error.path, error.reason);
    }
  }
  return alternatives.map((alternative) => {
    const fields = [...alternative.values()].map((draft): FieldTest => ({
      ...draft,
      dotted: draft.path.join('.'),
    }));
    return { fields: orderFields(fields) };
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidPatternError('', `the pattern is not valid JSON (${reason})`);
  }
}

function parseTop(root: unknown, orIsOperator: boolean): Alternatives {
  if (!isObject(root)) {
    throw new InvalidPatternError('', 'an event pattern is a JSON object, e.g. { "source": ["my.app"] }');
  }
  const state = { alternatives: [new Map()] as Alternatives, orIsOperator };
  parseObject(state, root, [], '', false);
  for (const alternative of state.alternatives) {
    if (alternative.size > MAX_FIELDS) {
      throw new InvalidPatternError(
        '',
        `one alternative tests ${alternative.size} fields; at most ${MAX_FIELDS} are allowed`,
      );
    }
  }
  return state.alternatives;
}

interface ParseState {
  alternatives: Alternatives;
  readonly orIsOperator: boolean;
}

function join(display: string, name: string): string {
  return display === '' ? name : `${display}.${name}`;
}

function parseObject(
  state: ParseState,
  object: Readonly<Record<string, unknown>>,
  path: readonly string[],
  display: string,
  insideOr: boolean,
): void {
  const names = Object.keys(object);
  if (names.length === 0) {
    throw new InvalidPatternError(
      display,
      'empty objects are not allowed; remove the field or give it values to match',
    );
  }
  for (const name of names) {
    const value = object[name];
    const at = join(display, name);
    if (name === '$or' && state.orIsOperator) {
      parseOr(state, value, path, at);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(name)) {
      throw new OrProblem(
        at,
        `"${name}" is an operator name and cannot be a field inside "$or"; operators go in a field's array, e.g. { "state": [{ "${name}": ... }] }`,
      );
    }
    if (Array.isArray(value)) writeField(state, value, [...path, name], at);
    else if (isObject(value)) parseObject(state, value, [...path, name], at, insideOr);
    else {
      throw new InvalidPatternError(
        at,
        `a field holds an array of values or a nested object, not a bare value; write [${JSON.stringify(value) ?? String(value)}] to match it`,
      );
    }
  }
}

function parseOr(state: ParseState, value: unknown, path: readonly string[], at: string): void {
  if (!Array.isArray(value)) {
    throw new OrProblem(
      at,
      '"$or" takes an array of at least two objects, e.g. [{ "a": ["x"] }, { "b": ["y"] }]',
    );
  }
  const branches: readonly unknown[] = value;
  if (branches.length < 2) {
    throw new OrProblem(at, `"$or" needs at least two objects, found ${branches.length}`);
  }
  const before = state.alternatives;
  const after: Alternatives = [];
  branches.forEach((branch, index) => {
    const branchAt = `${at}[${index}]`;
    if (!isObject(branch)) throw new OrProblem(branchAt, 'each element of "$or" is an object of fields');
    state.alternatives = before.map((alternative) => new Map(alternative));
    parseObject(state, branch, path, branchAt, true);
    after.push(...state.alternatives);
    if (after.length > MAX_BRANCHES) {
      throw new InvalidPatternError(
        at,
        `the "$or"s of this pattern combine into more than ${MAX_BRANCHES} alternatives; split it into several rules`,
      );
    }
  });
  state.alternatives = after;
}

function writeField(
  state: ParseState,
  values: readonly unknown[],
  path: readonly string[],
  at: string,
): void {
  if (values.length === 0) {
    throw new InvalidPatternError(
      at,
      'empty arrays are not allowed; give at least one value, e.g. ["running"]',
    );
  }
  let absent = false;
  const patterns = new Map<string, ValuePattern>();
  for (const value of values) {
    const parsed = parseFieldValue(value, at);
    if (parsed === ABSENT) absent = true;
    else patterns.set(patternKey(parsed), parsed);
  }
  const draft: Draft = { path, absent, patterns: [...patterns.values()] };
  const key = JSON.stringify(path);
  for (const alternative of state.alternatives) alternative.set(key, draft);
}
