import { assertGroupName, assertTopicName, InvalidOptionError } from '@eddy/core/internal';
import type { FastifyInstance } from 'fastify';
import { principalIdOf } from '../auth/auth-hook.js';
import type { GatewayContext } from '../context.js';
import type { AckRequest, NackRequest, SettleResponse } from '../http/api-types.js';
import { ackBody, errorResponse, fromQuery, topicGroupParams } from '../http/schemas.js';
import { deliveryText } from './delivery.js';
import { parseStartPosition } from './start-position.js';
import { filterQuerySchema, parseConsumeFilter, type FilterQuery } from './consume-filter.js';

interface GroupParams {
  topic: string;
  group: string;
}

const settleResponse = {
  description: 'How many ack ids were settled, and which were unknown (expired, settled already or made up).',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: { settled: { type: 'integer' }, unknown: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
};

const JSON_UTF8 = 'application/json; charset=utf-8';

export const DELIVERY_SCHEMA = {
  type: 'object',
  properties: {
    ackId: { type: 'string' },
    deliveryCount: { type: 'integer' },
    topic: { type: 'string' },
    partition: { type: 'integer' },
    offset: { type: 'string' },
    publishedAt: { type: 'string', format: 'date-time' },
    event: {
      type: ['object', 'null'],
      description: 'The CloudEvent in structured JSON form (data_base64 for binary data).',
    },
    raw: {
      type: 'object',
      description: 'Only for messages that are not CloudEvents.',
      properties: { headers: { type: 'object' }, payloadBase64: { type: 'string' } },
    },
  },
} as const;

/** HTTP pull: lease messages with a long-poll, then ack or nack them by ack id. */
export function registerPullRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const { limits, consume } = ctx.options;

  app.get<{
    Params: GroupParams;
    Querystring: { max?: number; wait?: number; from?: string } & FilterQuery;
    // A PullResponse, written as JSON text by deliveryText.
    Reply: string;
  }>(
    '/v1/topics/:topic/groups/:group/messages',
    {
      schema: {
        summary: 'Pull messages (long-poll)',
        description: `Leases up to max messages for ${consume.ackTimeoutMs} ms (consume.ackTimeoutMs); unacked ones are redelivered after that.`,
        tags: ['consume'],
        params: topicGroupParams,
        querystring: {
          type: 'object',
          properties: {
            max: { type: 'integer', minimum: 1, maximum: limits.maxPullMessages, default: 10 },
            wait: {
              type: 'number',
              minimum: 0,
              maximum: limits.maxWaitSeconds,
              default: 0,
              description: 'Seconds to wait for a first message.',
            },
            from: fromQuery,
            ...filterQuerySchema,
          },
        },
      },
      config: {
        access: 'consume',
        doc: {
          responses: {
            '200': {
              description: 'Leased messages, possibly none.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { messages: { type: 'array', items: DELIVERY_SCHEMA } },
                  },
                },
              },
            },
            '400': errorResponse,
          },
        },
      },
    },
    async (request, reply) => {
      const { topic, group } = request.params;
      assertTopicName(topic);
      assertGroupName(group);
      const wait = request.query.wait ?? 0;
      // ajv coerces "Infinity" and "1e400" to Infinity and then skips `maximum`.
      if (!Number.isFinite(wait)) {
        throw new InvalidOptionError(`wait must be a number of seconds from 0 to ${limits.maxWaitSeconds}.`);
      }
      const bridge = await ctx.pulls.get(
        topic,
        group,
        parseStartPosition(request.query.from),
        principalIdOf(request),
        parseConsumeFilter(request.query),
      );
      const leases = await bridge.take(request.query.max ?? 10, Math.round(wait * 1000), (cancel) => {
        reply.raw.once('close', () => {
          if (!reply.raw.writableFinished) cancel();
        });
      });
      // The body is written as text (see deliveryText): the same JSON as serialising the objects.
      let body = '{"messages":[';
      for (let i = 0; i < leases.length; i += 1) body += (i === 0 ? '' : ',') + deliveryText(leases[i]!);
      return reply.type(JSON_UTF8).send(`${body}]}`);
    },
  );

  app.post<{ Params: GroupParams; Body: AckRequest; Reply: SettleResponse }>(
    '/v1/topics/:topic/groups/:group/ack',
    {
      schema: {
        summary: 'Acknowledge leased messages',
        tags: ['consume'],
        params: topicGroupParams,
        body: ackBody,
      },
      config: { access: 'consume', doc: { responses: { '200': settleResponse } } },
    },
    (request) => ctx.settle.ack(request.params.topic, request.params.group, request.body.ackIds),
  );

  app.post<{ Params: GroupParams; Body: NackRequest; Reply: SettleResponse }>(
    '/v1/topics/:topic/groups/:group/nack',
    {
      schema: {
        summary: 'Give leased messages back for redelivery',
        tags: ['consume'],
        params: topicGroupParams,
        body: ackBody,
      },
      config: { access: 'consume', doc: { responses: { '200': settleResponse } } },
    },
    (request) =>
      ctx.settle.nack(
        request.params.topic,
        request.params.group,
        request.body.ackIds,
        request.body.delayMs ?? 0,
      ),
  );
}
