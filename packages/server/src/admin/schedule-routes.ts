import { parseCron } from '@eddy/core/internal';
import type { ScheduleDefinitionRecord, ScheduleRecord, ScheduleStore } from '@eddy/core/schedule';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.js';
import type {
  PutScheduleRequest,
  ScheduleJson,
  ScheduleListResponse,
  ScheduleResponse,
} from './workload-api-types.js';

/** Latest time a JS `Date` holds; the scheduler stores a later `nextRunAt` for "never again". */
const MAX_DATE_MS = 8_640_000_000_000_000;

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined || ms > MAX_DATE_MS ? undefined : new Date(ms).toISOString();

export function scheduleJson(record: ScheduleRecord): ScheduleJson {
  const nextRunAt = iso(record.nextRunAt);
  const lastRunAt = iso(record.lastRunAt);
  return {
    id: record.id,
    cron: record.cron,
    timeZone: record.timeZone,
    missedRuns: record.missedRuns,
    type: record.type,
    data: record.data,
    ...(record.key === undefined ? {} : { key: record.key }),
    enabled: record.enabled,
    ...(nextRunAt === undefined ? {} : { nextRunAt }),
    ...(lastRunAt === undefined ? {} : { lastRunAt }),
    runs: record.runs,
    missed: record.missed,
  };
}

const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 200, description: 'Schedule id.' } },
} as const;

const putBody = {
  type: 'object',
  required: ['cron', 'type'],
  additionalProperties: false,
  properties: {
    cron: { type: 'string', description: 'Five fields (minute first) or six (seconds first).' },
    type: { type: 'string', minLength: 1, description: 'Event type published at each occurrence.' },
    data: { description: 'Event data (JSON). Default null.' },
    timeZone: { type: 'string', description: 'IANA time zone. Default UTC.' },
    key: { type: 'string', description: 'Partition key of the published events.' },
    missedRuns: { type: 'string', enum: ['skip', 'run-once', 'catch-up'], description: 'Default run-once.' },
    enabled: { type: 'boolean', description: 'Default true.' },
  },
} as const;

const jsonResponse = (description: string) => ({
  '200': { description, content: { 'application/json': {} } },
});

/** The stored definition without its counters: what `upsert` takes back. */
function definitionOf(record: ScheduleRecord): ScheduleDefinitionRecord {
  const { nextRunAt: _next, lastRunAt: _last, runs: _runs, missed: _missed, ...definition } = record;
  return definition;
}

/**
 * Schedules in the store the gateway was given: list, read, upsert, delete, pause and resume
 * (an upsert with `enabled` switched, the only state change the store port has). Upserts follow the
 * store's rule: the stored next run is kept unless the timing changed, so re-putting the same
 * definition never skips or repeats an occurrence.
 */
export function registerScheduleRoutes(
  app: FastifyInstance,
  store: ScheduleStore,
  now: () => number = Date.now,
): void {
  const find = async (id: string): Promise<ScheduleRecord> => {
    const record = await store.get(id);
    if (record === undefined) {
      throw new NotFoundError(`No schedule "${id}". List schedules with GET /v1/schedules.`);
    }
    return record;
  };
  /** Stores `definition`, with its first occurrence after now as the next run when the timing changed. */
  const upsert = async (definition: ScheduleDefinitionRecord): Promise<ScheduleRecord> => {
    // parseCron rejects a bad expression or time zone with EDDY_INVALID_OPTION (400) and the reason.
    const first = parseCron(definition.cron, definition.timeZone).nextAfter(now());
    return store.upsert(definition, first ?? Number.MAX_SAFE_INTEGER);
  };

  app.get<{ Reply: ScheduleListResponse }>(
    '/v1/schedules',
    {
      schema: { summary: 'List schedules with their next and last run and counts', tags: ['schedules'] },
      config: { access: 'admin', doc: { responses: jsonResponse('{ schedules }') } },
    },
    async () => ({ schedules: (await store.list()).map(scheduleJson) }),
  );

  app.get<{ Params: { id: string }; Reply: ScheduleResponse }>(
    '/v1/schedules/:id',
    {
      schema: { summary: 'One schedule', tags: ['schedules'], params: idParams },
      config: { access: 'admin', doc: { responses: jsonResponse('{ schedule }') } },
    },
    async (request) => ({ schedule: scheduleJson(await find(request.params.id)) }),
  );

  app.put<{ Params: { id: string }; Body: PutScheduleRequest; Reply: ScheduleResponse }>(
    '/v1/schedules/:id',
    {
      schema: {
        summary: 'Create or redefine a schedule',
        description:
          'An invalid cron expression or time zone is a 400 EDDY_INVALID_OPTION naming the problem. ' +
          'The next run is kept unless the cron expression or time zone changed or the schedule is switched on.',
        tags: ['schedules'],
        params: idParams,
        body: putBody,
      },
      config: {
        access: 'admin',
        doc: {
          responses: {
            '200': { description: 'redefined: { schedule }', content: { 'application/json': {} } },
            '201': { description: 'created: { schedule }', content: { 'application/json': {} } },
          },
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body;
      const existed = (await store.get(id)) !== undefined;
      const record = await upsert({
        id,
        cron: body.cron,
        timeZone: body.timeZone ?? 'UTC',
        missedRuns: body.missedRuns ?? 'run-once',
        type: body.type,
        data: body.data ?? null,
        ...(body.key === undefined ? {} : { key: body.key }),
        enabled: body.enabled ?? true,
      });
      void reply.code(existed ? 200 : 201);
      return { schedule: scheduleJson(record) };
    },
  );

  for (const [action, enabled] of [
    ['pause', false],
    ['resume', true],
  ] as const) {
    app.post<{ Params: { id: string }; Reply: ScheduleResponse }>(
      `/v1/schedules/:id/${action}`,
      {
        schema: {
          summary: enabled
            ? 'Resume a paused schedule from its next occurrence after now'
            : 'Pause a schedule: it fires nothing until resumed',
          tags: ['schedules'],
          params: idParams,
        },
        config: { access: 'admin', doc: { responses: jsonResponse('{ schedule }') } },
      },
      async (request) => {
        const stored = await find(request.params.id);
        if (stored.enabled === enabled) return { schedule: scheduleJson(stored) };
        return { schedule: scheduleJson(await upsert({ ...definitionOf(stored), enabled })) };
      },
    );
  }

  app.delete<{ Params: { id: string } }>(
    '/v1/schedules/:id',
    {
      schema: { summary: 'Delete a schedule', tags: ['schedules'], params: idParams },
      config: { access: 'admin', doc: { responses: { '204': { description: 'deleted' } } } },
    },
    async (request, reply) => {
      if (!(await store.delete(request.params.id))) {
        throw new NotFoundError(`No schedule "${request.params.id}". List schedules with GET /v1/schedules.`);
      }
      return reply.code(204).send();
    },
  );
}
