import { EddyError } from '@eddy/core';

/** Codes of errors the CLI raises itself (the server's codes pass through unchanged). */
export const CliErrorCodes = {
  /** The server answered with an error; the message carries its code and text. */
  RequestFailed: 'EDDY_CLI_REQUEST_FAILED',
  /** A file given to the CLI cannot be read or parsed. */
  BadInput: 'EDDY_CLI_BAD_INPUT',
} as const;

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
