import { EddyError } from '@eddy/core';

/**
 * The error codes @eddy/server adds to core's catalogue; each is documented in docs/reference/errors.md and
 * maps to one HTTP status.
 */
export const ServerErrorCodes = {
  /** No API key, or an unknown one (HTTP 401). */
  Unauthorized: 'EDDY_UNAUTHORIZED',
  /** The API key lacks the scope the request needs (HTTP 403). */
  Forbidden: 'EDDY_FORBIDDEN',
  /** The route, topic, group or entry does not exist (HTTP 404). */
  NotFound: 'EDDY_NOT_FOUND',
  /** The request body is over the configured limit (HTTP 413). */
  RequestTooLarge: 'EDDY_REQUEST_TOO_LARGE',
  /** The API key spent its request budget (HTTP 429, with Retry-After). */
  RateLimited: 'EDDY_RATE_LIMITED',
  /** The request's content type cannot be read by this route (HTTP 415). */
  UnsupportedMediaType: 'EDDY_UNSUPPORTED_MEDIA_TYPE',
  /** The backend is not reachable or the gateway is shutting down (HTTP 503). */
  Unavailable: 'EDDY_UNAVAILABLE',
  /** The API key holds as many pull groups or WebSocket/SSE subscriptions as it may (HTTP 429). */
  TooManyConsumers: 'EDDY_TOO_MANY_CONSUMERS',
  /** The gateway's consumer count or its memory budget for held messages is spent (HTTP 503, with Retry-After). */
  Overloaded: 'EDDY_OVERLOADED',
  /** A path segment is longer than any topic, group or id the gateway serves (HTTP 414). */
  UriTooLong: 'EDDY_URI_TOO_LONG',
  /** The resource is in use (a consumer group with live members cannot be deleted). */
  Conflict: 'EDDY_CONFLICT',
} as const;

export type ServerErrorCode = (typeof ServerErrorCodes)[keyof typeof ServerErrorCodes];

export class UnauthorizedError extends EddyError {
  constructor(message: string) {
    super(ServerErrorCodes.Unauthorized, message);
  }
}

export class ForbiddenError extends EddyError {
  constructor(message: string) {
    super(ServerErrorCodes.Forbidden, message);
  }
}

export class NotFoundError extends EddyError {
  constructor(message: string) {
    super(ServerErrorCodes.NotFound, message);
  }
}

export class RequestTooLargeError extends EddyError {
  constructor(message: string) {
    super(ServerErrorCodes.RequestTooLarge, message);
  }
}

export class RateLimitedError extends EddyError {
  /** Seconds until the key has budget again. */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(
      ServerErrorCodes.RateLimited,
      `Rate limit of this API key exceeded. Retry after ${retryAfterSeconds} s, batch events into fewer requests, or raise the key's rateLimitPerSecond.`,
      { retriable: true },
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class UnsupportedMediaTypeError extends EddyError {
  constructor(message: string) {
    super(ServerErrorCodes.UnsupportedMediaType, message);
  }
}

export class UnavailableError extends EddyError {
  constructor(message: string, cause?: unknown) {
    super(ServerErrorCodes.Unavailable, message, { retriable: true, cause });
  }
}

export class TooManyConsumersError extends EddyError {
  /** Seconds after which a retry may find a slot (one of the key's consumers may have closed). */
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds = 1) {
    super(ServerErrorCodes.TooManyConsumers, message, { retriable: true });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class OverloadedError extends EddyError {
  /** Seconds after which a retry may find room. */
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds = 1) {
    super(ServerErrorCodes.Overloaded, message, { retriable: true });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class UriTooLongError extends EddyError {
  constructor(message: string) {
    super(ServerErrorCodes.UriTooLong, message);
  }
}

export class ConflictError extends EddyError {
  constructor(message: string) {
    super(ServerErrorCodes.Conflict, message);
  }
}
