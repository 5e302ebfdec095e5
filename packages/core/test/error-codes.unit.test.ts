import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClosedError, EddyError, ErrorCodes, isEddyError, MessageTooLargeError, Nack } from '@eddy/core';

const catalogue = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

describe('error codes', () => {
  it('documents every code in docs/errors.md', () => {
    const undocumented = Object.values(ErrorCodes).filter((code) => !catalogue.includes(`\`${code}\``));
    expect(undocumented).toEqual([]);
  });

  it('gives each code one meaning', () => {
    const codes = Object.values(ErrorCodes);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('makes subclasses recognisable by code and class', () => {
    const error = new MessageTooLargeError(2048, 1024);
    expect(error).toBeInstanceOf(EddyError);
    expect(error.name).toBe('MessageTooLargeError');
    expect(isEddyError(error, ErrorCodes.MessageTooLarge)).toBe(true);
    expect(isEddyError(error, ErrorCodes.Closed)).toBe(false);
    expect(error.message).toContain('2048');
    expect(isEddyError(new ClosedError('Transport'))).toBe(true);
    expect(isEddyError(new Error('plain'))).toBe(false);
  });

  it('clamps a Nack delay to a whole non-negative number of milliseconds', () => {
    expect(new Nack(-5).delayMs).toBe(0);
    expect(new Nack(12.7).delayMs).toBe(12);
  });
});
