import type { ErrorObject, ValidateFunction } from 'ajv';
import type { SchemaViolationProblem } from '../errors.js';
import { NO_PROBLEMS } from '../contracts/schema-validator.js';

/** Checks values with an ajv function compiled once with `allErrors`, so every failing path is listed. */
export function jsonSchemaChecker(
  validate: ValidateFunction,
): (data: unknown) => readonly SchemaViolationProblem[] {
  return (data) => {
    if (validate(data)) return NO_PROBLEMS;
    return (validate.errors ?? []).map((error: ErrorObject) => ({
      path: error.instancePath === '' ? '/' : error.instancePath,
      message: error.message ?? `fails ${error.keyword}`,
    }));
  };
}
