import type { Database } from 'better-sqlite3';
import type { FairSlotStore } from '@eddy/core';
import { describeTarget, resolveStoreDatabase } from '../connection.js';
import { guardedCalls } from '../errors.js';
import { assertSqlIdentifier } from '../sql-identifier.js';

/** Default table of the SQLite fair-slot store. */
export const DEFAULT_FAIR_SLOT_TABLE = 'eddy_fair_slots';

/** Every this many rated takes, the rate rows whose wait ended `RATE_KEEP_MS` ago are dropped. */
const RATE_SWEEP_EVERY = 1_000;
const RATE_KEEP_MS = 60_000;

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
  // When each key may next start a delivery under `ratePerSecond`, shared by every process.
  db.exec(`CREATE TABLE IF NOT EXISTS ${table}_rate (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    next_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
  ) WITHOUT ROWID`);
  const nextAt = db
    .prepare<[string, string], number>(`SELECT next_at FROM ${table}_rate WHERE scope = ? AND key = ?`)
    .pluck();
  const setNextAt = db.prepare(
    `INSERT INTO ${table}_rate (scope, key, next_at) VALUES (?, ?, ?)
     ON CONFLICT (scope, key) DO UPDATE SET next_at = excluded.next_at`,
  );
  const forgetRates = db.prepare(`DELETE FROM ${table}_rate WHERE next_at <= ?`);
  let takes = 0;
  const take = db.transaction(
    (
      scope: string,
      key: string,
      holder: string,
      limit: number,
      leaseMs: number,
      rate: number | undefined,
    ): boolean => {
      const now = Date.now();
      expire.run(scope, key, now);
      if ((count.get(scope, key) ?? 0) >= limit) return false;
      if (rate !== undefined) {
        if ((nextAt.get(scope, key) ?? 0) > now) return false;
        setNextAt.run(scope, key, now + 1000 / rate);
        // Keys may be unbounded: now and then, forget those whose wait is long over.
        if ((takes = (takes + 1) % RATE_SWEEP_EVERY) === 0) forgetRates.run(now - RATE_KEEP_MS);
      }
      insert.run(scope, key, holder, now + leaseMs);
      return true;
    },
  );
  let closed = false;
  const guarded = guardedCalls('fair-slot store', describeTarget(db.name), () => closed);
  return {
    database: db,
    tryAcquire: (scope, key, holder, limit, leaseMs, ratePerSecond) =>
      guarded(() => take.immediate(scope, key, holder, limit, leaseMs, ratePerSecond)),
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
