import { isEddyError } from '@eddy/core';
import { confluentErrorFor } from '@eddy/schemas';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedError } from '../errors.js';
import { problemFor } from '../http/problem.js';
import type { RegistryErrorBody } from './registry-api-types.js';

/**
 * Confluent's answer for anything a registry route throws: the registry's codes map one to one
 * (`confluentErrorFor`); other client errors carry their HTTP status as `error_code`, as Confluent
 * does for 401 and 404; a backend failure is Confluent's 50001 (error in the backend data store).
 */
export function registryErrorFor(error: unknown): { status: number; body: RegistryErrorBody } {
  const confluent = confluentErrorFor(error);
  if (confluent !== undefined && isEddyError(error)) {
    return { status: confluent.status, body: { error_code: confluent.errorCode, message: error.message } };
  }
  const { status, body } = problemFor(error);
  return {
    status,
    body: { error_code: status >= 500 ? 50001 : status, message: body.error.message },
  };
}

/** Fastify error handler of the `/registry` scope. */
export function sendRegistryError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = registryErrorFor(error);
  if (status >= 500) request.log.error({ err: error }, 'registry request failed');
  if (error instanceof RateLimitedError) void reply.header('retry-after', String(error.retryAfterSeconds));
  void reply.status(status).send(body);
}
