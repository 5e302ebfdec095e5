import type { Database } from 'better-sqlite3';
import { applyEndpointUpdate, type Endpoint, type EndpointStore } from '@eddy/webhooks';
import { describeTarget, resolveStoreDatabase } from '../connection.js';
import { guardedCalls } from '../errors.js';
import { assertWebhookPrefix, DEFAULT_WEBHOOK_TABLE_PREFIX, ensureEndpointTable } from './schema.js';

export interface SqliteWebhookStoreOptions {
  /** An open better-sqlite3 database, or a file path to open (WAL). */
  readonly database: Database | string;
  /** Table name prefix. Default `eddy_webhook`. */
  readonly tablePrefix?: string;
  /** How long a write waits for another process's lock, ms (path only). Default 5 000. */
  readonly busyTimeoutMs?: number;
  /**
   * Commit mode (path only). `'full'` survives power loss; `'normal'` (WAL) survives a crash or
   * kill of the process but may lose the last commits on power loss, and commits several times
   * faster. Default `'full'`.
   */
  readonly synchronous?: 'full' | 'normal';
}

/** How the webhook stores open a database they are given a path to. */
export function storeDatabaseOptions(options: SqliteWebhookStoreOptions): {
  busyTimeoutMs: number | undefined;
  synchronous: 'normal' | undefined;
} {
  return {
    busyTimeoutMs: options.busyTimeoutMs,
    synchronous: options.synchronous === 'normal' ? 'normal' : undefined,
  };
}

/** A SQLite `EndpointStore` and the database it uses. */
export interface SqliteEndpointStore extends EndpointStore {
  readonly database: Database;
}

/** `EndpointStore` on SQLite: one JSON document per endpoint, updates in `BEGIN IMMEDIATE` transactions. */
export function createSqliteEndpointStore(options: SqliteWebhookStoreOptions): SqliteEndpointStore {
  const prefix = assertWebhookPrefix(options.tablePrefix ?? DEFAULT_WEBHOOK_TABLE_PREFIX);
  const table = `${prefix}_endpoints`;
  const { db, owned } = resolveStoreDatabase(options.database, storeDatabaseOptions(options));
  ensureEndpointTable(db, prefix);
  const select = db.prepare<[string], { endpoint: string }>(`SELECT endpoint FROM ${table} WHERE id = ?`);
  const selectAll = db.prepare<[], { endpoint: string }>(`SELECT endpoint FROM ${table} ORDER BY id`);
  const insert = db.prepare<[string, string]>(`INSERT OR IGNORE INTO ${table} (id, endpoint) VALUES (?, ?)`);
  const replace = db.prepare<[string, string]>(`UPDATE ${table} SET endpoint = ? WHERE id = ?`);
  const remove = db.prepare<[string]>(`DELETE FROM ${table} WHERE id = ?`);
  const parse = (row: { endpoint: string } | undefined): Endpoint | undefined =>
    row === undefined ? undefined : (JSON.parse(row.endpoint) as Endpoint);
  const update = db.transaction((id: string, change: Parameters<EndpointStore['update']>[1], now: number) => {
    const current = parse(select.get(id));
    if (current === undefined) return undefined;
    const next = applyEndpointUpdate(current, change, now);
    replace.run(JSON.stringify(next), id);
    return next;
  });
  let closed = false;
  const guarded = guardedCalls('endpoint store', describeTarget(db.name), () => closed);

  return {
    database: db,
    create: (endpoint, now) =>
      guarded(() => {
        const stored: Endpoint = { ...endpoint, createdAt: now, updatedAt: now };
        return insert.run(endpoint.id, JSON.stringify(stored)).changes > 0 ? stored : undefined;
      }),
    get: (id) => guarded(() => parse(select.get(id))),
    list: () => guarded(() => selectAll.all().map((row) => JSON.parse(row.endpoint) as Endpoint)),
    update: (id, change, now) => guarded(() => update.immediate(id, change, now)),
    delete: (id) => guarded(() => remove.run(id).changes > 0),
    close() {
      if (!closed) {
        closed = true;
        if (owned && db.open) db.close();
      }
      return Promise.resolve();
    },
  };
}
