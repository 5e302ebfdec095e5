import { type DeadLetterSelection } from '@eddy/core';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import type {
  DeadLetterEntryResponse,
  DeadLetterFilterJson,
  DeadLetterListResponse,
  DeadLetterQueueListResponse,
  DeadLetterSelectionRequest,
  PurgeResponse,
  RedriveResponse,
} from '../http/api-types.js';
import { topicParams } from '../http/schemas.js';
import { deadLetterJson } from './admin-json.js';
import { deadLetterFilterProperties, deadLetterPredicate } from './dlq-filter.js';

const selectionBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ids: {
      type: 'array',
      items: { type: 'string' },
      description: 'Entry ids ("<partition>:<offset>"). Absent: every entry (that the filter selects).',
    },
    filter: {
      type: 'object',
      additionalProperties: false,
      description: 'Bulk selection: entries matching every given field.',
      properties: deadLetterFilterProperties,
    },
  },
} as const;

function selectionOf(body: DeadLetterSelectionRequest | undefined): DeadLetterSelection {
  const predicate = deadLetterPredicate(body?.filter ?? {});
  const ids = body?.ids;
  if (predicate === undefined) return ids === undefined ? 'all' : { ids };
  if (ids === undefined) return { filter: predicate };
  const wanted = new Set(ids);
  return { filter: (entry) => wanted.has(entry.id) && predicate(entry) };
}

const jsonResponse = (description: string) => ({
  '200': { description, content: { 'application/json': {} } },
});

/** Dead-letter queues: list, inspect, redrive, purge (core's dead-letter admin, any transport with replay). */
export function registerDlqRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.get<{ Reply: DeadLetterQueueListResponse }>(
    '/v1/dlq',
    {
      schema: { summary: 'List dead-letter topics (names ending in .dlq)', tags: ['dlq'] },
      config: {
        access: 'admin',
        doc: {
          responses: jsonResponse(
            '{ queues: [{ topic, messages, stored }] }: messages still in the queue, and stored (settled ones included)',
          ),
        },
      },
    },
    async () => {
      const topics = ctx.admin === undefined ? [] : await ctx.admin.listTopics();
      const queues = topics.filter((topic) => topic.name.endsWith('.dlq'));
      // Live counts need the settled records: redriven and purged entries stay in the topic.
      const live = await Promise.all(queues.map(async (topic) => (await ctx.dlq.list(topic.name)).length));
      return {
        queues: queues.map((topic, index) => ({
          topic: topic.name,
          messages: live[index] ?? 0,
          stored: topic.messages,
        })),
      };
    },
  );

  app.get<{
    Params: { topic: string };
    Querystring: DeadLetterFilterJson & { limit?: number; offset?: number };
    Reply: DeadLetterListResponse;
  }>(
    '/v1/dlq/:topic/entries',
    {
      schema: {
        summary: 'Entries still in a dead-letter queue, oldest first; paged and filtered',
        tags: ['dlq'],
        params: topicParams,
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
            offset: { type: 'integer', minimum: 0, default: 0, description: 'Matching entries to skip.' },
            ...deadLetterFilterProperties,
          },
        },
      },
      config: {
        access: 'admin',
        doc: { responses: jsonResponse('{ entries: [...], total, matched, offset }') },
      },
    },
    async (request) => {
      const { limit = 1000, offset = 0, ...filter } = request.query;
      const entries = await ctx.dlq.list(request.params.topic);
      const predicate = deadLetterPredicate(filter);
      const matching = predicate === undefined ? entries : entries.filter(predicate);
      return {
        entries: matching.slice(offset, offset + limit).map(deadLetterJson),
        total: entries.length,
        matched: matching.length,
        offset,
      };
    },
  );

  app.get<{ Params: { topic: string; id: string }; Reply: DeadLetterEntryResponse }>(
    '/v1/dlq/:topic/entries/:id',
    {
      schema: {
        summary: 'One dead-letter entry with its error and original event',
        tags: ['dlq'],
        params: {
          type: 'object',
          required: ['topic', 'id'],
          properties: { topic: { type: 'string' }, id: { type: 'string' } },
        },
      },
      config: { access: 'admin', doc: { responses: jsonResponse('{ entry }') } },
    },
    async (request) => {
      const entry = await ctx.dlq.inspect(request.params.topic, request.params.id);
      if (entry === undefined) {
        throw new NotFoundError(
          `No entry "${request.params.id}" in dead-letter topic "${request.params.topic}" (redriven or purged already?).`,
        );
      }
      return { entry: deadLetterJson(entry) };
    },
  );

  app.post<{
    Params: { topic: string };
    Body: DeadLetterSelectionRequest | undefined;
    Reply: RedriveResponse;
  }>(
    '/v1/dlq/:topic/redrive',
    {
      schema: {
        summary: 'Republish entries to their original topic, for the handler that failed',
        tags: ['dlq'],
        params: topicParams,
        body: selectionBody,
      },
      config: { access: 'admin', doc: { responses: jsonResponse('{ redriven }') } },
    },
    async (request) => ({ redriven: await ctx.dlq.redrive(request.params.topic, selectionOf(request.body)) }),
  );

  app.post<{ Params: { topic: string }; Body: DeadLetterSelectionRequest | undefined; Reply: PurgeResponse }>(
    '/v1/dlq/:topic/purge',
    {
      schema: {
        summary: 'Drop entries from a dead-letter queue',
        tags: ['dlq'],
        params: topicParams,
        body: selectionBody,
      },
      config: { access: 'admin', doc: { responses: jsonResponse('{ purged }') } },
    },
    async (request) => ({ purged: await ctx.dlq.purge(request.params.topic, selectionOf(request.body)) }),
  );
}
