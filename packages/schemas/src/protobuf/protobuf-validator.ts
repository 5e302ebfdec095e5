import protobuf from 'protobufjs';
import type { SchemaViolationProblem } from '../errors.js';
import { NO_PROBLEMS } from '../contracts/schema-validator.js';

const INTEGER_32 = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const INTEGER_64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/**
 * Checks plain objects (the JSON shape of a message) against a message type. protobufjs's
 * `verify` answers fast for valid data; when it objects, a walk over the fields lists every failing
 * path (and accepts what the Protobuf JSON mapping allows, such as enum names).
 */
export function protobufChecker(type: protobuf.Type): (data: unknown) => readonly SchemaViolationProblem[] {
  return (data) => {
    if (typeof data === 'object' && data !== null && !Array.isArray(data) && type.verify(data) === null) {
      return NO_PROBLEMS;
    }
    const problems: SchemaViolationProblem[] = [];
    checkMessage(type, data, '', problems);
    // verify knows only the binary-ready shape (enum numbers, Long objects); the walk also accepts
    // the JSON mapping (enum names, 64-bit integers as strings), so it has the last word.
    return problems.length === 0 ? NO_PROBLEMS : problems;
  };
}

function checkMessage(
  type: protobuf.Type,
  value: unknown,
  path: string,
  problems: SchemaViolationProblem[],
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ path: path === '' ? '/' : path, message: `must be an object (message ${type.name})` });
    return;
  }
  const record = value as Record<string, unknown>;
  for (const field of type.fieldsArray) {
    const item = record[field.name];
    const at = `${path}/${field.name}`;
    if (item === undefined || item === null) {
      if (field.required) problems.push({ path: at, message: 'is required' });
      continue;
    }
    if (field.map) {
      if (typeof item !== 'object' || Array.isArray(item))
        problems.push({ path: at, message: 'must be an object (map)' });
      else
        for (const [key, entry] of Object.entries(item)) checkValue(field, entry, `${at}/${key}`, problems);
    } else if (field.repeated) {
      if (!Array.isArray(item)) problems.push({ path: at, message: 'must be an array (repeated field)' });
      else item.forEach((entry, index) => checkValue(field, entry, `${at}/${index}`, problems));
    } else {
      checkValue(field, item, at, problems);
    }
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.fieldsArray.filter(
      (field) => record[field.name] !== undefined && record[field.name] !== null,
    );
    if (set.length > 1) {
      problems.push({
        path: path === '' ? '/' : path,
        message: `sets ${set.map((field) => field.name).join(' and ')}, members of oneof ${oneof.name}`,
      });
    }
  }
}

function checkValue(
  field: protobuf.Field,
  value: unknown,
  path: string,
  problems: SchemaViolationProblem[],
): void {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return checkMessage(resolved, value, path, problems);
  if (resolved instanceof protobuf.Enum) {
    const known =
      typeof value === 'number'
        ? Object.values(resolved.values).includes(value)
        : typeof value === 'string' && value in resolved.values;
    if (!known) problems.push({ path, message: `is not a value of enum ${resolved.name}` });
    return;
  }
  const type = field.type;
  let ok: boolean;
  if (INTEGER_32.has(type)) ok = Number.isInteger(value);
  else if (INTEGER_64.has(type))
    ok = Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value));
  else if (type === 'float' || type === 'double') ok = typeof value === 'number';
  else if (type === 'bool') ok = typeof value === 'boolean';
  else if (type === 'string') ok = typeof value === 'string';
  else if (type === 'bytes') ok = typeof value === 'string' || value instanceof Uint8Array;
  else ok = true;
  if (!ok) problems.push({ path, message: `must be ${type}` });
}
