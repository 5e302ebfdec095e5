import { isEddyError } from '@eddy/core';
import {
  checkCompatibility,
  parseSchema,
  type CompatibilityLevel,
  type CompatibilityResult,
  type SchemaType,
} from '@eddy/schemas';
import { expect } from 'vitest';

/** Checks `candidate` against `history` (oldest first) under `level`, parsing each schema. */
export function check(
  schemaType: SchemaType,
  level: CompatibilityLevel,
  history: readonly unknown[],
  candidate: unknown,
): CompatibilityResult {
  const parse = (schema: unknown) =>
    parseSchema(schemaType, schemaType === 'PROTOBUF' ? String(schema) : JSON.stringify(schema), [], []);
  return checkCompatibility(
    level,
    parse(candidate),
    history.map((schema, index) => ({ version: index + 1, parsed: parse(schema) })),
  );
}

/** The kinds of the broken rules, each with its path: `KIND path`. */
export function broken(result: CompatibilityResult): string[] {
  return result.incompatibilities.map((item) => `${item.kind} ${item.path}`);
}

/** Awaits a rejection and asserts its Eddy code and that its message holds every fragment. */
export async function expectEddyError(
  work: Promise<unknown> | (() => unknown),
  code: string,
  ...fragments: string[]
): Promise<Error> {
  let error: unknown;
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (caught) {
    error = caught;
  }
  expect(error, `expected ${code}`).toBeInstanceOf(Error);
  expect(isEddyError(error) ? error.code : (error as Error).message).toBe(code);
  for (const fragment of fragments) expect((error as Error).message).toContain(fragment);
  return error as Error;
}

export const record = (name: string, fields: readonly unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'record',
  name,
  fields,
  ...extra,
});
