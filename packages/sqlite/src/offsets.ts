import { InvalidOptionError } from '@eddy/core/internal';

const WIDTH = 16;

/**
 * Offsets are zero-padded decimals so that they sort the same way as strings and as numbers; 16
 * digits cover every offset a JavaScript number holds exactly.
 */
export function formatOffset(offset: number): string {
  return String(offset).padStart(WIDTH, '0');
}

export function parseOffset(offset: string | number): number {
  const value = typeof offset === 'number' ? offset : Number(offset);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidOptionError(
      `Offset ${String(offset)} is not a SQLite log offset (a non-negative integer).`,
    );
  }
  return value;
}
