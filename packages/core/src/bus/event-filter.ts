import { InvalidFilterError } from '../errors/errors.js';
import type { BusEvent } from './handler-types.js';

/**
 * A filter in the CloudEvents Subscriptions API dialects: `exact`, `prefix` and `suffix` compare one
 * attribute's string value (case-sensitive; an absent attribute never matches), `all` and `any`
 * combine a non-empty list, `not` negates. Attribute names are the CloudEvents ones (`type`,
 * `source`, `subject`, extensions such as `partitionkey`), lower-case.
 */
export type CloudEventsFilter =
  | { readonly exact: Readonly<Record<string, string>> }
  | { readonly prefix: Readonly<Record<string, string>> }
  | { readonly suffix: Readonly<Record<string, string>> }
  | { readonly all: readonly CloudEventsFilter[] }
  | { readonly any: readonly CloudEventsFilter[] }
  | { readonly not: CloudEventsFilter };

/**
 * What a handler may filter with: a CloudEvents Subscriptions API filter, or a predicate (for
 * example `(event) => matchesPattern(pattern, event)` with an EventBridge pattern from
 * `@eddy/rules`). Events a filter drops are acknowledged, never redelivered, and counted.
 */
export type EventFilter = CloudEventsFilter | ((event: BusEvent) => boolean);

/** A checked, ready-to-run filter. */
export type EventPredicate = (event: BusEvent) => boolean;

const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;
const DIALECTS = ['exact', 'prefix', 'suffix', 'all', 'any', 'not'] as const;

/**
 * Checks a filter once and turns it into a predicate. Throws `InvalidFilterError`
 * (`EDDY_INVALID_FILTER`) naming the path of the first problem: an unknown dialect (the `sql`
 * dialect included: no maintained CESQL implementation exists for JavaScript), more than one dialect in
 * one expression, an empty list, an attribute name CloudEvents does not allow, an empty value.
 */
export function compileEventFilter(filter: EventFilter): EventPredicate {
  if (typeof filter === 'function') return filter;
  return compile(filter, 'filter');
}

function compile(filter: unknown, path: string): EventPredicate {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new InvalidFilterError(`${path} must be an object with one dialect (${DIALECTS.join(', ')}).`);
  }
  const keys = Object.keys(filter);
  if (keys.length !== 1) {
    throw new InvalidFilterError(
      `${path} must hold exactly one dialect, found ${keys.length === 0 ? 'none' : keys.join(', ')}; combine several with "all" or "any".`,
    );
  }
  const dialect = keys[0] as string;
  const value = (filter as Record<string, unknown>)[dialect];
  const at = `${path}.${dialect}`;
  switch (dialect) {
    case 'exact':
      return attributeTest(value, at, (actual, expected) => actual === expected);
    case 'prefix':
      return attributeTest(value, at, (actual, expected) => actual.startsWith(expected));
    case 'suffix':
      return attributeTest(value, at, (actual, expected) => actual.endsWith(expected));
    case 'all': {
      const parts = list(value, at);
      return (event) => parts.every((part) => part(event));
    }
    case 'any': {
      const parts = list(value, at);
      return (event) => parts.some((part) => part(event));
    }
    case 'not': {
      const inner = compile(value, at);
      return (event) => !inner(event);
    }
    case 'sql':
      throw new InvalidFilterError(
        `${at}: the CloudEvents SQL dialect is not supported. Use exact, prefix, suffix, all, any and not, or pass a function.`,
      );
    default:
      throw new InvalidFilterError(
        `${path}: unknown dialect "${dialect}"; use one of ${DIALECTS.join(', ')}.`,
      );
  }
}

function list(value: unknown, path: string): EventPredicate[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidFilterError(`${path} must be a non-empty array of filters.`);
  }
  return value.map((item, index) => compile(item, `${path}[${index}]`));
}

function attributeTest(
  value: unknown,
  path: string,
  test: (actual: string, expected: string) => boolean,
): EventPredicate {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidFilterError(`${path} must be an object of one attribute name and its value.`);
  }
  const entries = Object.entries(value);
  if (entries.length !== 1) {
    throw new InvalidFilterError(
      `${path} must name exactly one attribute, found ${entries.length}; combine several with "all".`,
    );
  }
  const [name, expected] = entries[0] as [string, unknown];
  if (!ATTRIBUTE_NAME.test(name)) {
    throw new InvalidFilterError(
      `${path}: "${name}" is not a CloudEvents attribute name (lower-case letters and digits, 1-20 characters).`,
    );
  }
  if (typeof expected !== 'string' || expected === '') {
    throw new InvalidFilterError(`${path}.${name} must be a non-empty string.`);
  }
  return (event) => {
    const actual = attributeOf(event, name);
    return actual !== undefined && test(actual, expected);
  };
}

/** An attribute's value in its canonical string form, as the Subscriptions API compares it. */
function attributeOf(event: BusEvent, name: string): string | undefined {
  const value = (event as unknown as Record<string, unknown>)[name];
  if (value === undefined || value === null || name === 'data' || name === 'data_base64') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}
