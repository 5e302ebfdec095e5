import type { Snapshot, SnapshotStore } from '@eddy/core/event-sourcing';
import type pg from 'pg';
import { toEddyError } from '../errors.js';
import { openPool, type PoolSource } from '../connection.js';
import { migrateEventStore, tablesFor } from './schema.js';

export type PostgresSnapshotStoreOptions = PoolSource;

/** A `SnapshotStore` on PostgreSQL, plus `close()` for a pool it opened itself. */
export interface PostgresSnapshotStore extends SnapshotStore {
  close(): Promise<void>;
}

interface SnapshotRow {
  readonly stream_id: string;
  readonly version: string;
  readonly state: unknown;
  readonly schema_version: number;
  readonly taken_at: string;
}

/** The latest snapshot per stream in `<schema>.es_snapshots`, state as jsonb. */
export async function createPostgresSnapshotStore(
  options: PostgresSnapshotStoreOptions,
): Promise<PostgresSnapshotStore> {
  const t = tablesFor(options.schema);
  const connection = openPool(options, 'createPostgresSnapshotStore', {
    applicationName: 'eddy-event-store',
  });
  const { pool, where } = connection;
  try {
    await migrateEventStore(pool, t, where);
  } catch (error) {
    await connection.close();
    throw error;
  }
  const run = async <R extends pg.QueryResultRow>(doing: string, text: string, values: unknown[]) => {
    try {
      return (await pool.query<R>(text, values)).rows;
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
  };
  return {
    async load(streamId): Promise<Snapshot | undefined> {
      const rows = await run<SnapshotRow>(
        'loading a snapshot',
        `SELECT * FROM ${t.snapshots} WHERE stream_id = $1`,
        [streamId],
      );
      const row = rows[0];
      return row === undefined
        ? undefined
        : {
            streamId: row.stream_id,
            version: Number(row.version),
            state: row.state,
            schemaVersion: row.schema_version,
            takenAt: Number(row.taken_at),
          };
    },
    async save(snapshot) {
      // The WHERE keeps a newer snapshot when an older save arrives late.
      await run(
        'saving a snapshot',
        `INSERT INTO ${t.snapshots} AS s (stream_id, version, state, schema_version, taken_at)
         VALUES ($1, $2, $3::jsonb, $4, $5)
         ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, state = excluded.state,
           schema_version = excluded.schema_version, taken_at = excluded.taken_at
         WHERE excluded.version >= s.version`,
        [
          snapshot.streamId,
          snapshot.version,
          JSON.stringify(snapshot.state),
          snapshot.schemaVersion,
          snapshot.takenAt,
        ],
      );
    },
    async delete(streamId) {
      await run('deleting a snapshot', `DELETE FROM ${t.snapshots} WHERE stream_id = $1`, [streamId]);
    },
    close: () => connection.close(),
  };
}
