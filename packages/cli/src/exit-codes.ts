import { ErrorCodes, isEddyError } from '@eddy/core';
import { CliErrorCodes, RequestFailedError } from './errors.js';

/** What `eddy` exits with, so scripts can branch on the cause. */
export const ExitCodes = {
  Ok: 0,
  /** Anything not listed below (server-side failure, unexpected error). */
  Failure: 1,
  /** Bad command line or input: unknown option, invalid value, unreadable file. */
  Usage: 2,
  /** The server is not reachable (not started, wrong `--url`). */
  Unreachable: 3,
  /** The topic, group or entry does not exist. */
  NotFound: 4,
  /** The server refused the API key (401/403). */
  Unauthorized: 5,
  /** A `--timeout` or `--until-empty` wait ran out. */
  Timeout: 6,
  /** The schema is incompatible with the subject (`eddy schemas check`, or a register answered 409). */
  Incompatible: 7,
} as const;

export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];

/** Maps an error to the exit code documented in docs/reference/cli.md. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof RequestFailedError) {
    if (error.status === 404) return ExitCodes.NotFound;
    if (error.status === 401 || error.status === 403) return ExitCodes.Unauthorized;
    if (error.status === 409) return ExitCodes.Incompatible;
    if (error.status === 400 || error.status === 413 || error.status === 415 || error.status === 422)
      return ExitCodes.Usage;
    return ExitCodes.Failure;
  }
  if (!isEddyError(error)) return ExitCodes.Failure;
  switch (error.code) {
    case ErrorCodes.ConnectionFailed:
      return ExitCodes.Unreachable;
    case ErrorCodes.InvalidOption:
    case ErrorCodes.InvalidTopic:
    case ErrorCodes.InvalidGroup:
    case CliErrorCodes.BadInput:
      return ExitCodes.Usage;
    case ErrorCodes.Timeout:
      return ExitCodes.Timeout;
    case CliErrorCodes.IncompatibleSchema:
      return ExitCodes.Incompatible;
    default:
      return ExitCodes.Failure;
  }
}
