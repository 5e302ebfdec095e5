import { type DeadLetterSelection } from '@eddy/core';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import type {
  DeadLetterEntryResponse,
  DeadLetterListResponse,
  DeadLetterQueueListResponse,
  DeadLetterSelectionRequest,
  PurgeResponse,
  RedriveResponse,
} from '../http/api-types.js';
import { topicParams } from '../http/schemas.js';
import { deadLetterJson } from './admin-json.js';

const selectionBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ids: {
      type: 'array',
      items: { type: 'string' },
      description: 'Entry ids ("<partition>:<offset>"). Absent: every entry.',
    },
  },
} as const;

function selectionOf(body: DeadLetterSelectionRequest | undefined): DeadLetterSelection {
  return body?.ids === undefined ? 'all' : { ids: body.ids };
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
          responses: jsonResponse('{ queues: [{ topic, messages }] } (messages counts settled entries too)'),
        },
      },
    },
    async () => {
      const topics = ctx.admin === undefined ? [] : await ctx.admin.listTopics();
      return {
        queues: topics
          .filter((topic) => topic.name.endsWith('.dlq'))
          .map((topic) => ({ topic: topic.name, messages: topic.messages })),
      };
    },
  );

  app.get<{ Params: { topic: string }; Querystring: { limit?: number }; Reply: DeadLetterListResponse }>(
    '/v1/dlq/:topic/entries',
    {
      schema: {
        summary: 'Entries still in a dead-letter queue, oldest first',
        tags: ['dlq'],
        params: topicParams,
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 } },
        },
      },
      config: { access: 'admin', doc: { responses: jsonResponse('{ entries: [...], total }') } },
    },
    async (request) => {
      const entries = await ctx.dlq.list(request.params.topic);
      return {
        entries: entries.slice(0, request.query.limit ?? 1000).map(deadLetterJson),
        total: entries.length,
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
