import { createInboundReceiver } from '@eddy/webhooks';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import { NotFoundError, UnavailableError } from '../errors.js';
import { toOutgoing } from '../publish/event-input.js';
import type { InboundWebhookResponse } from './webhook-api-types.js';
import type { WebhookGatewayOptions } from './webhook-gateway-options.js';

/** Names the other webhook routes use: a source cannot take them. */
const RESERVED = new Set(['endpoints', 'deliveries']);

/**
 * `POST /v1/webhooks/{source}`: verifies the sender's signature over the raw body (401 and nothing
 * published when it fails), maps the payload to a CloudEvent, and answers 202 only once the
 * transport has made the event durable; a delivery id seen before is answered 202 again without
 * publishing. Open to the world (no API key): the signature is the authentication.
 */
export function registerInboundRoutes(
  app: FastifyInstance,
  ctx: GatewayContext,
  options: WebhookGatewayOptions,
): void {
  for (const source of options.sources ?? []) {
    if (RESERVED.has(source.name)) {
      throw new Error(
        `Inbound webhook source name "${source.name}" is reserved for the gateway's routes; choose another.`,
      );
    }
  }
  const receiver = createInboundReceiver({
    sources: options.sources ?? [],
    ...(options.inbox === undefined ? {} : { inbox: options.inbox }),
    publish: async (event) => {
      await ctx.transport.publish(ctx.topicForType(event.type), [toOutgoing(event)]);
    },
  });
  // Signatures are over the exact bytes sent: bodies stay raw here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: ctx.options.limits.maxBodyBytes },
    (_request, body, done) => {
      done(null, body);
    },
  );
  app.post<{ Params: { source: string }; Reply: InboundWebhookResponse }>(
    '/v1/webhooks/:source',
    {
      schema: {
        summary: 'Receive a webhook from a configured source (Standard Webhooks, GitHub or Stripe signature)',
        tags: ['webhooks'],
        params: { type: 'object', required: ['source'], properties: { source: { type: 'string' } } },
      },
      config: { access: 'none' },
    },
    async (request, reply) => {
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const outcome = await receiver.receive(request.params.source, { body, headers });
      if (outcome.status === 'unknown-source') {
        throw new NotFoundError(
          `No inbound webhook source "${request.params.source}" is configured on this gateway.`,
        );
      }
      if (outcome.status === 'busy') {
        void reply.header('retry-after', '1');
        throw new UnavailableError(
          'This delivery is being accepted by another request right now; retry shortly.',
        );
      }
      return reply
        .status(202)
        .send({ status: outcome.status, id: outcome.event.id, type: outcome.event.type });
    },
  );
}
