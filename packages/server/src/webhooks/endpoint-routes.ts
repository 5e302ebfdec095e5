import {
  checkEndpointUpdate,
  DeliveryNotFoundError,
  EndpointNotFoundError,
  generateSecret,
  newEndpoint,
  rotatedSecrets,
  type DeliveryStatus,
  type EndpointInput,
  type EndpointUpdate,
} from '@eddy/webhooks';
import type { FastifyInstance } from 'fastify';
import type {
  WebhookDeliveryDetailResponse,
  WebhookDeliveryJson,
  WebhookDeliveryListResponse,
  WebhookEndpointCreatedResponse,
  WebhookEndpointJson,
  WebhookEndpointListResponse,
} from './webhook-api-types.js';
import type { WebhookGatewayOptions } from './webhook-gateway-options.js';
import { attemptJson, deliveryJson, endpointJson } from './webhook-json.js';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const endpointFields = {
  url: { type: 'string' },
  description: { type: 'string' },
  eventTypes: { type: 'array', items: { type: 'string' } },
  pattern: { type: 'object' },
  rateLimitPerSecond: { type: 'number' },
  ordered: { type: 'boolean' },
  enabled: { type: 'boolean' },
} as const;

interface EndpointPatch {
  readonly url?: string;
  readonly description?: string | null;
  readonly eventTypes?: readonly string[] | null;
  readonly pattern?: Record<string, unknown> | null;
  readonly rateLimitPerSecond?: number | null;
  readonly ordered?: boolean;
  readonly enabled?: boolean;
}

/** Endpoint CRUD, secret rotation, deliveries with their attempt log, manual redelivery (admin scope). */
export function registerEndpointRoutes(app: FastifyInstance, options: WebhookGatewayOptions): void {
  const { endpoints, deliveries } = options;
  const found = async (id: string) => {
    const endpoint = await endpoints.get(id);
    if (endpoint === undefined) throw new EndpointNotFoundError(id);
    return endpoint;
  };

  app.get<{ Reply: WebhookEndpointListResponse }>(
    '/v1/webhooks/endpoints',
    { schema: { summary: 'List webhook endpoints', tags: ['webhooks'] }, config: { access: 'admin' } },
    async () => ({ endpoints: (await endpoints.list()).map(endpointJson) }),
  );

  app.post<{ Body: EndpointInput & { id?: string; secret?: string }; Reply: WebhookEndpointCreatedResponse }>(
    '/v1/webhooks/endpoints',
    {
      schema: {
        summary: 'Create a webhook endpoint; the answer holds its signing secret',
        tags: ['webhooks'],
        body: {
          type: 'object',
          required: ['url'],
          additionalProperties: false,
          properties: { ...endpointFields, id: { type: 'string' }, secret: { type: 'string' } },
        },
      },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      const endpoint = newEndpoint(request.body);
      const created = await endpoints.create(endpoint, Date.now());
      if (created === undefined) {
        return reply.status(409).send({
          error: {
            code: 'EDDY_WEBHOOK_INVALID_ENDPOINT',
            message: `An endpoint with id "${endpoint.id}" exists already. Choose another id, or PATCH it.`,
          },
        } as never);
      }
      return reply.status(201).send({ ...endpointJson(created), secret: created.secrets[0]!.secret });
    },
  );

  app.get<{ Params: { id: string }; Reply: WebhookEndpointJson }>(
    '/v1/webhooks/endpoints/:id',
    {
      schema: { summary: 'One webhook endpoint', tags: ['webhooks'], params: idParams },
      config: { access: 'admin' },
    },
    async (request) => endpointJson(await found(request.params.id)),
  );

  app.patch<{ Params: { id: string }; Body: EndpointPatch; Reply: WebhookEndpointJson }>(
    '/v1/webhooks/endpoints/:id',
    {
      schema: {
        summary: 'Change a webhook endpoint (null clears a field; enabling clears the disabled reason)',
        tags: ['webhooks'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...endpointFields,
            description: { type: ['string', 'null'] },
            eventTypes: { type: ['array', 'null'], items: { type: 'string' } },
            pattern: { type: ['object', 'null'] },
            rateLimitPerSecond: { type: ['number', 'null'] },
          },
        },
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const body = request.body;
      const update: EndpointUpdate = checkEndpointUpdate({
        ...(body as EndpointUpdate),
        ...(body.enabled === true ? { disabledReason: null, failingSince: null } : {}),
      });
      const updated = await endpoints.update(request.params.id, update, Date.now());
      if (updated === undefined) throw new EndpointNotFoundError(request.params.id);
      return endpointJson(updated);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/webhooks/endpoints/:id',
    {
      schema: { summary: 'Delete a webhook endpoint', tags: ['webhooks'], params: idParams },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      if (!(await endpoints.delete(request.params.id))) throw new EndpointNotFoundError(request.params.id);
      return reply.status(204).send();
    },
  );

  app.post<{
    Params: { id: string };
    Body: { secret?: string; graceMs?: number } | undefined;
    Reply: WebhookEndpointCreatedResponse;
  }>(
    '/v1/webhooks/endpoints/:id/rotate-secret',
    {
      schema: {
        summary: 'Rotate the signing secret; the old one keeps signing for graceMs (default 24 h)',
        tags: ['webhooks'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { secret: { type: 'string' }, graceMs: { type: 'integer', minimum: 0 } },
        },
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const endpoint = await found(request.params.id);
      const secret = request.body?.secret ?? generateSecret();
      const now = Date.now();
      const secrets = rotatedSecrets(endpoint.secrets, secret, request.body?.graceMs ?? 86_400_000, now);
      const updated = await endpoints.update(endpoint.id, { secrets }, now);
      if (updated === undefined) throw new EndpointNotFoundError(endpoint.id);
      return { ...endpointJson(updated), secret };
    },
  );

  app.get<{
    Querystring: { endpointId?: string; status?: DeliveryStatus; limit?: number; before?: number };
    Reply: WebhookDeliveryListResponse;
  }>(
    '/v1/webhooks/deliveries',
    {
      schema: {
        summary: "Deliveries, newest first (status=dead lists an endpoint's dead-letter queue)",
        tags: ['webhooks'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            endpointId: { type: 'string' },
            status: { type: 'string', enum: ['pending', 'succeeded', 'dead'] },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            before: {
              type: 'integer',
              minimum: 1,
              description: 'Only deliveries with a smaller sequence (paging).',
            },
          },
        },
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const { endpointId, status, limit, before } = request.query;
      const list = await deliveries.list({
        ...(endpointId === undefined ? {} : { endpointId }),
        ...(status === undefined ? {} : { status }),
        ...(limit === undefined ? {} : { limit }),
        ...(before === undefined ? {} : { beforeSequence: before }),
      });
      return { deliveries: list.map(deliveryJson) };
    },
  );

  app.get<{ Params: { id: string }; Reply: WebhookDeliveryDetailResponse }>(
    '/v1/webhooks/deliveries/:id',
    {
      schema: {
        summary: 'One delivery with its payload and every attempt',
        tags: ['webhooks'],
        params: idParams,
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const delivery = await deliveries.get(request.params.id);
      if (delivery === undefined) throw new DeliveryNotFoundError(request.params.id);
      const attempts = await deliveries.listAttempts(delivery.id);
      return { ...deliveryJson(delivery), payload: delivery.payload, attemptLog: attempts.map(attemptJson) };
    },
  );

  app.post<{ Params: { id: string }; Reply: WebhookDeliveryJson }>(
    '/v1/webhooks/deliveries/:id/redeliver',
    {
      schema: {
        summary: 'Send a delivery again now (also out of the dead-letter queue)',
        tags: ['webhooks'],
        params: idParams,
      },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      const delivery = await deliveries.redeliver(request.params.id, Date.now());
      if (delivery === undefined) throw new DeliveryNotFoundError(request.params.id);
      return reply.status(202).send(deliveryJson(delivery));
    },
  );
}
