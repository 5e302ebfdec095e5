import { InvalidFilterError } from '../errors/errors.js';

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

/** Reads one attribute, in its canonical string form, of whatever carries the event. */
export type AttributeReader = (name: string) => string | undefined;

/** A checked CloudEvents filter over attributes, whatever they are read from (an event, message headers). */
export type AttributePredicate = (read: AttributeReader) => boolean;

const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;
const DIALECTS = ['exact', 'prefix', 'suffix', 'all', 'any', 'not'] as const;

/**
 * Checks a CloudEvents filter (throwing `InvalidFilterError`, `EDDY_INVALID_FILTER`, naming the path
 * of the first problem: an unknown dialect, the `sql` dialect included, for no maintained CESQL
 * implementation exists for JavaScript; more than one dialect in one expression; an empty list; an
 * attribute name CloudEvents does not allow; an empty value) and returns a test over an attribute
 * reader, so the bus runs it on events and a transport on message headers.
 */
export function compileAttributeFilter(filter: CloudEventsFilter): AttributePredicate {
  return compile(filter, 'filter');
}

function compile(filter: unknown, path: string): AttributePredicate {
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
      return (read) => parts.every((part) => part(read));
    }
    case 'any': {
      const parts = list(value, at);
      return (read) => parts.some((part) => part(read));
    }
    case 'not': {
      const inner = compile(value, at);
      return (read) => !inner(read);
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

function list(value: unknown, path: string): AttributePredicate[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidFilterError(`${path} must be a non-empty array of filters.`);
  }
  return value.map((item, index) => compile(item, `${path}[${index}]`));
}

function attributeTest(
  value: unknown,
  path: string,
  test: (actual: string, expected: string) => boolean,
): AttributePredicate {
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
  return (read) => {
    const actual = read(name);
    return actual !== undefined && test(actual, expected);
  };
}
