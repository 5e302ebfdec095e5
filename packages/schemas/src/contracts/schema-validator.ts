import type { SchemaViolationProblem } from '../errors.js';
import type { SchemaType } from '../types.js';

/** A compiled check of event data against one schema; compile once, call per event. */
export interface SchemaValidator {
  readonly schemaType: SchemaType;
  /** Every problem in `data`; an empty array when it is valid. */
  validate(data: unknown): readonly SchemaViolationProblem[];
  /** Throws `SchemaViolationError` (`EDDY_SCHEMA_VIOLATION`) listing every problem. */
  assert(data: unknown, subject?: string): void;
}

/** Returned for valid data, so the common case allocates nothing. */
export const NO_PROBLEMS: readonly SchemaViolationProblem[] = Object.freeze([]);
