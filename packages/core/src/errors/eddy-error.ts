/**
 * Every error Eddy throws is an `EddyError` with a stable `code`. Codes never change meaning once
 * released; the catalogue with what to do about each lives in `docs/errors.md`.
 */
export interface EddyErrorOptions {
  /** The underlying error, kept for logs and `error.cause` chains. */
  cause?: unknown;
  /** Whether retrying the same operation later may succeed (a broker that is down: yes; a bad name: no). */
  retriable?: boolean;
}

export class EddyError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: EddyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** True for any `EddyError`, and optionally only for the given code. */
export function isEddyError(value: unknown, code?: string): value is EddyError {
  return value instanceof EddyError && (code === undefined || value.code === code);
}
