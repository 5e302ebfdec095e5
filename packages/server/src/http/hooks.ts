import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import { sendProblem } from './problem.js';

/** Query parameters that may carry secrets, masked wherever a URL is logged. */
const SECRET_QUERY = /([?&](?:apiKey|api_key|access_token)=)[^&]*/gi;

/** A request URL with its secret query parameters masked (credentials in connection URLs: core's `redactUrl`). */
export function redactQuerySecrets(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

/** Error and not-found handlers in the `{ error: { code, message } }` form, and request metrics. */
export function installHttpHooks(app: FastifyInstance, metrics: GatewayMetrics): void {
  app.setErrorHandler((error, request, reply) => sendProblem(error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: {
        code: 'EDDY_NOT_FOUND',
        message: `No route ${request.method} ${redactQuerySecrets(request.url.split('?')[0] ?? '')}. The API is described at GET /openapi.json.`,
      },
    });
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.requestDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
}
