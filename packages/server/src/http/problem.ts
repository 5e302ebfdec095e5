import { ErrorCodes, isEddyError } from '@eddy/core';
import { MAX_NAME_LENGTH } from '@eddy/core/internal';
import { RulesErrorCodes } from '@eddy/rules';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { OverloadedError, RateLimitedError, ServerErrorCodes, TooManyConsumersError } from '../errors.js';
import type { ProblemBody } from './api-types.js';

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  [ErrorCodes.InvalidTopic]: 400,
  [ErrorCodes.InvalidGroup]: 400,
  [ErrorCodes.InvalidOption]: 400,
  [ErrorCodes.InvalidFilter]: 400,
  [ErrorCodes.InvalidHeader]: 400,
  [ErrorCodes.InvalidCloudEvent]: 400,
  [ErrorCodes.DecodeFailed]: 400,
  [RulesErrorCodes.InvalidPattern]: 400,
  [RulesErrorCodes.InvalidTransformer]: 400,
  [RulesErrorCodes.InvalidRule]: 400,
  [RulesErrorCodes.InvalidRuleName]: 400,
  [ErrorCodes.MessageTooLarge]: 413,
  [ErrorCodes.NotSupported]: 501,
  [ErrorCodes.Closed]: 503,
  [ErrorCodes.ConnectionFailed]: 503,
  // The backend refused the gateway's own credentials: the client can do nothing about it.
  [ErrorCodes.AuthFailed]: 503,
  [ErrorCodes.Timeout]: 504,
  // Event data breaking the schema its type is bound to (data contracts).
  EDDY_SCHEMA_VIOLATION: 422,
  [ServerErrorCodes.Unauthorized]: 401,
  [ServerErrorCodes.Forbidden]: 403,
  [ServerErrorCodes.NotFound]: 404,
  [ServerErrorCodes.Conflict]: 409,
  [ServerErrorCodes.RequestTooLarge]: 413,
  [ServerErrorCodes.UnsupportedMediaType]: 415,
  [ServerErrorCodes.RateLimited]: 429,
  [ServerErrorCodes.Unavailable]: 503,
  [ServerErrorCodes.TooManyConsumers]: 429,
  [ServerErrorCodes.Overloaded]: 503,
  [ServerErrorCodes.UriTooLong]: 414,
};

/**
 * Longest path parameter the router accepts (Fastify's `maxParamLength`): room for the longest
 * topic or group name (200) and for percent-encoded event ids of DLQ entries.
 */
export const MAX_PATH_PARAM_LENGTH = 2_048;

/** Fastify's own codes for malformed requests, mapped to Eddy codes. */
const FASTIFY_CODES: Readonly<Record<string, { code: string; status: number }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: ServerErrorCodes.RequestTooLarge, status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: ServerErrorCodes.UnsupportedMediaType, status: 415 },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: ErrorCodes.DecodeFailed, status: 400 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: ErrorCodes.DecodeFailed, status: 400 },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: ErrorCodes.DecodeFailed, status: 400 },
  FST_ERR_VALIDATION: { code: ErrorCodes.InvalidOption, status: 400 },
  FST_ERR_BAD_URL: { code: ErrorCodes.DecodeFailed, status: 400 },
  FST_ERR_MAX_PARAM_LENGTH: { code: ServerErrorCodes.UriTooLong, status: 414 },
};

/** HTTP status and Eddy code for anything a route may throw. */
export function problemFor(error: unknown): { status: number; body: ProblemBody } {
  if (isEddyError(error)) {
    return {
      status: STATUS_BY_CODE[error.code] ?? 500,
      body: { error: { code: error.code, message: error.message } },
    };
  }
  const fastify = error as Partial<FastifyError>;
  const known = fastify.code === undefined ? undefined : FASTIFY_CODES[fastify.code];
  if (known !== undefined) {
    let message = fastify.message ?? 'Bad request.';
    if (known.code === ServerErrorCodes.RequestTooLarge) {
      message =
        'Request body is larger than the gateway accepts (limits.maxBodyBytes). Send fewer events per request.';
    } else if (known.code === ServerErrorCodes.UriTooLong) {
      message = `A path segment is longer than ${MAX_PATH_PARAM_LENGTH} characters: topic and group names have at most ${MAX_NAME_LENGTH}.`;
    } else if (fastify.code === 'FST_ERR_BAD_URL') {
      message =
        'The request path is not a valid URL (bad percent-encoding). Encode path segments with encodeURIComponent.';
    } else if (fastify.code === 'FST_ERR_VALIDATION') {
      message = `Invalid request: ${message}.`;
    }
    return { status: known.status, body: { error: { code: known.code, message } } };
  }
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return {
      status: fastify.statusCode,
      body: { error: { code: ErrorCodes.InvalidOption, message: fastify.message ?? 'Bad request.' } },
    };
  }
  return {
    status: 500,
    body: {
      error: {
        code: ErrorCodes.Backend,
        message: 'Internal error in the gateway; the server log has the details.',
      },
    },
  };
}

/** Fastify error handler: every error becomes `{ error: { code, message } }` with its status. */
export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = problemFor(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  if (
    error instanceof RateLimitedError ||
    error instanceof TooManyConsumersError ||
    error instanceof OverloadedError
  ) {
    void reply.header('retry-after', String(error.retryAfterSeconds));
  }
  void reply.status(status).send(body);
}
