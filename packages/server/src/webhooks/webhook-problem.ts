import { WebhookErrorCodes } from '@eddy/webhooks';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../http/problem.js';

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  [WebhookErrorCodes.InvalidEndpoint]: 400,
  [WebhookErrorCodes.InvalidPayload]: 400,
  [WebhookErrorCodes.InvalidSignature]: 401,
  [WebhookErrorCodes.EndpointNotFound]: 404,
  [WebhookErrorCodes.DeliveryNotFound]: 404,
  [WebhookErrorCodes.RequestNotFound]: 404,
  [WebhookErrorCodes.InvalidCallback]: 400,
  EDDY_INVALID_PATTERN: 400,
};

/** The webhook routes' error handler: webhook codes get their status, anything else the gateway's. */
export function sendWebhookProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const status = typeof code === 'string' ? STATUS_BY_CODE[code] : undefined;
  if (status === undefined) {
    sendProblem(error, request, reply);
    return;
  }
  void reply.status(status).send({ error: { code, message } });
}
