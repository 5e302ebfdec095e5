import type { Database } from 'better-sqlite3';
import type {
  Delivery,
  DeliveryAttempt,
  DeliverySettlement,
  DeliveryStatus,
  DeliveryStore,
  NewDelivery,
} from '@eddy/webhooks';
import { describeTarget, resolveStoreDatabase } from '../connection.js';
import { ClosedError } from '@eddy/core/internal';
import { guardedCalls, toEddyError } from '../errors.js';
import { storeDatabaseOptions, type SqliteWebhookStoreOptions } from './endpoint-store.js';
import { assertWebhookPrefix, DEFAULT_WEBHOOK_TABLE_PREFIX, ensureDeliveryTables } from './schema.js';

/** A SQLite `DeliveryStore` and the database it uses. */
export interface SqliteDeliveryStore extends DeliveryStore {
  readonly database: Database;
}

interface DeliveryRow {
  sequence: number;
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  ordered: number;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

interface AttemptRow {
  delivery_id: string;
  number: number;
  started_at: number;
  latency_ms: number;
  status_code: number | null;
  succeeded: number;
  error: string | null;
  response_body: string;
}

const COLUMNS =
  'sequence, id, endpoint_id, event_id, event_type, payload, ordered, status, attempts, next_attempt_at, last_error, created_at, updated_at';
const DEFAULT_LIST_LIMIT = 100;

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    payload: row.payload,
    ordered: row.ordered === 1,
    sequence: row.sequence,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toAttempt(row: AttemptRow): DeliveryAttempt {
  return {
    deliveryId: row.delivery_id,
    number: row.number,
    startedAt: row.started_at,
    latencyMs: row.latency_ms,
    ...(row.status_code === null ? {} : { statusCode: row.status_code }),
    succeeded: row.succeeded === 1,
    ...(row.error === null ? {} : { error: row.error }),
    responseBody: row.response_body,
  };
}

interface QueuedSettlement {
  readonly id: string;
  readonly settlement: DeliverySettlement;
  resolve(settled: boolean): void;
  reject(error: unknown): void;
}

/**
 * `DeliveryStore` on SQLite: one row per delivery with its claim (`owner`, `lease_expires_at`), an
 * attempt log beside it. Enqueues, claims and settlements are `BEGIN IMMEDIATE` transactions, so
 * dispatchers in several processes sharing the file never claim one delivery together, and a
 * process killed mid-attempt leaves a claim that runs out, never a lost delivery. Settlements that
 * arrive in the same event-loop turn share one transaction (group commit): each `settle` still
 * resolves only once its row is committed, but a busy dispatcher pays one commit (one fsync with
 * `synchronous=full`) per batch of completions instead of one per delivery.
 */
export function createSqliteDeliveryStore(options: SqliteWebhookStoreOptions): SqliteDeliveryStore {
  const prefix = assertWebhookPrefix(options.tablePrefix ?? DEFAULT_WEBHOOK_TABLE_PREFIX);
  const table = `${prefix}_deliveries`;
  const attempts = `${prefix}_attempts`;
  const { db, owned } = resolveStoreDatabase(options.database, storeDatabaseOptions(options));
  ensureDeliveryTables(db, prefix);
  const insert = db.prepare(
    `INSERT OR IGNORE INTO ${table} (id, endpoint_id, event_id, event_type, payload, ordered, status, next_attempt_at, created_at, updated_at)
     VALUES (@id, @endpointId, @eventId, @eventType, @payload, @ordered, 'pending', @now, @now, @now)`,
  );
  const selectDue = db.prepare<[number, number, number], DeliveryRow>(
    `SELECT ${COLUMNS} FROM ${table} AS d
     WHERE status = 'pending' AND next_attempt_at <= ? AND (owner IS NULL OR lease_expires_at <= ?)
       AND (ordered = 0 OR NOT EXISTS (
         SELECT 1 FROM ${table} AS e
         WHERE e.endpoint_id = d.endpoint_id AND e.status = 'pending' AND e.sequence < d.sequence))
     ORDER BY sequence LIMIT ?`,
  );
  const lease = db.prepare<[string, number, number]>(
    `UPDATE ${table} SET owner = ?, lease_expires_at = ? WHERE sequence = ?`,
  );
  const settleRow = db.prepare(
    `UPDATE ${table} SET status = @status, next_attempt_at = @nextAttemptAt, attempts = attempts + @added,
       last_error = CASE WHEN @lastError IS NOT NULL THEN @lastError WHEN @status = 'succeeded' THEN NULL ELSE last_error END,
       updated_at = @now, owner = NULL, lease_expires_at = 0
     WHERE id = @id AND owner = @owner AND status = 'pending'`,
  );
  const insertAttempt = db.prepare(
    `INSERT OR REPLACE INTO ${attempts} (delivery_id, number, started_at, latency_ms, status_code, succeeded, error, response_body)
     VALUES (@deliveryId, @number, @startedAt, @latencyMs, @statusCode, @succeeded, @error, @responseBody)`,
  );
  const select = db.prepare<[string], DeliveryRow>(`SELECT ${COLUMNS} FROM ${table} WHERE id = ?`);
  const selectAttempts = db.prepare<[string], AttemptRow>(
    `SELECT * FROM ${attempts} WHERE delivery_id = ? ORDER BY number`,
  );
  const redeliverRow = db.prepare<[number, number, string]>(
    `UPDATE ${table} SET status = 'pending', next_attempt_at = ?, updated_at = ?, owner = NULL, lease_expires_at = 0 WHERE id = ?`,
  );
  const purgeAttempts = db.prepare<[number]>(
    `DELETE FROM ${attempts} WHERE delivery_id IN (SELECT id FROM ${table} WHERE status <> 'pending' AND updated_at < ?)`,
  );
  const purgeRows = db.prepare<[number]>(`DELETE FROM ${table} WHERE status <> 'pending' AND updated_at < ?`);

  const enqueue = db.transaction((deliveries: readonly NewDelivery[], now: number) => {
    let added = 0;
    for (const delivery of deliveries) {
      added += insert.run({ ...delivery, ordered: delivery.ordered ? 1 : 0, now }).changes;
    }
    return added;
  });
  // Reading and leasing in one write transaction: no other process can claim in between.
  const claim = db.transaction((now: number, limit: number, leaseMs: number, owner: string) => {
    const rows = selectDue.all(now, now, limit);
    for (const row of rows) lease.run(owner, now + leaseMs, row.sequence);
    return rows.map(toDelivery);
  });
  const settleOne = (id: string, settlement: DeliverySettlement): boolean => {
    const changed = settleRow.run({
      id,
      owner: settlement.owner,
      status: settlement.status,
      nextAttemptAt: settlement.nextAttemptAt,
      added: settlement.attempt === undefined ? 0 : 1,
      lastError: settlement.lastError ?? null,
      now: settlement.now,
    }).changes;
    if (changed === 0) return false;
    const attempt = settlement.attempt;
    if (attempt !== undefined) {
      insertAttempt.run({
        ...attempt,
        statusCode: attempt.statusCode ?? null,
        succeeded: attempt.succeeded ? 1 : 0,
        error: attempt.error ?? null,
      });
    }
    return true;
  };
  const settleAll = db.transaction((batch: readonly QueuedSettlement[]) =>
    batch.map(({ id, settlement }) => settleOne(id, settlement)),
  );
  let queued: QueuedSettlement[] = [];
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    const batch = queued;
    queued = [];
    if (batch.length === 0) return;
    let results: boolean[];
    try {
      if (closed && !db.open) throw new ClosedError('This SQLite delivery store');
      results = settleAll.immediate(batch);
    } catch (error) {
      const failure = toEddyError(error, 'using the delivery store', describeTarget(db.name));
      for (const entry of batch) entry.reject(failure);
      return;
    }
    batch.forEach((entry, index) => entry.resolve(results[index]!));
  };
  const purge = db.transaction((before: number) => {
    purgeAttempts.run(before);
    return purgeRows.run(before).changes;
  });
  let closed = false;
  const guarded = guardedCalls('delivery store', describeTarget(db.name), () => closed);

  return {
    database: db,
    enqueue: (deliveries, now) => guarded(() => enqueue.immediate(deliveries, now)),
    claimDue: ({ now, limit, leaseMs, owner }) => guarded(() => claim.immediate(now, limit, leaseMs, owner)),
    async settle(id, settlement) {
      await guarded(() => undefined);
      return new Promise<boolean>((resolve, reject) => {
        queued.push({ id, settlement, resolve, reject });
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      });
    },
    get: (id) =>
      guarded(() => {
        const row = select.get(id);
        return row === undefined ? undefined : toDelivery(row);
      }),
    list: (query = {}) =>
      guarded(() => {
        const where: string[] = [];
        const params: (string | number)[] = [];
        if (query.endpointId !== undefined) {
          where.push('endpoint_id = ?');
          params.push(query.endpointId);
        }
        if (query.status !== undefined) {
          where.push('status = ?');
          params.push(query.status);
        }
        if (query.beforeSequence !== undefined) {
          where.push('sequence < ?');
          params.push(query.beforeSequence);
        }
        params.push(query.limit ?? DEFAULT_LIST_LIMIT);
        const sql = `SELECT ${COLUMNS} FROM ${table} ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY sequence DESC LIMIT ?`;
        return db
          .prepare<(string | number)[], DeliveryRow>(sql)
          .all(...params)
          .map(toDelivery);
      }),
    listAttempts: (id) => guarded(() => selectAttempts.all(id).map(toAttempt)),
    redeliver: (id, now) =>
      guarded(() => {
        if (redeliverRow.run(now, now, id).changes === 0) return undefined;
        return toDelivery(select.get(id)!);
      }),
    purge: (before) => guarded(() => purge.immediate(before)),
    close() {
      if (!closed) {
        closed = true;
        // Settlements accepted before close are committed, not dropped.
        flush();
        if (owned && db.open) db.close();
      }
      return Promise.resolve();
    },
  };
}
