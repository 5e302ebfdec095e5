import { EddyError } from '@eddy/core';

/** The error codes @eddy/streams throws; each is documented in docs/reference/errors.md. */
export const StreamsErrorCodes = {
  /** A pipeline or one of its stages is defined in a way that cannot run. */
  InvalidPipeline: 'EDDY_INVALID_PIPELINE',
  /** A window definition (size, advance, gap, lateness) cannot be used. */
  InvalidWindow: 'EDDY_INVALID_WINDOW',
  /** A complex event pattern (sequence, absence, repetition) cannot be used. */
  InvalidEventPattern: 'EDDY_INVALID_EVENT_PATTERN',
  /** A value given to a state store cannot be stored (not JSON, or a bad namespace or key). */
  InvalidState: 'EDDY_INVALID_STATE',
} as const;
export type StreamsErrorCode = (typeof StreamsErrorCodes)[keyof typeof StreamsErrorCodes];

/** A pipeline definition that cannot run; the message says which stage and how to fix it. */
export class InvalidPipelineError extends EddyError {
  constructor(message: string) {
    super(StreamsErrorCodes.InvalidPipeline, message);
  }
}

/** A window definition that cannot be used; the message names the field and the rule it breaks. */
export class InvalidWindowError extends EddyError {
  constructor(message: string) {
    super(StreamsErrorCodes.InvalidWindow, message);
  }
}

/** A complex event pattern that cannot be used; the message names the field and the rule it breaks. */
export class InvalidEventPatternError extends EddyError {
  constructor(message: string) {
    super(StreamsErrorCodes.InvalidEventPattern, message);
  }
}

/** State a store cannot keep: a namespace or key that is not a non-empty string, or a value that is not JSON. */
export class InvalidStateError extends EddyError {
  constructor(message: string) {
    super(StreamsErrorCodes.InvalidState, message);
  }
}
