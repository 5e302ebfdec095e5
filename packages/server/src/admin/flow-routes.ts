import type { FastifyInstance } from 'fastify';
import type { FlowEventsResponse, FlowResponse } from './console-api-types.js';
import type { FlowRecorder } from './flow-recorder.js';

const jsonResponse = (description: string) => ({
  '200': { description, content: { 'application/json': {} } },
});

/** The observed choreography (`GET /v1/flow`) and recent events of one type (`GET /v1/flow/events`). */
export function registerFlowRoutes(app: FastifyInstance, recorder: FlowRecorder | undefined): void {
  app.get<{ Reply: FlowResponse }>(
    '/v1/flow',
    {
      schema: {
        summary: 'Event types seen and the causation links between them (from causationid), with counts',
        tags: ['flow'],
      },
      config: { access: 'admin', doc: { responses: jsonResponse('{ enabled, types, links, since }') } },
    },
    () => recorder?.snapshot() ?? { enabled: false, types: [], links: [], since: null },
  );

  app.get<{ Querystring: { type: string }; Reply: FlowEventsResponse }>(
    '/v1/flow/events',
    {
      schema: {
        summary: 'Recent events of one type seen by the gateway, newest first',
        tags: ['flow'],
        querystring: {
          type: 'object',
          required: ['type'],
          additionalProperties: false,
          properties: { type: { type: 'string', minLength: 1, maxLength: 500, description: 'Event type.' } },
        },
      },
      config: { access: 'admin', doc: { responses: jsonResponse('{ events }') } },
    },
    (request) => ({ events: recorder?.recent(request.query.type) ?? [] }),
  );
}
