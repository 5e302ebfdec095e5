import type { Database } from 'better-sqlite3';
import { type CheckpointStore } from '@eddy/core/event-sourcing';
import { describeTarget, resolveStoreDatabase } from '../connection.js';
import { guardedCalls } from '../errors.js';
import { migrateEventStore, tablesFor } from './schema.js';

export interface SqliteCheckpointStoreOptions {
  /**
   * An open better-sqlite3 database or a file path. Pass the database of your read model, so a
   * projection can save its checkpoint in the same transaction as its writes.
   */
  readonly database: Database | string;
  /** Prefix of the tables, as for the event store. Default `eddy_es_`. */
  readonly tablePrefix?: string;
  /** How long a write waits for another process's lock, ms (path only). Default 5 000. */
  readonly busyTimeoutMs?: number;
}

/** A `CheckpointStore` on SQLite, plus `close()` for a database it opened itself. */
export interface SqliteCheckpointStore extends CheckpointStore {
  readonly database: Database;
  close(): Promise<void>;
}

/** Subscription checkpoints in `<prefix>checkpoints`: one row per subscription id. */
export function createSqliteCheckpointStore(options: SqliteCheckpointStoreOptions): SqliteCheckpointStore {
  const { db, owned } = resolveStoreDatabase(options.database, { busyTimeoutMs: options.busyTimeoutMs });
  const wrap = guardedCalls('checkpoint store', describeTarget(db.name), () => false);
  const t = tablesFor(options.tablePrefix);
  migrateEventStore(db, t);
  const select = db.prepare<[string], { position: number }>(
    `SELECT position FROM ${t.checkpoints} WHERE subscription_id = ?`,
  );
  const upsert = db.prepare<[string, number]>(
    `INSERT INTO ${t.checkpoints} (subscription_id, position) VALUES (?, ?)
     ON CONFLICT (subscription_id) DO UPDATE SET position = excluded.position`,
  );
  const remove = db.prepare<[string]>(`DELETE FROM ${t.checkpoints} WHERE subscription_id = ?`);
  return {
    database: db,
    load: (subscriptionId) => wrap(() => select.get(subscriptionId)?.position),
    save: (subscriptionId, position) => wrap(() => void upsert.run(subscriptionId, position)),
    delete: (subscriptionId) => wrap(() => void remove.run(subscriptionId)),
    close() {
      if (owned && db.open) db.close();
      return Promise.resolve();
    },
  };
}
