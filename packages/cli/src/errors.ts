import { EddyError } from '@eddy/core';

/**
 * The error codes @eddy/cli raises itself; each is documented in docs/reference/errors.md. The server's codes
 * pass through unchanged.
 */
export const CliErrorCodes = {
  /** The server answered with an error; the message carries its code and text. */
  RequestFailed: 'EDDY_CLI_REQUEST_FAILED',
  /** A file given to the CLI cannot be read or parsed. */
  BadInput: 'EDDY_CLI_BAD_INPUT',
  /** `eddy schemas check` found the schema incompatible with the subject (exit code 7). */
  IncompatibleSchema: 'EDDY_CLI_INCOMPATIBLE_SCHEMA',
  /** An error the CLI did not expect, reported in `--json` output. */
  Unexpected: 'EDDY_CLI_UNEXPECTED',
} as const;

export type CliErrorCode = (typeof CliErrorCodes)[keyof typeof CliErrorCodes];

/** The server answered a request with an error body `{ error: { code, message } }`. */
export class RequestFailedError extends EddyError {
  /** HTTP status of the answer. */
  readonly status: number;
  /** `code` of the server's error body (e.g. `EDDY_NOT_FOUND`). */
  readonly serverCode: string;

  constructor(status: number, serverCode: string, message: string) {
    super(CliErrorCodes.RequestFailed, `${serverCode}: ${message}`, { retriable: status >= 500 });
    this.status = status;
    this.serverCode = serverCode;
  }
}

/** An input file (events to publish) is missing or not JSON lines. */
export class BadInputError extends EddyError {
  constructor(message: string) {
    super(CliErrorCodes.BadInput, message);
  }
}

/** `eddy schemas check`: the schema breaks the subject's compatibility level. */
export class IncompatibleSchemaCliError extends EddyError {
  /** Each rule broken, as the registry words it. */
  readonly messages: readonly string[];

  constructor(subject: string, messages: readonly string[]) {
    super(
      CliErrorCodes.IncompatibleSchema,
      `The schema is incompatible with subject "${subject}"${messages.length === 0 ? '' : `: ${messages.join('; ')}`}. ` +
        "Change the schema so it follows the subject's compatibility level, or change the level.",
    );
    this.messages = messages;
  }
}
