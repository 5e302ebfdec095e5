import { type StartPosition } from '@eddy/core';
import { InvalidOptionError, NotSupportedError } from '@eddy/core/internal';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type {
  GroupDetailResponse,
  GroupListResponse,
  ResetGroupRequest,
  ResetGroupResponse,
  ResetTarget,
} from '../http/api-types.js';
import { topicGroupParams, topicParams } from '../http/schemas.js';
import { groupJson } from './admin-json.js';
import { isInternalGroup } from './internal-names.js';
import { requireAdmin } from './require-admin.js';

const resetBody = {
  type: 'object',
  required: ['to'],
  additionalProperties: false,
  properties: {
    create: {
      type: 'boolean',
      default: false,
      description:
        'Create the group at `to` when it does not exist. Without it a group name that does not exist is a 404, so a misspelled name never becomes a new group.',
    },
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
  const requireTopic = async (topic: string): Promise<void> => {
    if (!(await requireAdmin(ctx).listTopics()).some((candidate) => candidate.name === topic)) {
      throw new NotFoundError(`Topic "${topic}" does not exist (see GET /v1/topics).`);
    }
  };
  const list = async (topic?: string) => {
    if (topic !== undefined) await requireTopic(topic);
    return (await requireAdmin(ctx).listGroups(topic))
      .filter((group) => !isInternalGroup(group.group))
      .map(groupJson);
  };
  const find = async (topic: string, group: string) =>
    (await list(topic)).find((candidate) => candidate.group === group);
  const missingGroup = (topic: string, group: string, hint = '') =>
    new NotFoundError(
      `Group "${group}" of topic "${topic}" does not exist (see GET /v1/topics/${topic}/groups).${hint}`,
    );

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
      const group = await find(request.params.topic, request.params.group);
      if (group === undefined) throw missingGroup(request.params.topic, request.params.group);
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
      if (request.body.create !== true && (await find(topic, group)) === undefined) {
        throw missingGroup(topic, group, ' Pass "create": true to create it at the new position.');
      }
      await admin.resetGroup(topic, group, startPositionOf(request.body.to));
      const after = await find(topic, group);
      return after === undefined ? {} : { group: after };
    },
  );

  app.delete<{ Params: { topic: string; group: string } }>(
    '/v1/topics/:topic/groups/:group',
    {
      schema: {
        summary:
          'Delete a consumer group (its positions and unsettled deliveries); it must have no live member',
        tags: ['admin'],
        params: topicGroupParams,
      },
      config: {
        access: 'admin',
        doc: {
          responses: {
            '204': { description: 'Deleted.' },
            '404': { description: 'No such topic or group.' },
            '409': { description: 'The group has live members: stop them first.' },
          },
        },
      },
    },
    async (request, reply) => {
      const { topic, group } = request.params;
      const admin = requireAdmin(ctx);
      if (admin.deleteGroup === undefined) {
        throw new NotSupportedError(`The ${ctx.transport.name} transport cannot delete consumer groups.`);
      }
      const found = await find(topic, group);
      if (found === undefined) throw missingGroup(topic, group);
      if (found.members > 0) {
        throw new ConflictError(
          `Group "${group}" of topic "${topic}" has ${found.members} live member(s): stop its consumers, then delete it (a live member would recreate it).`,
        );
      }
      if (!(await admin.deleteGroup(topic, group))) throw missingGroup(topic, group);
      return reply.status(204).send();
    },
  );
}
