/**
 * Every error Eddy throws is an `EddyError` with a stable `code`. Codes never change meaning once
 * released; the catalogue with what to do about each lives in `docs/reference/errors.md`.
 */
export interface EddyErrorOptions {
  /** The underlying error, kept for logs and `error.cause` chains. */
  cause?: unknown;
  /** Whether retrying the same operation later may succeed (a broker that is down: yes; a bad name: no). */
  retriable?: boolean;
}

// A registry symbol, not a module-local one: two copies of @eddy/core in one process (a library and
// the application each bringing their own) must still recognise each other's errors, which
// `instanceof` cannot do across copies.
const EDDY_ERROR = Symbol.for('eddy.error');

export class EddyError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: EddyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    Object.defineProperty(this, EDDY_ERROR, { value: true });
  }
}

/**
 * True for any `EddyError`, also one made by another copy of @eddy/core, and optionally only for
 * the given code.
 */
export function isEddyError(value: unknown, code?: string): value is EddyError {
  if (typeof value !== 'object' || value === null) return false;
  if (!(value instanceof EddyError) && (value as Record<symbol, unknown>)[EDDY_ERROR] !== true) return false;
  return code === undefined || (value as EddyError).code === code;
}
