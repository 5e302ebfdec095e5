import { type StartPosition } from '@eddy/core';
import { InvalidOptionError } from '@eddy/core/internal';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import type {
  GroupDetailResponse,
  GroupListResponse,
  ResetGroupRequest,
  ResetGroupResponse,
  ResetTarget,
} from '../http/api-types.js';
import { topicGroupParams, topicParams } from '../http/schemas.js';
import { groupJson } from './admin-json.js';
import { isInternalGroup, requireAdmin } from './require-admin.js';

const resetBody = {
  type: 'object',
  required: ['to'],
  additionalProperties: false,
  properties: {
    to: {
      description:
        '"earliest", "latest", { "time": RFC 3339 or epoch ms } or { "positions": [{ "partition", "offset" }] }.',
      oneOf: [
        { type: 'string', enum: ['earliest', 'latest'] },
        {
          type: 'object',
          required: ['time'],
          properties: { time: { type: ['string', 'integer'] } },
          additionalProperties: false,
        },
        {
          type: 'object',
          required: ['positions'],
          additionalProperties: false,
          properties: {
            positions: {
              type: 'array',
              items: {
                type: 'object',
                required: ['partition', 'offset'],
                properties: {
                  partition: { type: 'integer', minimum: 0 },
                  offset: { type: ['string', 'integer'] },
                },
              },
            },
          },
        },
      ],
    },
  },
} as const;

function startPositionOf(to: ResetTarget): StartPosition {
  if (typeof to === 'string') return to;
  if ('time' in to) {
    const time = typeof to.time === 'number' ? to.time : Date.parse(to.time);
    if (!Number.isFinite(time))
      throw new InvalidOptionError(`to.time must be RFC 3339 or epoch ms, got "${to.time}".`);
    return { time };
  }
  return {
    positions: to.positions.map((position) => ({
      partition: position.partition,
      offset: String(position.offset),
    })),
  };
}

const jsonResponse = (description: string) => ({
  '200': { description, content: { 'application/json': {} } },
});

/** Consumer groups: list with lag, inspect, reset (replay). */
export function registerGroupRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const list = async (topic?: string) =>
    (await requireAdmin(ctx).listGroups(topic))
      .filter((group) => !isInternalGroup(group.group))
      .map(groupJson);

  app.get<{ Querystring: { topic?: string }; Reply: GroupListResponse }>(
    '/v1/groups',
    {
      schema: {
        summary: 'List consumer groups with their lag',
        tags: ['admin'],
        querystring: {
          type: 'object',
          properties: { topic: { type: 'string', description: 'Only groups of this topic.' } },
        },
      },
      config: {
        access: 'admin',
        doc: { responses: jsonResponse('{ groups: [{ topic, group, lag, members, partitions }] }') },
      },
    },
    async (request) => ({ groups: await list(request.query.topic) }),
  );

  app.get<{ Params: { topic: string }; Reply: GroupListResponse }>(
    '/v1/topics/:topic/groups',
    {
      schema: { summary: 'Consumer groups of a topic, with lag', tags: ['admin'], params: topicParams },
      config: { access: 'admin', doc: { responses: jsonResponse('{ groups }') } },
    },
    async (request) => ({ groups: await list(request.params.topic) }),
  );

  app.get<{ Params: { topic: string; group: string }; Reply: GroupDetailResponse }>(
    '/v1/topics/:topic/groups/:group',
    {
      schema: {
        summary: 'One consumer group: lag, members, position per partition',
        tags: ['admin'],
        params: topicGroupParams,
      },
      config: { access: 'admin', doc: { responses: jsonResponse('{ group }') } },
    },
    async (request) => {
      const group = (await list(request.params.topic)).find(
        (candidate) => candidate.group === request.params.group,
      );
      if (group === undefined) {
        throw new NotFoundError(
          `Group "${request.params.group}" of topic "${request.params.topic}" does not exist.`,
        );
      }
      return { group };
    },
  );

  app.post<{ Params: { topic: string; group: string }; Body: ResetGroupRequest; Reply: ResetGroupResponse }>(
    '/v1/topics/:topic/groups/:group/reset',
    {
      schema: {
        summary: 'Move a group (replay or skip): members resume from the new position',
        tags: ['admin'],
        params: topicGroupParams,
        body: resetBody,
      },
      config: { access: 'admin', doc: { responses: jsonResponse('{ group }: the group after the reset.') } },
    },
    async (request) => {
      const { topic, group } = request.params;
      const admin = requireAdmin(ctx);
      if (!(await admin.listTopics()).some((candidate) => candidate.name === topic)) {
        throw new NotFoundError(`Topic "${topic}" does not exist.`);
      }
      await admin.resetGroup(topic, group, startPositionOf(request.body.to));
      const after = (await list(topic)).find((candidate) => candidate.group === group);
      return after === undefined ? {} : { group: after };
    },
  );
}
