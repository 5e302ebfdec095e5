import { ErrorCodes } from '../errors/codes.js';
import { EddyError } from '../errors/eddy-error.js';
import type { ExpectedVersion } from './event-store.js';

function describeExpected(expected: ExpectedVersion): string {
  return typeof expected === 'number' ? `version ${expected}` : `"${expected}"`;
}

export class WrongExpectedVersionError extends EddyError {
  readonly streamId: string;
  readonly expected: ExpectedVersion;
  /** The stream's current version (0 when never written). */
  readonly actual: number;

  constructor(streamId: string, expected: ExpectedVersion, actual: number) {
    super(
      ErrorCodes.WrongExpectedVersion,
      `Stream "${streamId}" expected ${describeExpected(expected)} but is at version ${actual}. ` +
        'Another writer appended first: reload the stream, decide again and retry (commandHandler does this with { retry }).',
      { retriable: true },
    );
    this.streamId = streamId;
    this.expected = expected;
    this.actual = actual;
  }
}

export class StreamDeletedError extends EddyError {
  readonly streamId: string;

  constructor(streamId: string) {
    super(
      ErrorCodes.StreamDeleted,
      `Stream "${streamId}" was tombstoned and can never be read or written again. Use another stream id.`,
    );
    this.streamId = streamId;
  }
}

export class EventIdConflictError extends EddyError {
  readonly streamId: string;
  readonly eventId: string;

  constructor(streamId: string, eventId: string) {
    super(
      ErrorCodes.EventIdConflict,
      `Event id "${eventId}" is already in stream "${streamId}", but this append is not an exact retry of the one that wrote it. ` +
        'Give new events new ids; retry a failed append with the same ids and events only.',
    );
    this.streamId = streamId;
    this.eventId = eventId;
  }
}
