import type { Database } from 'better-sqlite3';
import { type InboxClaim, type InboxStore } from '@eddy/core';
import {
  DEFAULT_STORE_BUSY_TIMEOUT_MS,
  describeTarget,
  openStoreDatabase,
  resolveStoreDatabase,
} from '../connection.js';
import { guardedCalls } from '../errors.js';
import { DEFAULT_INBOX_TABLE, ensureInboxTable } from './schema.js';

export interface SqliteInboxStoreOptions {
  /**
   * An open better-sqlite3 database, or a file path to open. Pass the application's own
   * database to share it with the transactional inbox.
   */
  readonly database: Database | string;
  /** Table name. Default `eddy_inbox`. */
  readonly table?: string;
  /** How long a write waits for another process's lock, ms (path only). Default 5 000. */
  readonly busyTimeoutMs?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** A SQLite `InboxStore` and the database it uses. */
export interface SqliteInboxStore extends InboxStore {
  readonly database: Database;
  readonly table: string;
}

/** Opens a database file for the inbox: WAL so readers never block the writer, and a busy timeout. */
export function openInboxDatabase(path: string, busyTimeoutMs = DEFAULT_STORE_BUSY_TIMEOUT_MS): Database {
  return openStoreDatabase(path, { busyTimeoutMs });
}

/**
 * `InboxStore` on SQLite: dedup that survives restarts and is shared by every process using the
 * file. Claims run in `BEGIN IMMEDIATE` transactions, so two processes never both acquire one
 * event. A database passed in stays open on `close()`; one opened from a path is closed.
 */
export function createSqliteInboxStore(options: SqliteInboxStoreOptions): SqliteInboxStore {
  const { db, owned } = resolveStoreDatabase(options.database, { busyTimeoutMs: options.busyTimeoutMs });
  const table = options.table ?? DEFAULT_INBOX_TABLE;
  const now = options.now ?? Date.now;
  ensureInboxTable(db, table);
  const select = db.prepare<[string, string], { state: string; expires_at: number }>(
    `SELECT state, expires_at FROM ${table} WHERE handler = ? AND event_id = ?`,
  );
  const upsert = db.prepare<[string, string, string, number]>(
    `INSERT INTO ${table} (handler, event_id, state, expires_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (handler, event_id) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at`,
  );
  const releaseLease = db.prepare<[string, string]>(
    `DELETE FROM ${table} WHERE handler = ? AND event_id = ? AND state = 'leased'`,
  );
  const purge = db.prepare<[number]>(`DELETE FROM ${table} WHERE expires_at <= ?`);
  const claim = db.transaction((handler: string, eventId: string, leaseMs: number): InboxClaim => {
    const at = now();
    const row = select.get(handler, eventId);
    if (row !== undefined && row.expires_at > at) return row.state === 'processed' ? 'processed' : 'busy';
    upsert.run(handler, eventId, 'leased', at + leaseMs);
    return 'acquired';
  });
  let closed = false;
  const guarded = guardedCalls('inbox store', describeTarget(db.name), () => closed);

  return {
    database: db,
    table,
    claim: (handler, eventId, { leaseMs }) => guarded(() => claim.immediate(handler, eventId, leaseMs)),
    complete: (handler, eventId, { ttlMs }) =>
      guarded(() => void upsert.run(handler, eventId, 'processed', now() + ttlMs)),
    release: (handler, eventId) => guarded(() => void releaseLease.run(handler, eventId)),
    purgeExpired: (at = now()) => guarded(() => purge.run(at).changes),
    close() {
      if (!closed) {
        closed = true;
        if (owned) db.close();
      }
      return Promise.resolve();
    },
  };
}
