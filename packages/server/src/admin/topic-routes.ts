import type { TopicSummary } from '@eddy/core';
import { InvalidOptionError } from '@eddy/core/internal';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import type {
  CreateTopicRequest,
  CreateTopicResponse,
  MessageListResponse,
  TopicDetailResponse,
  TopicListResponse,
  TopicSearchResponse,
} from '../http/api-types.js';
import { topicParams } from '../http/schemas.js';
import { groupJson, storedMessageJson, topicJson } from './admin-json.js';
import { firstMessageAt } from './offset-at-time.js';
import { isInternalGroup, isInternalTopic } from './internal-names.js';
import { requireAdmin } from './require-admin.js';
import { DEFAULT_SCAN, MAX_SCAN, searchTopic } from './topic-search.js';

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

/** `time` as RFC 3339 or epoch ms. */
function timeOf(text: string): number {
  const time = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(time)) {
    throw new InvalidOptionError(`time must be an RFC 3339 time or epoch ms, got "${text}".`);
  }
  return time;
}

/** Topics: create (partitions, retention), list, stats, browse and search messages. */
export function registerTopicRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const requireTopic = async (name: string): Promise<TopicSummary> => {
    const topic = (await requireAdmin(ctx).listTopics()).find((candidate) => candidate.name === name);
    if (topic === undefined) throw new NotFoundError(`Topic "${name}" does not exist (see GET /v1/topics).`);
    return topic;
  };
  const requirePartition = (topic: TopicSummary, partition: number) => {
    const info = topic.partitionInfo.find((candidate) => candidate.partition === partition);
    if (info === undefined) {
      throw new InvalidOptionError(
        `Topic "${topic.name}" has partitions 0..${topic.partitions - 1}, got ${partition}.`,
      );
    }
    return info;
  };

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
    Querystring: { partition: number; from?: string; time?: string; limit?: number };
    Reply: MessageListResponse;
  }>(
    '/v1/topics/:topic/messages',
    {
      schema: {
        summary: 'Read stored messages of one partition (browsing; no group, no ack)',
        description:
          'From an offset (`from`), or from the first message published at or after a time (`time`); not both.',
        tags: ['admin'],
        params: topicParams,
        querystring: {
          type: 'object',
          properties: {
            partition: { type: 'integer', minimum: 0, default: 0 },
            from: { type: 'string', description: 'First offset (inclusive). Default: the oldest retained.' },
            time: {
              type: 'string',
              description:
                'Start at the first message published at or after this time (RFC 3339 or epoch ms). Empty list when all are older.',
            },
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
      const { from, time, partition, limit = 100 } = request.query;
      const topic = await requireTopic(request.params.topic);
      if (from !== undefined && time !== undefined) {
        throw new InvalidOptionError('Give either from (an offset) or time, not both.');
      }
      let start = from;
      if (time !== undefined) {
        const first = await firstMessageAt(
          admin,
          topic.name,
          requirePartition(topic, partition),
          timeOf(time),
        );
        if (first === undefined) return { messages: [] };
        start = first.offset;
      }
      const stored = await admin.readMessages(topic.name, {
        partition,
        limit,
        ...(start === undefined ? {} : { fromOffset: start }),
      });
      return { messages: stored.map(storedMessageJson) };
    },
  );

  app.get<{
    Params: { topic: string };
    Querystring: {
      key?: string;
      q?: string;
      partition?: number;
      from?: string;
      limit?: number;
      scan?: number;
    };
    Reply: TopicSearchResponse;
  }>(
    '/v1/topics/:topic/search',
    {
      schema: {
        summary: 'Find stored messages by key or by text in the payload (a bounded scan)',
        description:
          `Reads at most \`scan\` messages (default ${DEFAULT_SCAN}, at most ${MAX_SCAN}) from the oldest retained, ` +
          'shared between partitions, and returns those matching every given filter. `complete` is false when the bound or `limit` stopped the scan before the newest message.',
        tags: ['admin'],
        params: topicParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            key: { type: 'string', description: 'Only messages with exactly this key.' },
            q: {
              type: 'string',
              description:
                'Only messages whose CloudEvent JSON (or raw payload) contains this text; case-sensitive.',
            },
            partition: { type: 'integer', minimum: 0, description: 'Only this partition. Default: all.' },
            from: {
              type: 'string',
              description: 'First offset read (inclusive); needs `partition`. Default: the oldest retained.',
            },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'Most matches.' },
            scan: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_SCAN,
              default: DEFAULT_SCAN,
              description: 'Most messages read.',
            },
          },
        },
      },
      config: {
        access: 'admin',
        doc: { responses: jsonResponse('{ messages, scanned, scanLimit, complete }') },
      },
    },
    async (request) => {
      const { key, q, partition, from, limit = 100, scan = DEFAULT_SCAN } = request.query;
      const topic = await requireTopic(request.params.topic);
      if (from !== undefined && partition === undefined) {
        throw new InvalidOptionError('from is an offset of one partition: give partition too.');
      }
      if (partition !== undefined) requirePartition(topic, partition);
      return searchTopic(requireAdmin(ctx), topic, {
        limit,
        scan,
        ...(key === undefined ? {} : { key }),
        ...(q === undefined ? {} : { q }),
        ...(partition === undefined ? {} : { partition }),
        ...(from === undefined ? {} : { from }),
      });
    },
  );
}
