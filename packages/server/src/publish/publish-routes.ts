import type { OutgoingMessage } from '@eddy/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireAccess } from '../auth/auth-hook.js';
import type { PublishedPosition, PublishResponse } from '../http/api-types.js';
import type { GatewayContext } from '../context.js';
import { checkContracts } from '../registry/contract-check.js';
import { UnsupportedMediaTypeError } from '../errors.js';
import { topicParams } from '../http/schemas.js';
import {
  eventsFromEnvelopes,
  parseJsonBody,
  PUBLISH_ENVELOPE_SCHEMA,
  toOutgoing,
  type PreparedEvent,
} from './event-input.js';
import { cloudEventModeOf, eventsFromHttp } from './http-binding.js';

/** Schema of a `PublishResponse`: documented, and compiled into the routes' answer serialiser. */
const POSITIONS_SCHEMA = {
  type: 'object',
  properties: {
    positions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          topic: { type: 'string' },
          partition: { type: 'integer' },
          offset: { type: 'string' },
        },
      },
    },
  },
} as const;

const POSITIONS_RESPONSE = {
  description: 'Every event is durable in the backend; positions in request order.',
  content: { 'application/json': { schema: POSITIONS_SCHEMA } },
};

const CLOUDEVENT_BODIES = {
  'application/cloudevents+json': {
    schema: { type: 'object', description: 'One CloudEvent (structured mode).' },
  },
  'application/cloudevents-batch+json': {
    schema: { type: 'array', items: { type: 'object' }, description: 'CloudEvents (batched mode).' },
  },
  '*/*': {
    schema: {
      description: 'Binary mode: attributes in ce-* headers, data in the body with its content-type.',
    },
  },
};

/** Publishes prepared events, one transport call per topic, and returns positions in input order. */
async function publishAll(
  ctx: GatewayContext,
  request: FastifyRequest,
  requested: readonly { topic: string; prepared: PreparedEvent }[],
): Promise<PublishedPosition[]> {
  let items = requested;
  const byTopic = new Map<string, number[]>();
  items.forEach((item, index) => {
    let list = byTopic.get(item.topic);
    if (list === undefined) {
      requireAccess(request, 'publish', item.topic);
      list = [];
      byTopic.set(item.topic, list);
    }
    list.push(index);
  });
  if (ctx.contracts !== undefined) items = await checkContracts(ctx.contracts, items);
  const positions: PublishedPosition[] = new Array<PublishedPosition>(items.length);
  await Promise.all(
    [...byTopic].map(async ([topic, indexes]) => {
      const messages: OutgoingMessage[] = indexes.map((index) => items[index]!.prepared.message);
      const written = await ctx.transport.publish(topic, messages);
      indexes.forEach((index, i) => {
        const position = written[i]!;
        positions[index] = {
          id: items[index]!.prepared.event.id,
          topic,
          partition: position.partition,
          offset: position.offset,
        };
        ctx.flow?.record(topic, items[index]!.prepared.event, positions[index]);
      });
      ctx.metrics.published.inc({ topic }, indexes.length);
    }),
  );
  return positions;
}

/** `POST /v1/topics/{topic}/events` and `POST /v1/events` (CloudEvents HTTP binding, routed by type). */
export function registerPublishRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const { limits } = ctx.options;
  // Bodies arrive raw: the routes tell JSON envelopes from the CloudEvents modes by content type
  // and headers, and binary-mode data may be in any media type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: limits.maxBodyBytes },
    (_request, body, done) => {
      done(null, body);
    },
  );

  app.post<{ Params: { topic: string }; Reply: PublishResponse }>(
    '/v1/topics/:topic/events',
    {
      schema: {
        summary: 'Publish events to a topic',
        description:
          'JSON: one envelope { type?, data, key?, id?, source?, subject?, extensions?, ... } or an array of them. ' +
          'Also accepts CloudEvents (binary, structured or batched mode), all sent to this topic.',
        tags: ['publish'],
        params: topicParams,
        // Compiled once into a serialiser of the answer, instead of JSON.stringify per request.
        response: { 200: POSITIONS_SCHEMA },
      },
      config: {
        access: 'publish',
        doc: {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  oneOf: [PUBLISH_ENVELOPE_SCHEMA, { type: 'array', items: PUBLISH_ENVELOPE_SCHEMA }],
                },
              },
              ...CLOUDEVENT_BODIES,
            },
          },
          responses: { '200': POSITIONS_RESPONSE },
        },
      },
    },
    async (request) => {
      const { topic } = request.params;
      const body = bodyOf(request);
      let prepared: PreparedEvent[];
      if (cloudEventModeOf(request.headers) !== undefined) {
        prepared = eventsFromHttp(request.headers, body, limits.maxBatchEvents).map((event) => ({
          event,
          message: toOutgoing(event),
        }));
      } else {
        requireJson(request);
        prepared = eventsFromEnvelopes(
          parseJsonBody(body),
          { type: topic, source: ctx.options.defaultSource },
          { maxEvents: limits.maxBatchEvents, maxDeliverDelayMs: limits.maxDeliverDelayMs },
        );
      }
      const positions = await publishAll(
        ctx,
        request,
        prepared.map((item) => ({ topic, prepared: item })),
      );
      return { positions };
    },
  );

  app.post<{ Reply: PublishResponse }>(
    '/v1/events',
    {
      schema: {
        summary: 'Publish CloudEvents, routed by type',
        description:
          'CloudEvents HTTP binding in binary, structured or batched mode. Each event goes to the topic of the first configured route matching its type, else to the topic named after its type.',
        tags: ['publish'],
        response: { 200: POSITIONS_SCHEMA },
      },
      config: {
        access: 'authenticated',
        doc: {
          requestBody: { required: true, content: CLOUDEVENT_BODIES },
          responses: { '200': POSITIONS_RESPONSE },
        },
      },
    },
    async (request) => {
      if (cloudEventModeOf(request.headers) === undefined) {
        throw new UnsupportedMediaTypeError(
          'POST /v1/events takes CloudEvents: binary mode (ce-specversion, ce-id, ce-source, ce-type headers), ' +
            'application/cloudevents+json or application/cloudevents-batch+json. To publish plain JSON use POST /v1/topics/{topic}/events.',
        );
      }
      const events = eventsFromHttp(request.headers, bodyOf(request), limits.maxBatchEvents);
      const items = events.map((event) => ({
        topic: ctx.topicForType(event.type),
        prepared: { event, message: toOutgoing(event) },
      }));
      return { positions: await publishAll(ctx, request, items) };
    },
  );
}

function bodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

function requireJson(request: FastifyRequest): void {
  const type = request.headers['content-type'];
  const media = type?.split(';')[0]?.trim().toLowerCase();
  if (media !== 'application/json') {
    throw new UnsupportedMediaTypeError(
      `Content-Type ${type === undefined ? 'is missing' : `"${type}" is not supported here`}: send application/json envelopes, or CloudEvents (ce-* headers, application/cloudevents+json, application/cloudevents-batch+json).`,
    );
  }
}
