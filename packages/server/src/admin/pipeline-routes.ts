import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import type { PipelineJson, PipelineListResponse } from '../http/api-types.js';
import type { PipelineStatusSource } from '../options.js';

/** `GET /v1/pipelines`: the stream pipelines the gateway was given, with their groups' lag. */
export function registerPipelineRoutes(
  app: FastifyInstance,
  ctx: GatewayContext,
  pipelines: readonly PipelineStatusSource[] | (() => readonly PipelineStatusSource[]) | undefined,
): void {
  const list = async (): Promise<PipelineJson[]> => {
    const given = typeof pipelines === 'function' ? pipelines() : (pipelines ?? []);
    const statuses = given.map((pipeline) => pipeline.status());
    // Lag comes from the backend's admin, one listing per topic the pipelines read.
    const lags = new Map<string, number>();
    if (ctx.admin !== undefined) {
      const topics = new Set(statuses.flatMap((status) => status.sources.map((source) => source.topic)));
      for (const topic of topics) {
        const groups = await Promise.resolve(ctx.admin.listGroups(topic)).catch(() => []);
        for (const group of groups) lags.set(`${topic}\u0000${group.group}`, group.lag);
      }
    }
    return statuses.map((status) => ({
      name: status.name,
      running: status.running,
      stats: { ...status.stats },
      stages: status.stages.map((stage) => ({ ...stage })),
      sources: status.sources.map((source) => {
        const lag = lags.get(`${source.topic}\u0000${source.group}`);
        return { ...source, ...(lag === undefined ? {} : { lag }) };
      }),
    }));
  };

  app.get<{ Reply: PipelineListResponse }>(
    '/v1/pipelines',
    {
      schema: {
        summary: 'List stream pipelines with stage state, late events and input lag',
        tags: ['admin'],
      },
      config: {
        access: 'admin',
        doc: {
          responses: {
            '200': {
              description:
                '{ pipelines: [{ name, running, stats, stages: [{ name, entries, watermark?, late }], sources: [{ type, topic, group, lag? }] }] }',
              content: { 'application/json': {} },
            },
          },
        },
      },
    },
    async () => ({ pipelines: await list() }),
  );
}
