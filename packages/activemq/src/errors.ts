import { EddyError } from '@eddy/core';
import { AuthError, BackendError, ConnectionError, TimeoutError } from '@eddy/core/internal';

/** An ERROR frame of the broker, as a throwable value. */
export class StompErrorFrame extends Error {
  constructor(
    readonly headers: Readonly<Record<string, string>>,
    readonly body: string,
  ) {
    super(headers['message'] ?? (body.split('\n')[0] || 'ERROR frame without a message'));
    this.name = 'StompErrorFrame';
  }
}

/** The socket closed while a command waited for its receipt, or before the handshake finished. */
export class ConnectionLost extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : 'the connection closed');
    this.name = 'ConnectionLost';
  }
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
]);

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Turns what the STOMP client, the socket or the broker reported into a typed `EddyError` whose
 * message says what to check. `doing` says what was being done ("publishing to topic orders"),
 * `where` is `describeTarget(...)`: the broker, password masked. An `EddyError` is returned as is.
 */
export function toEddyError(error: unknown, doing: string, where: string): EddyError {
  if (error instanceof EddyError) return error;
  const cause = error instanceof ConnectionLost ? error.reason : error;
  const text = messageOf(cause);
  if (cause instanceof StompErrorFrame) {
    if (/password is invalid|not authori[sz]ed|authenticat|credential|SecurityException/i.test(text)) {
      return new AuthError(
        `${where} refused the credentials while ${doing} (${text}). Check the user and password in the ` +
          "url, and the broker's authentication plugin (users and groups in activemq.xml).",
        { cause },
      );
    }
    return new BackendError(`${where} answered with an error while ${doing}: ${text}`, {
      cause,
      retriable: false,
    });
  }
  const code = codeOf(cause);
  if (typeof code === 'string' && SOCKET_CODES.has(code)) {
    return new ConnectionError(
      `Cannot reach ${where} while ${doing} (${code}: ${text}). Check that the broker runs with a STOMP ` +
        'connector and that host and port in the url are right (STOMP listens on 61613 by default).',
      { cause },
    );
  }
  if (error instanceof ConnectionLost) {
    return new ConnectionError(
      `The connection to ${where} closed while ${doing} (${text}). The transport reconnects by itself; ` +
        'retry the call. A publish may or may not have been stored: consumers must tolerate duplicates.',
      { cause },
    );
  }
  if (/timed? ?out/i.test(text)) {
    return new TimeoutError(`${where} did not answer in time while ${doing} (${text}).`, { cause });
  }
  return new BackendError(`${where} failed while ${doing}: ${text}`, { cause, retriable: true });
}
