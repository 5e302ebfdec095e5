import { createSagaAdmin, SagaNotFoundError, type SagaInstance, type SagaStore } from '@eddy/core/saga';
import { NotSupportedError } from '@eddy/core/internal';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.js';
import type {
  SagaInstanceResponse,
  SagaListResponse,
  SagaStatusJson,
  SagaStepJson,
  SagaSummaryJson,
} from './console-api-types.js';

const STATUSES: readonly SagaStatusJson[] = [
  'running',
  'compensating',
  'completed',
  'compensated',
  'compensation_failed',
];

/** Deepest page: the saga port lists newest first without a cursor, so a page reads `offset + limit` rows. */
const MAX_OFFSET = 10_000;

const jsonResponse = (description: string) => ({
  '200': { description, content: { 'application/json': {} } },
});

const iso = (ms: number): string => new Date(ms).toISOString();

function summaryOf(instance: SagaInstance): SagaSummaryJson {
  const current = instance.steps[instance.stepIndex]?.name;
  return {
    id: instance.id,
    sagaName: instance.sagaName,
    kind: instance.steps.length === 0 ? 'process-manager' : 'saga',
    status: instance.status,
    ...(current === undefined ? {} : { currentStep: current }),
    steps: instance.steps.length,
    pendingTimers: instance.timers.length,
    ...(instance.error === undefined ? {} : { error: instance.error }),
    createdAt: iso(instance.createdAt),
    updatedAt: iso(instance.updatedAt),
    dueAt: instance.dueAt === null ? null : iso(instance.dueAt),
  };
}

function stepJson(step: SagaInstance['steps'][number]): SagaStepJson {
  return {
    name: step.name,
    status: step.status,
    attempts: step.attempts,
    compensationAttempts: step.compensationAttempts,
    ...(step.error === undefined ? {} : { error: step.error }),
  };
}

const UNDONE = new Set(['compensating', 'compensated', 'compensation_failed']);

/**
 * Saga and process-manager instances (`GET /v1/sagas`, `GET /v1/sagas/{id}`), read through core's
 * saga admin. Without a store the list says `configured: false` so a dashboard can tell the user.
 */
export function registerSagaRoutes(app: FastifyInstance, store: SagaStore | undefined): void {
  const admin = store === undefined ? undefined : createSagaAdmin(store);

  app.get<{
    Querystring: { sagaName?: string; status?: SagaStatusJson; limit?: number; offset?: number };
    Reply: SagaListResponse;
  }>(
    '/v1/sagas',
    {
      schema: {
        summary: 'Saga and process-manager instances, most recently updated first; filtered and paged',
        tags: ['sagas'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            sagaName: { type: 'string', minLength: 1, maxLength: 200, description: 'Definition name.' },
            status: { type: 'string', enum: STATUSES, description: 'Only instances in this state.' },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            offset: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 },
          },
        },
      },
      config: {
        access: 'admin',
        doc: { responses: jsonResponse('{ configured, instances, offset, limit, hasMore, counts }') },
      },
    },
    async (request) => {
      const { sagaName, status, limit = 50, offset = 0 } = request.query;
      const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<SagaStatusJson, number>;
      if (admin === undefined) {
        return { configured: false, instances: [], offset, limit, hasMore: false, counts };
      }
      const byName = sagaName === undefined ? {} : { sagaName };
      const [found, counted] = await Promise.all([
        admin.list({ ...byName, ...(status === undefined ? {} : { status }), limit: offset + limit + 1 }),
        admin.countByStatus(byName),
      ]);
      return {
        configured: true,
        instances: found.slice(offset, offset + limit).map(summaryOf),
        offset,
        limit,
        hasMore: found.length > offset + limit,
        counts: { ...counts, ...counted },
      };
    },
  );

  app.get<{ Params: { id: string }; Reply: SagaInstanceResponse }>(
    '/v1/sagas/:id',
    {
      schema: {
        summary: 'One saga or process-manager instance: state, steps, compensations, timers, history',
        tags: ['sagas'],
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 200, description: 'Instance id.' } },
        },
      },
      config: { access: 'admin', doc: { responses: jsonResponse('{ instance }') } },
    },
    async (request) => {
      if (store === undefined || admin === undefined) {
        throw new NotSupportedError(
          'The gateway has no saga store. Pass sagaStore to createServer (the store your saga runners use).',
        );
      }
      const instance = await store.load(request.params.id);
      if (instance === undefined) {
        throw new NotFoundError(`No saga instance "${request.params.id}". List them with GET /v1/sagas.`);
      }
      const timeline = await admin.timeline(instance.id).catch((error: unknown) => {
        if (error instanceof SagaNotFoundError) throw new NotFoundError(error.message);
        throw error;
      });
      const steps = instance.steps.map(stepJson);
      return {
        instance: {
          ...summaryOf(instance),
          version: instance.version,
          input: instance.input ?? null,
          state: instance.context,
          stepList: steps,
          // Compensation runs backwards from the last completed step.
          compensations: steps.filter((step) => UNDONE.has(step.status)).reverse(),
          timers: instance.timers.map((timer) => ({ name: timer.name, dueAt: iso(timer.dueAt) })),
          history: timeline.entries.map((entry) => ({
            at: iso(entry.at),
            kind: entry.kind,
            ...(entry.step === undefined ? {} : { step: entry.step }),
            ...(entry.attempt === undefined ? {} : { attempt: entry.attempt }),
            ...(entry.detail === undefined ? {} : { detail: entry.detail }),
          })),
        },
      };
    },
  );
}
