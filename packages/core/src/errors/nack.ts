import { ErrorCodes } from './codes.js';
import { EddyError } from './eddy-error.js';

/**
 * Thrown from a transport handler to ask for redelivery after `delayMs`. Any other thrown value is a
 * nack too, redelivered after the subscription's default delay; `Nack` exists so the retry
 * middleware (or a user) can choose the delay per failure.
 */
export class Nack extends EddyError {
  readonly delayMs: number;

  constructor(delayMs: number, cause?: unknown) {
    super(ErrorCodes.Nack, `Redelivery requested in ${delayMs} ms`, { cause, retriable: true });
    this.delayMs = Math.max(0, Math.floor(delayMs));
  }
}

/** The redelivery delay a thrown value asks for, or `fallbackMs` when it is not a `Nack`. */
export function redeliveryDelayOf(thrown: unknown, fallbackMs: number): number {
  return thrown instanceof Nack ? thrown.delayMs : fallbackMs;
}
