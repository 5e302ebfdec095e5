import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import { UnavailableError } from '../errors.js';
import type { HealthResponse, InfoResponse, OpenApiDocument, ReadyResponse } from './api-types.js';

const READY_TIMEOUT_MS = 2_000;

/** Asks the backend something cheap: a `ping()` if the transport has one, else an admin read. */
async function probe(ctx: GatewayContext): Promise<void> {
  const ping = (ctx.transport as { ping?: () => Promise<unknown> }).ping;
  if (typeof ping === 'function') await ping.call(ctx.transport);
  else if (ctx.admin !== undefined) await ctx.admin.listTopics();
  else await ctx.transport.publish('eddy.health', []);
}

/** Health, readiness, metrics, the OpenAPI document and server info. */
export function registerSystemRoutes(
  app: FastifyInstance,
  ctx: GatewayContext,
  openapi: () => OpenApiDocument,
): void {
  app.get<{ Reply: HealthResponse }>(
    '/health',
    {
      schema: { summary: 'Liveness', tags: ['system'] },
      config: { access: 'none', doc: { responses: { '200': { description: '{ status: "ok" }' } } } },
    },
    () => ({ status: 'ok' }),
  );

  app.get<{ Reply: ReadyResponse }>(
    '/ready',
    {
      schema: { summary: 'Readiness: the backend answers', tags: ['system'] },
      config: {
        access: 'none',
        doc: {
          responses: {
            '200': { description: '{ status: "ready", transport }' },
            '503': { description: 'Backend unreachable or shutting down.' },
          },
        },
      },
    },
    async () => {
      if (!ctx.isOpen()) throw new UnavailableError('The gateway is shutting down.');
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          probe(ctx),
          new Promise((_resolve, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)),
              READY_TIMEOUT_MS,
            );
          }),
        ]);
      } catch (error) {
        throw new UnavailableError(
          `The ${ctx.transport.name} backend is not reachable: ${(error as Error).message}. Check the backend and the transport settings.`,
          error,
        );
      } finally {
        clearTimeout(timer);
      }
      return { status: 'ready', transport: ctx.transport.name };
    },
  );

  app.get(
    '/metrics',
    {
      schema: { summary: 'Prometheus metrics', tags: ['system'] },
      config: {
        access: 'admin',
        doc: {
          responses: { '200': { description: 'Prometheus text format.', content: { 'text/plain': {} } } },
        },
      },
    },
    async (_request, reply) => {
      const text = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(text);
    },
  );

  app.get<{ Reply: OpenApiDocument }>(
    '/openapi.json',
    {
      schema: { summary: 'This document', tags: ['system'] },
      config: { access: 'none', doc: { responses: { '200': { description: 'OpenAPI 3.1' } } } },
    },
    () => openapi(),
  );

  app.get<{ Reply: InfoResponse }>(
    '/v1/info',
    {
      schema: { summary: 'Server info: transport, capabilities, auth mode, limits', tags: ['system'] },
      config: {
        access: 'authenticated',
        doc: {
          responses: { '200': { description: '{ transport, capabilities, auth, limits, principal }' } },
        },
      },
    },
    (request) => ({
      transport: ctx.transport.name,
      capabilities: ctx.transport.capabilities,
      admin: ctx.admin !== undefined,
      auth: ctx.options.apiKeys.length === 0 ? 'open' : 'api-keys',
      principal: request.principal?.id ?? null,
      limits: ctx.options.limits,
      consume: ctx.options.consume,
    }),
  );
}
