import type { SchemaViolationProblem } from '../errors.js';
import { NO_PROBLEMS } from '../contracts/schema-validator.js';
import { avroKind, type AvroType } from './avro-types.js';

/**
 * Checks values against an Avro type with avsc's `isValid`, whose error hook reports each invalid
 * value with its path; fields the record does not declare count as problems too.
 */
export function avroChecker(type: AvroType): (data: unknown) => readonly SchemaViolationProblem[] {
  return (data) => {
    let problems: SchemaViolationProblem[] | undefined;
    const valid = type.isValid(data, {
      noUndeclaredFields: true,
      errorHook: (path: string[], _value: unknown, at: AvroType) => {
        (problems ??= []).push({
          path: `/${path.join('/')}`,
          message: `is not a valid ${at.name === undefined ? avroKind(at) : `${avroKind(at)} ${at.name}`}`,
        });
      },
    });
    return valid ? NO_PROBLEMS : (problems ?? [{ path: '/', message: 'does not match the schema' }]);
  };
}
