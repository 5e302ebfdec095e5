import type { Database } from 'better-sqlite3';
import { DEFAULT_SAGA_LIST_LIMIT } from '@eddy/core/internal';
import {
  SagaConflictError,
  SagaNotFoundError,
  type SagaInstance,
  type SagaStatus,
  type SagaStore,
} from '@eddy/core/saga';
import { describeTarget, resolveStoreDatabase } from '../connection.js';
import { guardedCalls } from '../errors.js';
import { assertSagaTable, DEFAULT_SAGA_TABLE, ensureSagaTable } from './schema.js';

export interface SqliteSagaStoreOptions {
  /** An open better-sqlite3 database, or a file path to open (WAL). */
  readonly database: Database | string;
  /** Table name. Default `eddy_sagas`. */
  readonly table?: string;
  /** How long a write waits for another process's lock, ms (path only). Default 5 000. */
  readonly busyTimeoutMs?: number;
}

/** A SQLite `SagaStore` and the database it uses. */
export interface SqliteSagaStore extends SagaStore {
  readonly database: Database;
}

interface Row {
  body: string;
  version: number;
}

/**
 * `SagaStore` on SQLite: one row per instance, the instance as JSON beside indexed `status`,
 * `saga_name`, `version` and `due_at` columns. `save` is an `UPDATE ... WHERE version = ?`, so two
 * processes sharing the file never both move one instance from the same version.
 */
export function createSqliteSagaStore(options: SqliteSagaStoreOptions): SqliteSagaStore {
  const table = assertSagaTable(options.table ?? DEFAULT_SAGA_TABLE);
  const { db, owned } = resolveStoreDatabase(options.database, {
    busyTimeoutMs: options.busyTimeoutMs,
    synchronous: 'normal',
  });
  ensureSagaTable(db, table);
  const insert = db.prepare<[string, string, string, number, number | null, number, string]>(
    `INSERT INTO ${table} (id, saga_name, status, version, due_at, updated_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
  );
  const update = db.prepare<[string, number, number | null, number, string, string, number]>(
    `UPDATE ${table} SET status = ?, version = ?, due_at = ?, updated_at = ?, body = ? WHERE id = ? AND version = ?`,
  );
  const select = db.prepare<[string], Row>(`SELECT body, version FROM ${table} WHERE id = ?`);
  const selectDue = db.prepare<[number, string | null, string | null, number], Row>(
    `SELECT body, version FROM ${table}
     WHERE status IN ('running', 'compensating') AND due_at IS NOT NULL AND due_at <= ?
       AND (? IS NULL OR saga_name = ?)
     ORDER BY due_at, id LIMIT ?`,
  );
  const decode = (row: Row): SagaInstance => ({
    ...(JSON.parse(row.body) as SagaInstance),
    version: row.version,
  });
  let closed = false;
  const guarded = guardedCalls('saga store', describeTarget(db.name), () => closed);

  return {
    database: db,
    create: (instance) =>
      guarded(() => {
        const stored = { ...instance, version: 1 };
        const body = JSON.stringify(stored);
        const result = insert.run(
          stored.id,
          stored.sagaName,
          stored.status,
          1,
          stored.dueAt,
          stored.updatedAt,
          body,
        );
        if (result.changes === 0) throw new SagaConflictError(instance.id, 'already exists');
        return JSON.parse(body) as SagaInstance;
      }),
    load: (id) =>
      guarded(() => {
        const row = select.get(id);
        return row === undefined ? undefined : decode(row);
      }),
    save: (instance) =>
      guarded(() => {
        const stored = { ...instance, version: instance.version + 1 };
        const body = JSON.stringify(stored);
        const result = update.run(
          stored.status,
          stored.version,
          stored.dueAt,
          stored.updatedAt,
          body,
          stored.id,
          instance.version,
        );
        if (result.changes === 0) {
          const current = select.get(instance.id);
          if (current === undefined) throw new SagaNotFoundError(instance.id);
          throw new SagaConflictError(
            instance.id,
            `is at version ${current.version}, not ${instance.version}`,
          );
        }
        return JSON.parse(body) as SagaInstance;
      }),
    list: (listOptions = {}) =>
      guarded(() => {
        const statuses: readonly SagaStatus[] | undefined =
          listOptions.status === undefined
            ? undefined
            : typeof listOptions.status === 'string'
              ? [listOptions.status]
              : listOptions.status;
        const where: string[] = [];
        const params: (string | number)[] = [];
        if (statuses !== undefined) {
          where.push(`status IN (${statuses.map(() => '?').join(', ') || 'NULL'})`);
          params.push(...statuses);
        }
        if (listOptions.sagaName !== undefined) {
          where.push('saga_name = ?');
          params.push(listOptions.sagaName);
        }
        params.push(listOptions.limit ?? DEFAULT_SAGA_LIST_LIMIT);
        const sql = `SELECT body, version FROM ${table} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY updated_at DESC, id LIMIT ?`;
        return db
          .prepare<(string | number)[], Row>(sql)
          .all(...params)
          .map(decode);
      }),
    due: (now, dueOptions = {}) =>
      guarded(() => {
        const name = dueOptions.sagaName ?? null;
        return selectDue.all(now, name, name, dueOptions.limit ?? DEFAULT_SAGA_LIST_LIMIT).map(decode);
      }),
    close() {
      if (!closed) {
        closed = true;
        if (owned && db.open) db.close();
      }
      return Promise.resolve();
    },
  };
}
