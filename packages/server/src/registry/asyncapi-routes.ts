import { buildAsyncApi, type AsyncApiDocument, type SchemaRegistry } from '@eddy/schemas';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import '../http/route-config.js';

/**
 * `GET /asyncapi.json`: an AsyncAPI 3.0 document of the backend's topics (when the transport has an
 * admin), the registry's subjects as messages on the topics their types route to, and this gateway
 * as the server.
 */
export function registerAsyncApiRoutes(
  app: FastifyInstance,
  ctx: GatewayContext,
  registry: SchemaRegistry,
): void {
  app.get(
    '/asyncapi.json',
    {
      schema: { summary: 'AsyncAPI 3.0 document of topics and registered event schemas', tags: ['registry'] },
      config: {
        access: 'authenticated',
        doc: {
          responses: { '200': { description: 'AsyncAPI 3.0, validated by @asyncapi/parser in the tests.' } },
        },
      },
    },
    async (request): Promise<AsyncApiDocument> => {
      const topics = ctx.admin === undefined ? [] : (await ctx.admin.listTopics()).map((topic) => topic.name);
      return buildAsyncApi({
        registry,
        topicFor: ctx.topicForType,
        // Dead-letter topics carry failed deliveries of other topics, not events of their own.
        topics: topics.filter((topic) => !topic.endsWith('.dlq')),
        title: 'Eddy gateway events',
        servers: {
          gateway: {
            host: request.headers.host ?? `${ctx.options.host}:${ctx.options.port}`,
            protocol: request.protocol,
            pathname: '/v1',
            description: 'Eddy gateway: HTTP publish, pull, WebSocket and SSE consume.',
          },
        },
      });
    },
  );
}
