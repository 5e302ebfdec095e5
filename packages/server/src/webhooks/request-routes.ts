import { RequestNotFoundError, type RequestTracker } from '@eddy/webhooks';
import type { FastifyInstance } from 'fastify';
import type { CreateRequestBody, RequestJson } from './webhook-api-types.js';
import { requestJson } from './webhook-json.js';

/**
 * Asynchronous request-reply: `POST /v1/requests` publishes the request event and answers
 * `202 Accepted` with `Location: /v1/requests/{id}`; `GET` there answers pending, completed (with
 * the result) or failed, and with `?wait=<seconds>` holds a pending answer until the reply lands.
 */
export function registerRequestRoutes(
  app: FastifyInstance,
  tracker: RequestTracker,
  maxWaitSeconds: number,
): void {
  app.post<{ Body: CreateRequestBody; Reply: RequestJson }>(
    '/v1/requests',
    {
      schema: {
        summary: 'Start an asynchronous request; poll the Location for its result',
        tags: ['requests'],
        body: {
          type: 'object',
          required: ['type'],
          additionalProperties: false,
          properties: {
            type: { type: 'string', minLength: 1 },
            data: {},
            key: { type: 'string' },
            callbackUrl: { type: 'string', minLength: 1 },
          },
        },
      },
      config: { access: 'authenticated' },
    },
    async (request, reply) => {
      const { type, data, key, callbackUrl } = request.body;
      const record = await tracker.submit(type, data ?? null, {
        ...(key === undefined ? {} : { key }),
        ...(callbackUrl === undefined ? {} : { callbackUrl }),
      });
      return reply.status(202).header('location', `/v1/requests/${record.id}`).send(requestJson(record));
    },
  );

  app.get<{ Params: { id: string }; Querystring: { wait?: number }; Reply: RequestJson }>(
    '/v1/requests/:id',
    {
      schema: {
        summary: 'A request: pending, completed (with the result) or failed',
        tags: ['requests'],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        querystring: {
          type: 'object',
          properties: {
            wait: {
              type: 'number',
              minimum: 0,
              maximum: maxWaitSeconds,
              description: 'Seconds to hold a pending answer.',
            },
          },
        },
      },
      config: { access: 'authenticated' },
    },
    async (request) => {
      const waitMs = Math.round((request.query.wait ?? 0) * 1000);
      const record = await tracker.get(request.params.id, { waitMs });
      if (record === undefined) throw new RequestNotFoundError(request.params.id);
      return requestJson(record);
    },
  );
}
