import type { Delivery, DeliveryAttempt, DeliveryStatus, DeliveryStore } from '@eddy/webhooks';
import type { PoolSource } from '../connection.js';
import { openWebhookStore } from './open-store.js';

interface DeliveryRow {
  sequence: string;
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  ordered: boolean;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

interface AttemptRow {
  delivery_id: string;
  number: number;
  started_at: string;
  latency_ms: number;
  status_code: number | null;
  succeeded: boolean;
  error: string | null;
  response_body: string;
}

const COLUMNS =
  'sequence, id, endpoint_id, event_id, event_type, payload, ordered, status, attempts, next_attempt_at, last_error, created_at, updated_at';

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    payload: row.payload,
    ordered: row.ordered,
    sequence: Number(row.sequence),
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: Number(row.next_attempt_at),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toAttempt(row: AttemptRow): DeliveryAttempt {
  return {
    deliveryId: row.delivery_id,
    number: row.number,
    startedAt: Number(row.started_at),
    latencyMs: row.latency_ms,
    ...(row.status_code === null ? {} : { statusCode: row.status_code }),
    succeeded: row.succeeded,
    ...(row.error === null ? {} : { error: row.error }),
    responseBody: row.response_body,
  };
}

/**
 * A `DeliveryStore` on PostgreSQL (`<schema>.webhook_deliveries` and `webhook_attempts`). A claim is
 * one `UPDATE ... FROM (SELECT ... FOR UPDATE SKIP LOCKED)`, so dispatchers racing for due
 * deliveries never claim one together and never wait on each other; an ordered delivery is
 * claimable only while no earlier pending delivery of its endpoint exists.
 */
export async function createPostgresDeliveryStore(options: PoolSource): Promise<DeliveryStore> {
  const store = await openWebhookStore(options, 'delivery store');
  const { deliveries: table, attempts } = store.tables;
  const prefixed = COLUMNS.split(', ')
    .map((column) => `t.${column}`)
    .join(', ');
  return {
    enqueue: (list, now) =>
      store.transaction('enqueuing deliveries', async (client) => {
        let added = 0;
        for (const delivery of list) {
          const result = await client.query(
            `INSERT INTO ${table} (id, endpoint_id, event_id, event_type, payload, ordered, status, next_attempt_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7, $7) ON CONFLICT (id) DO NOTHING`,
            [
              delivery.id,
              delivery.endpointId,
              delivery.eventId,
              delivery.eventType,
              delivery.payload,
              delivery.ordered,
              now,
            ],
          );
          added += result.rowCount ?? 0;
        }
        return added;
      }),
    async claimDue({ now, limit, leaseMs, owner }) {
      const { rows } = await store.query<DeliveryRow>(
        'claiming due deliveries',
        `UPDATE ${table} AS t SET owner = $3, lease_expires_at = $4
         FROM (SELECT d.sequence FROM ${table} AS d
               WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.owner IS NULL OR d.lease_expires_at <= $1)
                 AND (NOT d.ordered OR NOT EXISTS (
                   SELECT 1 FROM ${table} AS e
                   WHERE e.endpoint_id = d.endpoint_id AND e.status = 'pending' AND e.sequence < d.sequence))
               ORDER BY d.sequence LIMIT $2 FOR UPDATE SKIP LOCKED) AS due
         WHERE t.sequence = due.sequence
         RETURNING ${prefixed}`,
        [now, limit, owner, now + leaseMs],
      );
      return rows.map(toDelivery).sort((a, b) => a.sequence - b.sequence);
    },
    settle: (id, settlement) =>
      store.transaction('settling a delivery', async (client) => {
        const result = await client.query(
          `UPDATE ${table} SET status = $3, next_attempt_at = $4, attempts = attempts + $5,
             last_error = CASE WHEN $6::text IS NOT NULL THEN $6::text WHEN $3 = 'succeeded' THEN NULL ELSE last_error END,
             updated_at = $7, owner = NULL, lease_expires_at = 0
           WHERE id = $1 AND owner = $2 AND status = 'pending'`,
          [
            id,
            settlement.owner,
            settlement.status,
            settlement.nextAttemptAt,
            settlement.attempt === undefined ? 0 : 1,
            settlement.lastError ?? null,
            settlement.now,
          ],
        );
        if ((result.rowCount ?? 0) === 0) return false;
        const attempt = settlement.attempt;
        if (attempt !== undefined) {
          await client.query(
            `INSERT INTO ${attempts} (delivery_id, number, started_at, latency_ms, status_code, succeeded, error, response_body)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (delivery_id, number) DO UPDATE SET started_at = EXCLUDED.started_at, latency_ms = EXCLUDED.latency_ms,
               status_code = EXCLUDED.status_code, succeeded = EXCLUDED.succeeded, error = EXCLUDED.error, response_body = EXCLUDED.response_body`,
            [
              attempt.deliveryId,
              attempt.number,
              attempt.startedAt,
              attempt.latencyMs,
              attempt.statusCode ?? null,
              attempt.succeeded,
              attempt.error ?? null,
              attempt.responseBody,
            ],
          );
        }
        return true;
      }),
    async get(id) {
      const { rows } = await store.query<DeliveryRow>(
        'reading a delivery',
        `SELECT ${COLUMNS} FROM ${table} WHERE id = $1`,
        [id],
      );
      return rows[0] === undefined ? undefined : toDelivery(rows[0]);
    },
    async list(query = {}) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (query.endpointId !== undefined) where.push(`endpoint_id = $${values.push(query.endpointId)}`);
      if (query.status !== undefined) where.push(`status = $${values.push(query.status)}`);
      if (query.beforeSequence !== undefined) where.push(`sequence < $${values.push(query.beforeSequence)}`);
      const limit = `$${values.push(query.limit ?? 100)}`;
      const { rows } = await store.query<DeliveryRow>(
        'listing deliveries',
        `SELECT ${COLUMNS} FROM ${table} ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY sequence DESC LIMIT ${limit}`,
        values,
      );
      return rows.map(toDelivery);
    },
    async listAttempts(id) {
      const { rows } = await store.query<AttemptRow>(
        'listing attempts',
        `SELECT * FROM ${attempts} WHERE delivery_id = $1 ORDER BY number`,
        [id],
      );
      return rows.map(toAttempt);
    },
    async redeliver(id, now) {
      const { rows } = await store.query<DeliveryRow>(
        'redelivering a delivery',
        `UPDATE ${table} SET status = 'pending', next_attempt_at = $2, updated_at = $2, owner = NULL, lease_expires_at = 0
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, now],
      );
      return rows[0] === undefined ? undefined : toDelivery(rows[0]);
    },
    purge: (before) =>
      store.transaction('purging deliveries', async (client) => {
        await client.query(
          `DELETE FROM ${attempts} WHERE delivery_id IN (SELECT id FROM ${table} WHERE status <> 'pending' AND updated_at < $1)`,
          [before],
        );
        const result = await client.query(
          `DELETE FROM ${table} WHERE status <> 'pending' AND updated_at < $1`,
          [before],
        );
        return result.rowCount ?? 0;
      }),
    close: () => store.close(),
  };
}
