import type { FailedOutboxRecord, OutboxStore } from '@eddy/core/outbox';
import { NotSupportedError } from '@eddy/core/internal';
import type { FastifyInstance } from 'fastify';
import type {
  FailedOutboxListResponse,
  FailedOutboxRowJson,
  OutboxDiscardResponse,
  OutboxRetryResponse,
  OutboxRowsRequest,
} from './console-api-types.js';

const jsonResponse = (description: string) => ({
  '200': { description, content: { 'application/json': {} } },
});

const rowsBody = {
  type: 'object',
  required: ['ids'],
  additionalProperties: false,
  properties: {
    ids: {
      type: 'array',
      minItems: 1,
      maxItems: 1_000,
      items: { type: 'integer', minimum: 1 },
      description: 'Row ids from GET /v1/outbox/failed.',
    },
  },
} as const;

const header = (row: FailedOutboxRecord, name: string): string | null => {
  const value = row.headers[name];
  return typeof value === 'string' ? value : null;
};

function failedRowJson(row: FailedOutboxRecord): FailedOutboxRowJson {
  return {
    id: row.id,
    topic: row.topic,
    key: row.key ?? null,
    lane: row.lane,
    type: header(row, 'ce-type'),
    eventId: header(row, 'ce-id'),
    createdAt: new Date(row.createdAt).toISOString(),
    failedAt: new Date(row.failedAt).toISOString(),
    error: row.error,
    attempts: row.attempts ?? null,
  };
}

function requireStore(store: OutboxStore | undefined): OutboxStore {
  if (store !== undefined) return store;
  throw new NotSupportedError(
    'The gateway has no outbox store. Pass outboxStore to createServer (the store your outbox relay reads).',
  );
}

/**
 * Outbox rows the relay set aside (`GET /v1/outbox/failed`), put back (`retry`) or deleted
 * (`discard`, when the store offers `discardFailed`).
 */
export function registerOutboxRoutes(app: FastifyInstance, store: OutboxStore | undefined): void {
  app.get<{ Querystring: { limit?: number; afterId?: number }; Reply: FailedOutboxListResponse }>(
    '/v1/outbox/failed',
    {
      schema: {
        summary: 'Outbox rows set aside by the relay, in id order; paged by afterId',
        tags: ['outbox'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1_000, default: 100 },
            afterId: { type: 'integer', minimum: 0, default: 0, description: 'Only rows with a higher id.' },
          },
        },
      },
      config: {
        access: 'admin',
        doc: { responses: jsonResponse('{ configured, canDiscard, rows, stats, nextAfterId }') },
      },
    },
    async (request) => {
      const { limit = 100, afterId = 0 } = request.query;
      if (store === undefined) {
        return {
          configured: false,
          canDiscard: false,
          rows: [],
          stats: { pending: 0, failed: 0 },
          nextAfterId: null,
        };
      }
      const [rows, stats] = await Promise.all([
        store.failedRows({ limit: limit + 1, afterId }),
        store.stats(),
      ]);
      const page = rows.slice(0, limit);
      return {
        configured: true,
        canDiscard: store.discardFailed !== undefined,
        rows: page.map(failedRowJson),
        stats: { pending: stats.pending, failed: stats.failed },
        nextAfterId: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  );

  app.post<{ Body: OutboxRowsRequest; Reply: OutboxRetryResponse }>(
    '/v1/outbox/failed/retry',
    {
      schema: {
        summary: 'Put failed rows back in the pending set; the relay publishes them next in their lane',
        tags: ['outbox'],
        body: rowsBody,
      },
      config: { access: 'admin', doc: { responses: jsonResponse('{ retried }') } },
    },
    async (request) => ({ retried: await requireStore(store).retryFailed(request.body.ids) }),
  );

  app.post<{ Body: OutboxRowsRequest; Reply: OutboxDiscardResponse }>(
    '/v1/outbox/failed/discard',
    {
      schema: {
        summary: 'Delete failed rows for good (they are never published)',
        tags: ['outbox'],
        body: rowsBody,
      },
      config: { access: 'admin', doc: { responses: jsonResponse('{ discarded }') } },
    },
    async (request) => {
      const outbox = requireStore(store);
      if (outbox.discardFailed === undefined) {
        throw new NotSupportedError(
          'This outbox store cannot delete failed rows (no discardFailed). Retry them, or delete them in the database.',
        );
      }
      return { discarded: await outbox.discardFailed(request.body.ids) };
    },
  );
}
