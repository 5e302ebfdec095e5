import { InvalidOptionError } from '@eddy/core/internal';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import type { StatsHistoryResponse } from '../http/api-types.js';

/** `since` as RFC 3339 or epoch ms; undefined when absent. */
function sinceOf(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const time = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(time)) {
    throw new InvalidOptionError(`since must be an RFC 3339 time or epoch ms, got "${text}".`);
  }
  return time;
}

/** `GET /v1/stats/history`: the rates, lag and dead-letter depth the gateway sampled. */
export function registerStatsRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.get<{ Querystring: { since?: string }; Reply: StatsHistoryResponse }>(
    '/v1/stats/history',
    {
      schema: {
        summary: 'Sampled history: publish and consume rate per topic, lag per group, dead-letter depth',
        description:
          'The gateway samples the backend every statsHistory.intervalMs (10 s) and keeps statsHistory.retentionMs (6 h) in memory. ' +
          'Every series is aligned with `times`; null where it had no sample.',
        tags: ['admin'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            since: {
              type: 'string',
              description:
                'Only samples taken at or after this time (RFC 3339 or epoch ms). Default: all kept.',
            },
          },
        },
      },
      config: {
        access: 'admin',
        doc: {
          responses: {
            '200': {
              description: '{ intervalMs, retentionMs, times, topics, groups, deadLetters }',
              content: { 'application/json': {} },
            },
          },
        },
      },
    },
    (request) => ctx.stats.history(sinceOf(request.query.since)),
  );
}
