import type { CheckpointStore } from '@eddy/core/event-sourcing';
import type pg from 'pg';
import { toEddyError } from '../errors.js';
import { openPool, type PoolSource } from '../connection.js';
import { migrateEventStore, tablesFor } from './schema.js';

export type PostgresCheckpointStoreOptions = PoolSource;

/** A `CheckpointStore` on PostgreSQL, with `saveIn` for saving inside a read model's transaction. */
export interface PostgresCheckpointStore extends CheckpointStore {
  /**
   * Saves the checkpoint through `client`, inside the caller's open transaction, so the read model
   * and its checkpoint commit together.
   */
  saveIn(client: pg.ClientBase, subscriptionId: string, position: number): Promise<void>;
  /** Ends the pool when the store opened it. */
  close(): Promise<void>;
}

/** Subscription checkpoints in `<schema>.es_checkpoints`; creates the tables if missing. */
export async function createPostgresCheckpointStore(
  options: PostgresCheckpointStoreOptions,
): Promise<PostgresCheckpointStore> {
  const t = tablesFor(options.schema);
  const connection = openPool(options, 'createPostgresCheckpointStore', {
    applicationName: 'eddy-event-store',
  });
  const { pool, where } = connection;
  try {
    await migrateEventStore(pool, t, where);
  } catch (error) {
    await connection.close();
    throw error;
  }
  const upsert = `INSERT INTO ${t.checkpoints} (subscription_id, position) VALUES ($1, $2)
    ON CONFLICT (subscription_id) DO UPDATE SET position = excluded.position`;
  const run = async <R extends pg.QueryResultRow>(
    client: pg.ClientBase | pg.Pool,
    doing: string,
    text: string,
    values: unknown[],
  ): Promise<R[]> => {
    try {
      return (await client.query<R>(text, values)).rows;
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
  };
  return {
    async load(subscriptionId) {
      const rows = await run<{ position: string }>(
        pool,
        'loading a checkpoint',
        `SELECT position FROM ${t.checkpoints} WHERE subscription_id = $1`,
        [subscriptionId],
      );
      return rows[0] === undefined ? undefined : Number(rows[0].position);
    },
    async save(subscriptionId, position) {
      await run(pool, 'saving a checkpoint', upsert, [subscriptionId, position]);
    },
    async saveIn(client, subscriptionId, position) {
      await run(client, 'saving a checkpoint', upsert, [subscriptionId, position]);
    },
    async delete(subscriptionId) {
      await run(pool, 'deleting a checkpoint', `DELETE FROM ${t.checkpoints} WHERE subscription_id = $1`, [
        subscriptionId,
      ]);
    },
    close: () => connection.close(),
  };
}
