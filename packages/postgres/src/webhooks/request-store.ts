import type { RequestRecord, RequestStatus, RequestStore } from '@eddy/webhooks';
import type { PoolSource } from '../connection.js';
import { openWebhookStore } from './open-store.js';

interface Row {
  id: string;
  type: string;
  status: string;
  result: unknown;
  error: string | null;
  callback_url: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string;
}

function toRecord(row: Row): RequestRecord {
  return {
    id: row.id,
    type: row.type,
    status: row.status as RequestStatus,
    ...(row.status === 'completed' ? { result: row.result } : {}),
    ...(row.error === null ? {} : { error: row.error }),
    ...(row.callback_url === null ? {} : { callbackUrl: row.callback_url }),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    expiresAt: Number(row.expires_at),
  };
}

/** A `RequestStore` on PostgreSQL (`<schema>.webhook_requests`); the first settlement wins. */
export async function createPostgresRequestStore(options: PoolSource): Promise<RequestStore> {
  const store = await openWebhookStore(options, 'request store');
  const table = store.tables.requests;
  return {
    async create({ id, type, expiresAt, callbackUrl }, now) {
      const { rows } = await store.query<Row>(
        'creating a request',
        `INSERT INTO ${table} (id, type, status, created_at, updated_at, expires_at, callback_url)
         VALUES ($1, $2, 'pending', $3, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING *`,
        [id, type, now, expiresAt, callbackUrl ?? null],
      );
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    },
    async get(id, now) {
      const { rows } = await store.query<Row>(
        'reading a request',
        `SELECT * FROM ${table} WHERE id = $1 AND expires_at > $2`,
        [id, now],
      );
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    },
    async settle(id, outcome, now, expiresAt) {
      await store.query(
        'settling a request',
        `UPDATE ${table} SET status = $2, result = $3, error = $4, updated_at = $5, expires_at = $6 WHERE id = $1 AND status = 'pending'`,
        [
          id,
          outcome.status,
          outcome.status === 'completed' ? JSON.stringify(outcome.result ?? null) : null,
          outcome.status === 'failed' ? outcome.error : null,
          now,
          expiresAt,
        ],
      );
      const { rows } = await store.query<Row>('reading a request', `SELECT * FROM ${table} WHERE id = $1`, [
        id,
      ]);
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    },
    async listOverdueCallbacks(createdBefore, limit) {
      const { rows } = await store.query<Row>(
        'listing overdue request callbacks',
        `SELECT * FROM ${table} WHERE status = 'pending' AND callback_url IS NOT NULL AND created_at < $1
         ORDER BY created_at LIMIT $2`,
        [createdBefore, limit],
      );
      return rows.map(toRecord);
    },
    async purge(now) {
      const result = await store.query('purging requests', `DELETE FROM ${table} WHERE expires_at <= $1`, [
        now,
      ]);
      return result.rowCount ?? 0;
    },
    close: () => store.close(),
  };
}
