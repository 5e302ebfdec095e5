import type { Database } from 'better-sqlite3';
import { type Snapshot, type SnapshotStore } from '@eddy/core/event-sourcing';
import { describeTarget, resolveStoreDatabase } from '../connection.js';
import { guardedCalls } from '../errors.js';
import { migrateEventStore, tablesFor } from './schema.js';

export interface SqliteSnapshotStoreOptions {
  /** An open better-sqlite3 database (usually the event store's) or a file path. */
  readonly database: Database | string;
  /** Prefix of the tables, as for the event store. Default `eddy_es_`. */
  readonly tablePrefix?: string;
  /** How long a write waits for another process's lock, ms (path only). Default 5 000. */
  readonly busyTimeoutMs?: number;
}

/** A `SnapshotStore` on SQLite, plus `close()` for a database it opened itself. */
export interface SqliteSnapshotStore extends SnapshotStore {
  readonly database: Database;
  close(): Promise<void>;
}

interface SnapshotRow {
  readonly stream_id: string;
  readonly version: number;
  readonly state: string;
  readonly schema_version: number;
  readonly taken_at: number;
}

/** The latest snapshot per stream in `<prefix>snapshots`, state as JSON. */
export function createSqliteSnapshotStore(options: SqliteSnapshotStoreOptions): SqliteSnapshotStore {
  const { db, owned } = resolveStoreDatabase(options.database, { busyTimeoutMs: options.busyTimeoutMs });
  const wrap = guardedCalls('snapshot store', describeTarget(db.name), () => false);
  const t = tablesFor(options.tablePrefix);
  migrateEventStore(db, t);
  const select = db.prepare<[string], SnapshotRow>(`SELECT * FROM ${t.snapshots} WHERE stream_id = ?`);
  // The WHERE on the upsert keeps a newer snapshot when an older save arrives late.
  const upsert = db.prepare<[string, number, string, number, number]>(
    `INSERT INTO ${t.snapshots} (stream_id, version, state, schema_version, taken_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, state = excluded.state,
       schema_version = excluded.schema_version, taken_at = excluded.taken_at
     WHERE excluded.version >= ${t.snapshots}.version`,
  );
  const remove = db.prepare<[string]>(`DELETE FROM ${t.snapshots} WHERE stream_id = ?`);
  return {
    database: db,
    load: (streamId) =>
      wrap((): Snapshot | undefined => {
        const row = select.get(streamId);
        return row === undefined
          ? undefined
          : {
              streamId: row.stream_id,
              version: row.version,
              state: JSON.parse(row.state) as unknown,
              schemaVersion: row.schema_version,
              takenAt: row.taken_at,
            };
      }),
    save: (snapshot) =>
      wrap(
        () =>
          void upsert.run(
            snapshot.streamId,
            snapshot.version,
            JSON.stringify(snapshot.state),
            snapshot.schemaVersion,
            snapshot.takenAt,
          ),
      ),
    delete: (streamId) => wrap(() => void remove.run(streamId)),
    close() {
      if (owned && db.open) db.close();
      return Promise.resolve();
    },
  };
}
