import type { SchemaViolationProblem } from '../errors.js';
import { NO_PROBLEMS } from '../contracts/schema-validator.js';
import { avroKind, recordFields, type AvroType } from './avro-types.js';

function undeclaredFields(type: AvroType, value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const declared = new Set(recordFields(type).map((field) => field.name));
  return Object.keys(value).filter((key) => !declared.has(key));
}

/**
 * Checks values against an Avro type with avsc's `isValid`, whose error hook reports each invalid
 * value with its path; fields the record does not declare count as problems too.
 */
export function avroChecker(type: AvroType): (data: unknown) => readonly SchemaViolationProblem[] {
  const problemsOf = (data: unknown): SchemaViolationProblem[] => {
    const found: SchemaViolationProblem[] = [];
    type.isValid(data, {
      noUndeclaredFields: true,
      errorHook: (path: string[], value: unknown, at: AvroType) => {
        const where = `/${path.join('/')}`;
        const undeclared = avroKind(at) === 'record' ? undeclaredFields(at, value) : [];
        if (undeclared.length > 0) {
          // Name the stray fields rather than failing the whole record.
          for (const name of undeclared) {
            found.push({
              path: `${where === '/' ? '' : where}/${name}`,
              message: `is not a field of record ${at.name}`,
            });
          }
          return;
        }
        found.push({
          path: where,
          message: `is not a valid ${at.name === undefined ? avroKind(at) : `${avroKind(at)} ${at.name}`}`,
        });
      },
    });
    return found.length > 0 ? found : [{ path: '/', message: 'does not match the schema' }];
  };
  // Valid data, the common case, takes avsc's check without an error hook: no path tracking, no
  // closure or options object per call. Only invalid data is walked again to name every problem.
  return (data) => (type.isValid(data, FAST_CHECK) ? NO_PROBLEMS : problemsOf(data));
}

const FAST_CHECK = Object.freeze({ noUndeclaredFields: true });
