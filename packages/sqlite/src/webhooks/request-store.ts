import type { Database } from 'better-sqlite3';
import type { RequestRecord, RequestStatus, RequestStore } from '@eddy/webhooks';
import { describeTarget, resolveStoreDatabase } from '../connection.js';
import { guardedCalls } from '../errors.js';
import { storeDatabaseOptions, type SqliteWebhookStoreOptions } from './endpoint-store.js';
import { assertWebhookPrefix, DEFAULT_WEBHOOK_TABLE_PREFIX } from './schema.js';

/** A SQLite `RequestStore` and the database it uses. */
export interface SqliteRequestStore extends RequestStore {
  readonly database: Database;
}

interface Row {
  id: string;
  type: string;
  status: string;
  result: string | null;
  error: string | null;
  callback_url: string | null;
  created_at: number;
  updated_at: number;
  expires_at: number;
}

function toRecord(row: Row): RequestRecord {
  return {
    id: row.id,
    type: row.type,
    status: row.status as RequestStatus,
    ...(row.result === null ? {} : { result: JSON.parse(row.result) as unknown }),
    ...(row.error === null ? {} : { error: row.error }),
    ...(row.callback_url === null ? {} : { callbackUrl: row.callback_url }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
  };
}

/** `RequestStore` on SQLite: one row per request, results as JSON; the first settlement wins. */
export function createSqliteRequestStore(options: SqliteWebhookStoreOptions): SqliteRequestStore {
  const prefix = assertWebhookPrefix(options.tablePrefix ?? DEFAULT_WEBHOOK_TABLE_PREFIX);
  const table = `${prefix}_requests`;
  const { db, owned } = resolveStoreDatabase(options.database, storeDatabaseOptions(options));
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    result TEXT,
    error TEXT,
    callback_url TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS ${table}_expiry ON ${table} (expires_at);`);
  // Tables made before callbacks existed get the column; SQLite has no ADD COLUMN IF NOT EXISTS.
  const columns = db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`).all();
  if (!columns.some((column) => column.name === 'callback_url')) {
    db.exec(`ALTER TABLE ${table} ADD COLUMN callback_url TEXT`);
  }
  const insert = db.prepare(
    `INSERT OR IGNORE INTO ${table} (id, type, status, callback_url, created_at, updated_at, expires_at)
     VALUES (@id, @type, 'pending', @callbackUrl, @now, @now, @expiresAt)`,
  );
  const select = db.prepare<[string], Row>(`SELECT * FROM ${table} WHERE id = ?`);
  const settleRow = db.prepare(
    `UPDATE ${table} SET status = @status, result = @result, error = @error, updated_at = @now, expires_at = @expiresAt
     WHERE id = @id AND status = 'pending'`,
  );
  const overdue = db.prepare<[number, number], Row>(
    `SELECT * FROM ${table} WHERE status = 'pending' AND callback_url IS NOT NULL AND created_at < ?
     ORDER BY created_at LIMIT ?`,
  );
  const purge = db.prepare<[number]>(`DELETE FROM ${table} WHERE expires_at <= ?`);
  let closed = false;
  const guarded = guardedCalls('request store', describeTarget(db.name), () => closed);

  return {
    database: db,
    create: ({ id, type, expiresAt, callbackUrl }, now) =>
      guarded(() =>
        insert.run({ id, type, expiresAt, now, callbackUrl: callbackUrl ?? null }).changes === 0
          ? undefined
          : toRecord(select.get(id)!),
      ),
    get: (id, now) =>
      guarded(() => {
        const row = select.get(id);
        return row === undefined || row.expires_at <= now ? undefined : toRecord(row);
      }),
    settle: (id, outcome, now, expiresAt) =>
      guarded(() => {
        settleRow.run({
          id,
          status: outcome.status,
          result: outcome.status === 'completed' ? JSON.stringify(outcome.result ?? null) : null,
          error: outcome.status === 'failed' ? outcome.error : null,
          now,
          expiresAt,
        });
        const row = select.get(id);
        return row === undefined ? undefined : toRecord(row);
      }),
    listOverdueCallbacks: (createdBefore, limit) =>
      guarded(() => overdue.all(createdBefore, limit).map(toRecord)),
    purge: (now) => guarded(() => purge.run(now).changes),
    close() {
      if (!closed) {
        closed = true;
        if (owned && db.open) db.close();
      }
      return Promise.resolve();
    },
  };
}
