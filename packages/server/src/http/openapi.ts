import type { FastifyInstance, RouteOptions } from 'fastify';
import type { OpenApiDocument } from './api-types.js';
import { errorResponse } from './schemas.js';
import './route-config.js';

interface JsonSchemaObject {
  readonly properties?: Record<string, Record<string, unknown>>;
  readonly required?: readonly string[];
}

interface RouteSchema {
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly params?: JsonSchemaObject;
  readonly querystring?: JsonSchemaObject;
  readonly body?: Record<string, unknown>;
}

function parameters(
  where: 'path' | 'query',
  schema: JsonSchemaObject | undefined,
): Record<string, unknown>[] {
  if (schema?.properties === undefined) return [];
  return Object.entries(schema.properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (schema.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

const STANDARD_ERRORS = {
  '400': errorResponse,
  '401': errorResponse,
  '403': errorResponse,
  '429': errorResponse,
};

/**
 * Collects every route as it is registered and builds an OpenAPI 3.1 document from the routes'
 * validation schemas and `config.doc`, so the document cannot drift from what the server checks.
 * Call before registering routes; `build()` after `ready()`.
 */
export function collectOpenApi(
  app: FastifyInstance,
  info: { title: string; version: string },
): { build(): OpenApiDocument } {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  return {
    build() {
      const paths: OpenApiDocument['paths'] = {};
      for (const route of routes) {
        const methods = (Array.isArray(route.method) ? route.method : [route.method]).map((method) =>
          method.toLowerCase(),
        );
        const schema = (route.schema ?? {}) as RouteSchema;
        const config = (route.config ?? {}) as {
          access?: string;
          doc?: { hidden?: boolean; requestBody?: unknown; responses?: Record<string, unknown> };
        };
        if (config.doc?.hidden === true) continue;
        const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        for (const method of methods) {
          if (method === 'head' || method === 'options') continue;
          const open = config.access === 'none';
          const operation: Record<string, unknown> = {
            operationId: `${method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_match, next: string | undefined) => (next ?? '').toUpperCase())}`,
            ...(schema.summary === undefined ? {} : { summary: schema.summary }),
            ...(schema.description === undefined ? {} : { description: schema.description }),
            ...(schema.tags === undefined ? {} : { tags: [...schema.tags] }),
            parameters: [...parameters('path', schema.params), ...parameters('query', schema.querystring)],
            responses: {
              ...(open ? {} : STANDARD_ERRORS),
              ...(config.doc?.responses ?? { '200': { description: 'OK' } }),
            },
            ...(open ? { security: [] } : {}),
          };
          if (config.doc?.requestBody !== undefined) operation['requestBody'] = config.doc.requestBody;
          else if (schema.body !== undefined) {
            operation['requestBody'] = {
              required: true,
              content: { 'application/json': { schema: schema.body } },
            };
          }
          (paths[path] ??= {})[method] = operation;
        }
      }
      return {
        openapi: '3.1.0',
        info: {
          ...info,
          description:
            'Eddy gateway: publish events over HTTP (JSON or CloudEvents), consume over HTTP pull, WebSocket or SSE, and administer topics, groups and dead-letter queues. ' +
            'Errors are { "error": { "code": "EDDY_...", "message": "..." } }.',
        },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'An Eddy API key.' },
            apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          },
        },
        security: [{ bearer: [] }, { apiKey: [] }],
        paths,
      };
    },
  };
}
