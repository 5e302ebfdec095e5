import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EddyError, ErrorCodes, isEddyError, Nack } from '@eddy/core';
import { ClosedError, MessageTooLargeError } from '@eddy/core/internal';
import { describe, expect, it } from 'vitest';

describe('EddyError', () => {
  it('makes subclasses recognisable by code and class', () => {
    const error = new MessageTooLargeError(2048, 1024);
    expect(error).toBeInstanceOf(EddyError);
    expect(error.name).toBe('MessageTooLargeError');
    expect(isEddyError(error, ErrorCodes.MessageTooLarge)).toBe(true);
    expect(isEddyError(error, ErrorCodes.Closed)).toBe(false);
    expect(error.message).toContain('2048');
    expect(isEddyError(new ClosedError('Transport'), ErrorCodes.Closed)).toBe(true);
    expect(isEddyError(new Error('plain'))).toBe(false);
  });

  it('recognises an EddyError made by another copy of @eddy/core', async () => {
    // A second module instance of the same source, as when a library brings its own copy.
    const dir = mkdtempSync(join(tmpdir(), 'eddy-core-copy-'));
    let other: { EddyError: typeof EddyError };
    try {
      const copy = join(dir, 'eddy-error.ts');
      copyFileSync(fileURLToPath(new URL('../src/errors/eddy-error.ts', import.meta.url)), copy);
      other = (await import(pathToFileURL(copy).href)) as { EddyError: typeof EddyError };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const foreign = new other.EddyError('EDDY_TIMEOUT', 'from the other copy');
    expect(foreign instanceof EddyError).toBe(false);
    expect(isEddyError(foreign)).toBe(true);
    expect(isEddyError(foreign, ErrorCodes.Timeout)).toBe(true);
    expect(isEddyError(foreign, ErrorCodes.Closed)).toBe(false);
    expect(isEddyError({ code: 'EDDY_TIMEOUT', message: 'look-alike' })).toBe(false);
  });

  it('clamps a Nack delay to a whole non-negative number of milliseconds', () => {
    expect(new Nack(-5).delayMs).toBe(0);
    expect(new Nack(12.7).delayMs).toBe(12);
  });
});
