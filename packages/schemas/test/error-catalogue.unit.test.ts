import { readFileSync } from 'node:fs';
import { EddyError, isEddyError } from '@eddy/core';
import {
  ConfluentErrors,
  confluentErrorFor,
  SchemaErrorCodes,
  SchemaTooLargeError,
  SchemaViolationError,
} from '@eddy/schemas';
import { describe, expect, it } from 'vitest';

const catalogue = readFileSync(new URL('../../../docs/reference/errors.md', import.meta.url), 'utf8');
const section = catalogue.slice(catalogue.indexOf('## Schema registry'));

describe('schema error catalogue', () => {
  it('documents every code in the Schema registry section of docs/reference/errors.md', () => {
    expect(section).not.toBe(catalogue);
    const undocumented = Object.values(SchemaErrorCodes).filter(
      (code) => !section.includes(`| \`${code}\` |`),
    );
    expect(undocumented).toEqual([]);
  });

  it('states in the docs the same Confluent status and error_code as the exported mapping', () => {
    for (const [code, { status, errorCode }] of Object.entries(ConfluentErrors)) {
      const row = section.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      expect(row, code).toContain(`Confluent: ${status}, \`${errorCode}\``);
    }
  });

  it('gives each code one meaning and maps every registry code to Confluent', () => {
    const codes = Object.values(SchemaErrorCodes);
    expect(new Set(codes).size).toBe(codes.length);
    const mapped = Object.keys(ConfluentErrors).sort();
    expect(mapped).toEqual(codes.filter((code) => code !== SchemaErrorCodes.SchemaViolation).sort());
  });

  it('makes the errors EddyErrors recognisable by code, with their details', () => {
    const tooLarge = new SchemaTooLargeError(2048, 1024);
    expect(tooLarge).toBeInstanceOf(EddyError);
    expect(tooLarge.name).toBe('SchemaTooLargeError');
    expect(isEddyError(tooLarge, SchemaErrorCodes.SchemaTooLarge)).toBe(true);
    expect(tooLarge.retriable).toBe(false);
    expect([tooLarge.sizeBytes, tooLarge.maxBytes]).toEqual([2048, 1024]);
    expect(confluentErrorFor(tooLarge)).toEqual({ status: 422, errorCode: 42209 });
    const violation = new SchemaViolationError('orders', [{ path: '/id', message: 'must be string' }]);
    expect(violation.message).toContain('/id must be string');
    expect(confluentErrorFor(violation)).toBeUndefined();
  });
});
