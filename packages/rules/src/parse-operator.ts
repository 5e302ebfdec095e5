import { foldCase } from './case-fold.js';
import { InvalidPatternError } from './errors.js';
import { ipKey, parseCidr, parseIp } from './ip-address.js';
import type { ValuePattern } from './pattern-types.js';
import { parseGlob, type Glob } from './wildcard.js';

/** What `{ "exists": false }` compiles to: a property of the field, not a value test. */
export const ABSENT = Symbol('absent');

/** The operators a field's array may hold, as event-ruler accepts them. */
export const OPERATORS: readonly string[] = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
  'exactly',
];

const ANYTHING_BUT_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;

export function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

/** One element of a field's array: a value to equal, or an operator object. */
export function parseFieldValue(value: unknown, path: string): ValuePattern | typeof ABSENT {
  if (typeof value === 'string') {
    // event-ruler compares a bare string that is an IP address as an address, so "::1" also
    // matches "0:0:0:0:0:0:0:1"; any other string is compared character by character.
    const address = parseIp(value);
    return address === undefined ? { kind: 'string', value } : { kind: 'ip', value, key: ipKey(address) };
  }
  if (isFiniteNumber(value)) return { kind: 'number', value };
  if (typeof value === 'boolean' || value === null) return { kind: 'literal', value };
  if (isObject(value)) return parseMatchExpression(value, path);
  throw new InvalidPatternError(
    path,
    `${describe(value)} cannot be matched; array elements are strings, finite numbers, true, false, null or operator objects such as { "prefix": "us-" }`,
  );
}

function parseMatchExpression(
  expression: Readonly<Record<string, unknown>>,
  path: string,
): ValuePattern | typeof ABSENT {
  const keys = Object.keys(expression);
  if (keys.length !== 1) {
    throw new InvalidPatternError(
      path,
      keys.length === 0
        ? 'an operator object needs an operator, e.g. { "prefix": "us-" }'
        : `an operator object holds exactly one operator, found ${keys.map((key) => `"${key}"`).join(', ')}; put each in its own object`,
    );
  }
  const operator = keys[0]!;
  const operand = expression[operator];
  switch (operator) {
    case 'exactly':
      return { kind: 'string', value: stringOperand(operand, path, operator) };
    case 'prefix':
    case 'suffix': {
      if (isObject(operand)) {
        const folded = foldCase(ignoreCaseOperand(operand, path, operator));
        return { kind: operator, value: folded, ignoreCase: true };
      }
      return { kind: operator, value: stringOperand(operand, path, operator), ignoreCase: false };
    }
    case 'equals-ignore-case':
      return { kind: 'equals-ignore-case', value: foldCase(stringOperand(operand, path, operator)) };
    case 'wildcard': {
      const source = stringOperand(operand, path, operator);
      return { kind: 'wildcard', value: source, glob: glob(source, path) };
    }
    case 'numeric':
      return parseNumeric(operand, path);
    case 'anything-but':
      return parseAnythingBut(operand, path);
    case 'exists':
      if (typeof operand !== 'boolean') {
        throw new InvalidPatternError(path, `"exists" takes true or false, not ${describe(operand)}`);
      }
      return operand ? { kind: 'exists' } : ABSENT;
    case 'cidr': {
      const source = stringOperand(operand, path, operator);
      const range = parseCidr(source);
      if (typeof range === 'string') throw new InvalidPatternError(path, range);
      return { kind: 'cidr', value: source, range };
    }
    default:
      throw new InvalidPatternError(
        path,
        `unknown operator "${operator}"; the operators are ${OPERATORS.map((name) => `"${name}"`).join(', ')}`,
      );
  }
}

function stringOperand(operand: unknown, path: string, operator: string): string {
  if (typeof operand === 'string') return operand;
  throw new InvalidPatternError(path, `"${operator}" takes a string, not ${describe(operand)}`);
}

/** `{ "equals-ignore-case": "..." }`, the only object `prefix` and `suffix` accept. */
function ignoreCaseOperand(
  operand: Readonly<Record<string, unknown>>,
  path: string,
  operator: string,
): string {
  const keys = Object.keys(operand);
  if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
    throw new InvalidPatternError(
      path,
      `"${operator}" takes a string or { "equals-ignore-case": "..." }, not an object with ${keys.length === 0 ? 'no keys' : keys.map((key) => `"${key}"`).join(', ')}`,
    );
  }
  return stringOperand(operand['equals-ignore-case'], path, `${operator}/equals-ignore-case`);
}

function glob(source: string, path: string): Glob {
  const parsed = parseGlob(source);
  if (typeof parsed === 'string')
    throw new InvalidPatternError(path, `wildcard "${source}" is invalid: ${parsed}`);
  return parsed;
}

function parseNumeric(operand: unknown, path: string): ValuePattern {
  const example = 'e.g. [">", 0, "<=", 5], ["<", 10] or ["=", 3.018e2]';
  if (!Array.isArray(operand)) {
    throw new InvalidPatternError(path, `"numeric" takes an array, ${example}`);
  }
  const items: readonly unknown[] = operand;
  const fail = (reason: string): never => {
    throw new InvalidPatternError(path, `"numeric" ${reason}; write ${example}`);
  };
  const [first, firstValue] = items;
  if (typeof first !== 'string') return fail(`must start with an operator string, not ${describe(first)}`);
  if (!['=', '<', '<=', '>', '>='].includes(first)) {
    return fail(`has an unknown operator "${first}" (the operators are =, <, <=, >, >=)`);
  }
  if (!isFiniteNumber(firstValue)) {
    return fail(`needs a finite number after "${first}", not ${describe(firstValue)}`);
  }
  if (first === '=' || first === '<' || first === '<=') {
    if (items.length !== 2) {
      return fail(
        first === '='
          ? 'with "=" takes exactly one number'
          : `with "${first}" takes one number; a range starts with its lower bound (">" or ">=")`,
      );
    }
    if (first === '=') return { kind: 'number', value: firstValue };
    return { kind: 'range', lo: -Infinity, loOpen: false, hi: firstValue, hiOpen: first === '<' };
  }
  if (items.length === 2)
    return { kind: 'range', lo: firstValue, loOpen: first === '>', hi: Infinity, hiOpen: false };
  if (items.length !== 4)
    return fail(`has ${items.length} elements; a range has an operator and a number on each side`);
  const [, , second, secondValue] = items;
  if (second !== '<' && second !== '<=')
    return fail(`needs "<" or "<=" as its upper bound, not ${describe(second)}`);
  if (!isFiniteNumber(secondValue))
    return fail(`needs a finite number after "${second}", not ${describe(secondValue)}`);
  if (!(firstValue < secondValue)) {
    return fail(`range has its lower bound ${firstValue} not below its upper bound ${secondValue}`);
  }
  return { kind: 'range', lo: firstValue, loOpen: first === '>', hi: secondValue, hiOpen: second === '<' };
}

function parseAnythingBut(operand: unknown, path: string): ValuePattern {
  if (typeof operand === 'string') return { kind: 'not-strings', values: new Set([operand]) };
  if (isFiniteNumber(operand)) return { kind: 'not-numbers', values: new Set([operand]) };
  if (Array.isArray(operand)) {
    const items: readonly unknown[] = operand;
    if (items.length === 0) throw new InvalidPatternError(path, '"anything-but" needs at least one value');
    if (items.every((item) => typeof item === 'string')) {
      return { kind: 'not-strings', values: new Set(items) };
    }
    if (items.every(isFiniteNumber)) return { kind: 'not-numbers', values: new Set(items) };
    throw new InvalidPatternError(
      path,
      '"anything-but" takes a list of only strings or only finite numbers (no mixing, no true, false, null or objects)',
    );
  }
  if (isObject(operand)) {
    const keys = Object.keys(operand);
    const operator = keys[0];
    const known = ANYTHING_BUT_OPERATORS.find((name) => name === operator);
    if (keys.length !== 1 || known === undefined) {
      throw new InvalidPatternError(
        path,
        `"anything-but" takes one of ${ANYTHING_BUT_OPERATORS.map((name) => `"${name}"`).join(', ')} in an object, found ${keys.length === 0 ? 'an empty object' : keys.map((key) => `"${key}"`).join(', ')}`,
      );
    }
    const values = anythingButStrings(operand[known], path, known);
    switch (known) {
      case 'prefix':
      case 'suffix':
        if (values.includes('')) {
          throw new InvalidPatternError(
            path,
            `"anything-but" ${known} cannot be empty: it would exclude every string`,
          );
        }
        return { kind: known === 'prefix' ? 'not-prefix' : 'not-suffix', values };
      case 'equals-ignore-case':
        return { kind: 'not-equals-ignore-case', values: new Set(values.map(foldCase)) };
      case 'wildcard':
        return { kind: 'not-wildcard', values, globs: values.map((value) => glob(value, path)) };
    }
  }
  throw new InvalidPatternError(
    path,
    `"anything-but" takes a string, a finite number, a list of either, or an object such as { "prefix": "init" }; not ${describe(operand)}`,
  );
}

function anythingButStrings(operand: unknown, path: string, operator: string): string[] {
  if (typeof operand === 'string') return [operand];
  if (Array.isArray(operand) && operand.length > 0 && operand.every((item) => typeof item === 'string')) {
    return operand;
  }
  throw new InvalidPatternError(
    path,
    `"anything-but" ${operator} takes a string or a non-empty list of strings, not ${describe(operand)}`,
  );
}
