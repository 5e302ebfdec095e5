import type { Database, Statement } from 'better-sqlite3';
import { type CloudEvent, type Headers } from '@eddy/core';
import {
  assertAttempts,
  assertLaneCount,
  assertRowIds,
  InvalidOptionError,
  prepareOutboxRows,
  resolveFailedRowsQuery,
} from '@eddy/core/internal';
import {
  DEFAULT_OUTBOX_LANES,
  type FailedOutboxRecord,
  type LaneClaim,
  type OutboxEntry,
  type OutboxRecord,
  type OutboxStore,
} from '@eddy/core/outbox';
import { assertOutboxTable, DEFAULT_OUTBOX_TABLE, ensureOutboxSchema, outboxTableSql } from './schema.js';
import { describeTarget, resolveStoreDatabase } from '../connection.js';
import { guardedCalls } from '../errors.js';

export interface SqliteOutboxOptions {
  /**
   * The relay's connection: a file path (opened in WAL mode with a busy timeout, closed on
   * `close()`), or an open database (left open). Give the relay its own connection: it runs short
   * `BEGIN IMMEDIATE` transactions that must not land inside an application transaction.
   */
  readonly database: Database | string;
  /** Rows table; the lease tables add `_lanes` and `_relays`. Default `eddy_outbox`. */
  readonly table?: string;
  /** Lanes (fixed when the outbox is created). Default 16. */
  readonly lanes?: number;
  /** How long a statement waits for another connection's write lock, ms (path only). Default 5 000. */
  readonly busyTimeoutMs?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** The SQLite transactional outbox: `add` for writers, the `OutboxStore` port for relays. */
export interface SqliteOutbox extends OutboxStore {
  readonly database: Database;
  readonly table: string;
  /**
   * Records events inside the caller's open transaction on `tx` (the application's connection to
   * the same file, usually inside `db.transaction(...)`): they commit or roll back with it.
   * Returns the events with their ids. Throws `InvalidOptionError` outside a transaction.
   */
  add(tx: Database, entries: readonly OutboxEntry[]): CloudEvent[];
  /** Deletes failed rows for good; ids that are not failed rows are ignored. Returns how many. */
  discardFailed(ids: readonly number[]): Promise<number>;
}

interface RowShape {
  id: number;
  lane: number;
  topic: string;
  key: string | null;
  headers: string;
  payload: Buffer;
  traceparent: string | null;
  tracestate: string | null;
  created_at: number;
}

interface FailedRowShape extends RowShape {
  failed_at: number;
  error: string;
  attempts: number | null;
}

function toRecord(row: RowShape): OutboxRecord {
  return {
    id: row.id,
    lane: row.lane,
    topic: row.topic,
    key: row.key ?? undefined,
    headers: JSON.parse(row.headers) as Headers,
    payload: row.payload,
    traceparent: row.traceparent ?? undefined,
    tracestate: row.tracestate ?? undefined,
    createdAt: row.created_at,
  };
}

const COLUMNS = 'id, lane, topic, key, headers, payload, traceparent, tracestate, created_at';

type InsertArgs = [
  number,
  string,
  string | null,
  string,
  string,
  Uint8Array,
  string | null,
  string | null,
  number,
];

export function createSqliteOutbox(options: SqliteOutboxOptions): SqliteOutbox {
  const table = assertOutboxTable(options.table ?? DEFAULT_OUTBOX_TABLE);
  const lanes = assertLaneCount(options.lanes ?? DEFAULT_OUTBOX_LANES);
  const now = options.now ?? Date.now;
  const { db, owned } = resolveStoreDatabase(options.database, { busyTimeoutMs: options.busyTimeoutMs });
  ensureOutboxSchema(db, table, lanes);

  const inserts = new WeakMap<Database, Statement<InsertArgs>>();
  const insertFor = (tx: Database): Statement<InsertArgs> => {
    let insert = inserts.get(tx);
    if (insert === undefined) {
      tx.exec(outboxTableSql(table));
      insert = tx.prepare<InsertArgs>(
        `INSERT INTO ${table} (lane, topic, key, event_id, headers, payload, traceparent, tracestate, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      inserts.set(tx, insert);
    }
    return insert;
  };

  const heartbeat = db.prepare<[string, number]>(
    `INSERT INTO ${table}_relays (owner, expires_at) VALUES (?, ?)
     ON CONFLICT (owner) DO UPDATE SET expires_at = excluded.expires_at`,
  );
  const dropDead = db.prepare<[number]>(`DELETE FROM ${table}_relays WHERE expires_at <= ?`);
  const countRelays = db.prepare<[], { count: number }>(`SELECT count(*) AS count FROM ${table}_relays`);
  const renew = db.prepare<[number, string, number]>(
    `UPDATE ${table}_lanes SET expires_at = ? WHERE owner = ? AND expires_at > ?`,
  );
  const heldBy = db.prepare<[string, number], { lane: number }>(
    `SELECT lane FROM ${table}_lanes WHERE owner = ? AND expires_at > ? ORDER BY lane`,
  );
  const take = db.prepare<[string, number, number, number]>(
    `UPDATE ${table}_lanes SET owner = ?, expires_at = ? WHERE lane IN (
       SELECT lane FROM ${table}_lanes WHERE owner IS NULL OR expires_at <= ? ORDER BY lane LIMIT ?)`,
  );
  const release = db.prepare<[string, string]>(
    `UPDATE ${table}_lanes SET owner = NULL, expires_at = 0
     WHERE owner = ? AND lane IN (SELECT value FROM json_each(?))`,
  );
  const holds = db.prepare<[number, string, number], { one: number }>(
    `SELECT 1 AS one FROM ${table}_lanes WHERE lane = ? AND owner = ? AND expires_at > ?`,
  );
  const pending = db.prepare<[number, number], RowShape>(
    `SELECT ${COLUMNS} FROM ${table}
     WHERE lane = ? AND published_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT ?`,
  );
  const setAside = db.prepare<[number, string, number, number]>(
    `UPDATE ${table} SET failed_at = ?, error = ?, attempts = ? WHERE id = ? AND published_at IS NULL`,
  );
  const failed = db.prepare<[number, number], FailedRowShape>(
    `SELECT ${COLUMNS}, failed_at, error, attempts FROM ${table}
     WHERE failed_at IS NOT NULL AND id > ? ORDER BY id LIMIT ?`,
  );
  const putBack = db.prepare<[string]>(
    `UPDATE ${table} SET failed_at = NULL, error = NULL, attempts = NULL
     WHERE failed_at IS NOT NULL AND id IN (SELECT value FROM json_each(?))`,
  );
  const discard = db.prepare<[string]>(
    `DELETE FROM ${table} WHERE failed_at IS NOT NULL AND id IN (SELECT value FROM json_each(?))`,
  );
  const mark = db.prepare<[number, string]>(
    `UPDATE ${table} SET published_at = ? WHERE id IN (SELECT value FROM json_each(?))`,
  );
  const remove = db.prepare<[string]>(`DELETE FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`);
  const stats = db.prepare<[], { pending: number; oldest: number | null; failed: number }>(
    `SELECT count(*) AS pending, min(created_at) AS oldest,
       (SELECT count(*) FROM ${table} WHERE failed_at IS NOT NULL) AS failed
     FROM ${table} WHERE published_at IS NULL AND failed_at IS NULL`,
  );
  const purge = db.prepare<[number]>(
    `DELETE FROM ${table} WHERE published_at IS NOT NULL AND published_at < ?`,
  );

  const claim = db.transaction((owner: string, leaseMs: number, maxLanes: number | undefined): LaneClaim => {
    const at = now();
    heartbeat.run(owner, at + leaseMs);
    dropDead.run(at);
    const relays = Math.max(1, countRelays.get()!.count);
    const target = Math.min(Math.ceil(lanes / relays), maxLanes ?? lanes);
    renew.run(at + leaseMs, owner, at);
    let held = heldBy.all(owner, at).length;
    if (held < target) {
      take.run(owner, at + leaseMs, at, target - held);
      held = target;
    }
    return { lanes: heldBy.all(owner, at).map((row) => row.lane), relays };
  });
  const markTx = db.transaction((owner: string, lane: number, ids: string, del: boolean): boolean => {
    const at = now();
    if (holds.get(lane, owner, at) === undefined) return false;
    if (del) remove.run(ids);
    else mark.run(at, ids);
    return true;
  });
  const failTx = db.transaction(
    (owner: string, lane: number, id: number, error: string, attempts: number): boolean => {
      const at = now();
      if (holds.get(lane, owner, at) === undefined) return false;
      setAside.run(at, error, attempts, id);
      return true;
    },
  );

  const listeners = new Set<() => void>();
  let wakeScheduled = false;
  let closed = false;
  const guarded = guardedCalls('outbox', describeTarget(db.name), () => closed);

  return {
    database: db,
    table,
    lanes,
    add(tx, entries) {
      if (!tx.inTransaction) {
        throw new InvalidOptionError(
          'outbox.add must run inside the transaction that writes your state (db.transaction(() => { ...; outbox.add(db, events) })), ' +
            'or the events could be saved without the state or the other way round.',
        );
      }
      const rows = prepareOutboxRows(entries, lanes, now());
      const insert = insertFor(tx);
      for (const row of rows) {
        insert.run(
          row.lane,
          row.topic,
          row.key ?? null,
          row.event.id,
          row.headersJson,
          row.payload,
          row.traceparent ?? null,
          row.tracestate ?? null,
          row.createdAt,
        );
      }
      // better-sqlite3 transactions are synchronous: by the next turn this one has committed (or
      // rolled back, and the relay finds nothing). Other processes are reached by polling.
      if (rows.length > 0 && listeners.size > 0 && !wakeScheduled) {
        wakeScheduled = true;
        setImmediate(() => {
          wakeScheduled = false;
          for (const listener of listeners) listener();
        });
      }
      return rows.map((row) => row.event);
    },
    claimLanes: ({ owner, leaseMs, maxLanes }) => guarded(() => claim.immediate(owner, leaseMs, maxLanes)),
    releaseLanes: (owner, released) => guarded(() => void release.run(owner, JSON.stringify(released))),
    fetchPending: (lane, limit) => guarded(() => pending.all(lane, limit).map(toRecord)),
    markPublished: ({ owner, lane, ids, delete: del }) =>
      guarded(() => markTx.immediate(owner, lane, JSON.stringify(ids), del)),
    markFailed: ({ owner, lane, id, error, attempts }) =>
      guarded(() => failTx.immediate(owner, lane, id, error, assertAttempts(attempts))),
    failedRows: (query) =>
      guarded(() => {
        const { limit, afterId } = resolveFailedRowsQuery(query);
        return failed.all(afterId, limit).map((row): FailedOutboxRecord => ({
          ...toRecord(row),
          failedAt: row.failed_at,
          error: row.error,
          attempts: row.attempts ?? undefined,
        }));
      }),
    retryFailed: (ids) =>
      guarded(() => {
        const count = putBack.run(JSON.stringify(assertRowIds(ids))).changes;
        if (count > 0) for (const listener of listeners) listener();
        return count;
      }),
    discardFailed: (ids) => guarded(() => discard.run(JSON.stringify(assertRowIds(ids))).changes),
    stats: () =>
      guarded(() => {
        const row = stats.get()!;
        return { pending: row.pending, oldestPendingAt: row.oldest ?? undefined, failed: row.failed };
      }),
    purgePublished: (before) => guarded(() => purge.run(before).changes),
    onWake(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      if (!closed) {
        closed = true;
        listeners.clear();
        if (owned) db.close();
      }
      return Promise.resolve();
    },
  };
}
