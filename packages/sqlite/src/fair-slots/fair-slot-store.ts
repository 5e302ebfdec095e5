import type { Database } from 'better-sqlite3';
import type { FairSlotStore } from '@eddy/core';
import { describeTarget, resolveStoreDatabase } from '../connection.js';
import { guardedCalls } from '../errors.js';
import { assertSqlIdentifier } from '../sql-identifier.js';

/** Default table of the SQLite fair-slot store. */
export const DEFAULT_FAIR_SLOT_TABLE = 'eddy_fair_slots';

export interface SqliteFairSlotStoreOptions {
  /** An open better-sqlite3 database, or a file path to open (WAL). */
  readonly database: Database | string;
  /** Table name. Default `eddy_fair_slots`. */
  readonly table?: string;
  /** How long a write waits for another process's lock, ms (path only). Default 5 000. */
  readonly busyTimeoutMs?: number;
}

/** A SQLite `FairSlotStore` and the database it uses. */
export interface SqliteFairSlotStore extends FairSlotStore {
  readonly database: Database;
  /** Closes the database if the store opened it. Idempotent. */
  close(): Promise<void>;
}

/**
 * `FairSlotStore` on SQLite: one row per held slot with its lease. A slot is taken in a
 * `BEGIN IMMEDIATE` transaction that first drops the key's expired slots and counts the rest, so
 * members in several processes sharing the file never take more than the limit together.
 */
export function createSqliteFairSlotStore(options: SqliteFairSlotStoreOptions): SqliteFairSlotStore {
  const table = assertSqlIdentifier(options.table ?? DEFAULT_FAIR_SLOT_TABLE, 'Fair-slot table name');
  const { db, owned } = resolveStoreDatabase(options.database, {
    busyTimeoutMs: options.busyTimeoutMs,
    synchronous: 'normal',
  });
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key, holder)
  ) WITHOUT ROWID`);
  const expire = db.prepare(`DELETE FROM ${table} WHERE scope = ? AND key = ? AND expires_at <= ?`);
  const count = db
    .prepare<[string, string], number>(`SELECT count(*) FROM ${table} WHERE scope = ? AND key = ?`)
    .pluck();
  const insert = db.prepare(`INSERT INTO ${table} (scope, key, holder, expires_at) VALUES (?, ?, ?, ?)`);
  const remove = db.prepare(`DELETE FROM ${table} WHERE scope = ? AND key = ? AND holder = ?`);
  const take = db.transaction(
    (scope: string, key: string, holder: string, limit: number, leaseMs: number): boolean => {
      const now = Date.now();
      expire.run(scope, key, now);
      if ((count.get(scope, key) ?? 0) >= limit) return false;
      insert.run(scope, key, holder, now + leaseMs);
      return true;
    },
  );
  let closed = false;
  const guarded = guardedCalls('fair-slot store', describeTarget(db.name), () => closed);
  return {
    database: db,
    tryAcquire: (scope, key, holder, limit, leaseMs) =>
      guarded(() => take.immediate(scope, key, holder, limit, leaseMs)),
    release: (scope, key, holder) =>
      guarded(() => {
        remove.run(scope, key, holder);
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
