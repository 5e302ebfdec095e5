import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import type {
  CreateTopicRequest,
  CreateTopicResponse,
  MessageListResponse,
  TopicDetailResponse,
  TopicListResponse,
} from '../http/api-types.js';
import { topicParams } from '../http/schemas.js';
import { groupJson, storedMessageJson, topicJson } from './admin-json.js';
import { isInternalGroup, isInternalTopic, requireAdmin } from './require-admin.js';

const topicBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    partitions: {
      type: 'integer',
      minimum: 1,
      maximum: 1024,
      description: 'Fixed at creation. Default: the transport default.',
    },
    retentionMs: { type: 'integer', minimum: 0, description: 'Drop messages older than this; 0 = keep.' },
    retentionMessages: {
      type: 'integer',
      minimum: 0,
      description: 'Keep at most this many per partition; 0 = no limit.',
    },
    retentionBytes: {
      type: 'integer',
      minimum: 0,
      description: 'Keep at most this many bytes per partition; 0 = no limit.',
    },
  },
} as const;

const jsonResponse = (description: string) => ({
  '200': { description, content: { 'application/json': {} } },
});

/** Topics: create (partitions, retention), list, stats, browse messages. */
export function registerTopicRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.get<{ Querystring: { internal?: boolean }; Reply: TopicListResponse }>(
    '/v1/topics',
    {
      schema: {
        summary: 'List topics with their stats',
        tags: ['admin'],
        querystring: {
          type: 'object',
          properties: {
            internal: {
              type: 'boolean',
              default: false,
              description: "Also list Eddy's own bookkeeping topics (`<topic>.dlq.resolved`).",
            },
          },
        },
      },
      config: {
        access: 'admin',
        doc: {
          responses: jsonResponse(
            '{ topics: [{ name, partitions, messages, bytes, retention*, partitionInfo }] }',
          ),
        },
      },
    },
    async (request) => ({
      topics: (await requireAdmin(ctx).listTopics())
        .filter((topic) => request.query.internal === true || !isInternalTopic(topic.name))
        .map(topicJson),
    }),
  );

  app.post<{ Body: CreateTopicRequest; Reply: { 201: CreateTopicResponse } }>(
    '/v1/topics',
    {
      schema: { summary: 'Create a topic, or change its retention', tags: ['admin'], body: topicBody },
      config: {
        access: 'admin',
        doc: { responses: { '201': { description: '{ topic }: the topic as listed.' } } },
      },
    },
    async (request, reply) => {
      const admin = requireAdmin(ctx);
      const { name, ...options } = request.body;
      await admin.createTopic(name, options);
      const topic = (await admin.listTopics()).find((candidate) => candidate.name === name);
      return reply.status(201).send(topic === undefined ? {} : { topic: topicJson(topic) });
    },
  );

  app.get<{ Params: { topic: string }; Reply: TopicDetailResponse }>(
    '/v1/topics/:topic',
    {
      schema: {
        summary: 'One topic: stats, partitions and its consumer groups',
        tags: ['admin'],
        params: topicParams,
      },
      config: { access: 'admin', doc: { responses: jsonResponse('{ topic, groups }') } },
    },
    async (request) => {
      const admin = requireAdmin(ctx);
      const topic = (await admin.listTopics()).find((candidate) => candidate.name === request.params.topic);
      if (topic === undefined) throw new NotFoundError(`Topic "${request.params.topic}" does not exist.`);
      const groups = (await admin.listGroups(topic.name)).filter((group) => !isInternalGroup(group.group));
      return { topic: topicJson(topic), groups: groups.map(groupJson) };
    },
  );

  app.get<{
    Params: { topic: string };
    Querystring: { partition: number; from?: string; limit?: number };
    Reply: MessageListResponse;
  }>(
    '/v1/topics/:topic/messages',
    {
      schema: {
        summary: 'Read stored messages of one partition (browsing; no group, no ack)',
        tags: ['admin'],
        params: topicParams,
        querystring: {
          type: 'object',
          properties: {
            partition: { type: 'integer', minimum: 0, default: 0 },
            from: { type: 'string', description: 'First offset (inclusive). Default: the oldest retained.' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
      },
      config: {
        access: 'admin',
        doc: {
          responses: jsonResponse('{ messages: [{ partition, offset, key, publishedAt, event | raw }] }'),
        },
      },
    },
    async (request) => {
      const admin = requireAdmin(ctx);
      const { topic } = request.params;
      if (!(await admin.listTopics()).some((candidate) => candidate.name === topic)) {
        throw new NotFoundError(`Topic "${topic}" does not exist.`);
      }
      const stored = await admin.readMessages(topic, {
        partition: request.query.partition,
        limit: request.query.limit ?? 100,
        ...(request.query.from === undefined ? {} : { fromOffset: request.query.from }),
      });
      return { messages: stored.map(storedMessageJson) };
    },
  );
}
