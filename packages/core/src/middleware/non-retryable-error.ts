import { ErrorCodes } from '../errors/codes.js';
import { EddyError, type EddyErrorOptions } from '../errors/eddy-error.js';

/**
 * Throw (or wrap a cause in) this from a handler when retrying cannot help, e.g. a business rule
 * rejects the event. The delivery goes straight to the dead-letter queue.
 */
export class NonRetryableError extends EddyError {
  constructor(message: string, options: Omit<EddyErrorOptions, 'retriable'> = {}) {
    super(ErrorCodes.NonRetryable, message, { ...options, retriable: false });
  }
}

/**
 * The default retry rule, KafkaJS style: an error is retried unless it says otherwise, i.e. it has
 * `retriable === false` (every `EddyError` carries the flag; `NonRetryableError` always sets it).
 */
export function isRetryableError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  return (error as { retriable?: unknown }).retriable !== false;
}
