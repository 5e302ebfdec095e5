import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.js';
import type { InflightSource } from '../options.js';
import type {
  CancelInflightRequest,
  CancelInflightResponse,
  InflightJson,
  InflightListResponse,
} from './workload-api-types.js';

const eventIdParams = {
  type: 'object',
  required: ['eventId'],
  additionalProperties: false,
  properties: { eventId: { type: 'string', minLength: 1, description: 'The running event’s id.' } },
} as const;

const cancelBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    reason: { type: 'string', maxLength: 1_000, description: 'Said in the EDDY_CANCELLED error.' },
  },
} as const;

/**
 * `GET /v1/inflight` lists the running deliveries of the long-running handlers of the buses the
 * gateway was given; `POST /v1/inflight/:eventId/cancel` cancels one (every handler running it):
 * its `ctx.signal` aborts with `EDDY_CANCELLED` and the bus dead-letters it.
 */
export function registerInflightRoutes(
  app: FastifyInstance,
  buses: readonly InflightSource[] | (() => readonly InflightSource[]) | undefined,
): void {
  const given = (): readonly InflightSource[] => (typeof buses === 'function' ? buses() : (buses ?? []));

  const list = (): InflightJson[] =>
    given().flatMap((bus) => {
      const types = new Map(bus.handlers.map((handler) => [handler.name, handler.type]));
      return bus.inflight().map((delivery): InflightJson => {
        const type = types.get(delivery.handler);
        return {
          handler: delivery.handler,
          ...(type === undefined ? {} : { type }),
          eventId: delivery.eventId,
          topic: delivery.topic,
          partition: delivery.partition,
          offset: delivery.offset,
          deliveryCount: delivery.deliveryCount,
          startedAt: new Date(delivery.startedAt).toISOString(),
          ...(delivery.progress === undefined ? {} : { progress: delivery.progress }),
          ...(delivery.leaseUntil === undefined
            ? {}
            : { leaseUntil: new Date(delivery.leaseUntil).toISOString() }),
        };
      });
    });

  app.get<{ Reply: InflightListResponse }>(
    '/v1/inflight',
    {
      schema: {
        summary: 'List running deliveries of long-running handlers with their progress',
        tags: ['admin'],
      },
      config: {
        access: 'admin',
        doc: {
          responses: {
            '200': {
              description:
                '{ inflight: [{ handler, type?, eventId, topic, partition, offset, deliveryCount, startedAt, progress?, leaseUntil? }] }',
              content: { 'application/json': {} },
            },
          },
        },
      },
    },
    () => ({
      inflight: list().sort((a, b) => a.startedAt.localeCompare(b.startedAt)),
    }),
  );

  app.post<{
    Params: { eventId: string };
    Body: CancelInflightRequest | null | undefined;
    Reply: CancelInflightResponse;
  }>(
    '/v1/inflight/:eventId/cancel',
    {
      schema: {
        summary: 'Cancel a running delivery: it is dead-lettered with EDDY_CANCELLED, not retried',
        tags: ['admin'],
        params: eventIdParams,
        body: cancelBody,
      },
      config: {
        access: 'admin',
        doc: {
          responses: {
            '200': { description: '{ cancelled }', content: { 'application/json': {} } },
          },
        },
      },
    },
    (request) => {
      const { eventId } = request.params;
      const reason = request.body?.reason;
      let cancelled = 0;
      for (const bus of given()) cancelled += bus.cancel(eventId, reason);
      if (cancelled === 0) {
        throw new NotFoundError(
          `No running delivery of event "${eventId}": it settled already, or no long-running handler runs it. ` +
            'List running deliveries with GET /v1/inflight.',
        );
      }
      return { cancelled };
    },
  );
}
