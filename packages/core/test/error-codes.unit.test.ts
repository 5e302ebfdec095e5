import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EddyError, ErrorCodes, isEddyError, Nack } from '@eddy/core';
import { ClosedError, MessageTooLargeError } from '@eddy/core/internal';

const catalogue = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every `'EDDY_…'` string literal in any package's sources, except environment variable names (read as `env['EDDY_…']`). */
function codesInSources(): Map<string, string> {
  const found = new Map<string, string>();
  for (const pkg of readdirSync(packagesDir)) {
    let files: string[];
    try {
      files = sourceFiles(join(packagesDir, pkg, 'src'));
    } catch {
      continue;
    }
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(/(.)'(EDDY_[A-Z_]+)'/g)) {
        if (match[1] !== '[') found.set(match[2]!, file.slice(packagesDir.length));
      }
    }
  }
  return found;
}

describe('error codes', () => {
  it('documents every code in docs/errors.md', () => {
    const undocumented = Object.values(ErrorCodes).filter((code) => !catalogue.includes(`\`${code}\``));
    expect(undocumented).toEqual([]);
  });

  it('documents every code any package throws', () => {
    const undocumented = [...codesInSources()]
      .filter(([code]) => !catalogue.includes(`\`${code}\``))
      .map(([code, file]) => `${code} (${file})`);
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

  it('recognises an EddyError made by another copy of @eddy/core', async () => {
    // A second module instance of the same source, as when a library brings its own copy.
    const dir = mkdtempSync(join(tmpdir(), 'eddy-core-copy-'));
    const copy = join(dir, 'eddy-error.ts');
    copyFileSync(fileURLToPath(new URL('../src/errors/eddy-error.ts', import.meta.url)), copy);
    const other = (await import(pathToFileURL(copy).href)) as { EddyError: typeof EddyError };
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
