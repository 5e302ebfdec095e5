import { ClosedError } from '@eddy/core/internal';
import type pg from 'pg';
import { openPool, type PoolSource } from '../connection.js';
import { toEddyError } from '../errors.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../options.js';
import { migrateWebhookStores, webhookTables } from './schema.js';

/** What each PostgreSQL webhook store shares: its pool, tables, guarded queries and close. */
export interface OpenedWebhookStore {
  readonly pool: pg.Pool;
  readonly tables: ReturnType<typeof webhookTables>;
  run<T>(doing: string, work: () => Promise<T>): Promise<T>;
  query<R extends pg.QueryResultRow>(
    doing: string,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>>;
  /** Runs `work` in a transaction on one client. */
  transaction<T>(doing: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openWebhookStore(options: PoolSource, what: string): Promise<OpenedWebhookStore> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertSchemaName(schema);
  const connection = openPool(options, what, { applicationName: 'eddy-webhook-store' });
  const { pool, where } = connection;
  let closed = false;
  const run = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    if (closed) throw new ClosedError(`This PostgreSQL ${what}`);
    try {
      return await work();
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
  };
  try {
    await migrateWebhookStores(pool, schema, where);
  } catch (error) {
    await connection.close();
    throw error;
  }
  return {
    pool,
    tables: webhookTables(schema),
    run,
    query: (doing, text, values) => run(doing, () => pool.query(text, values)),
    transaction: (doing, work) =>
      run(doing, async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await work(client);
          await client.query('COMMIT');
          client.release();
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          client.release(true);
          throw error;
        }
      }),
    async close() {
      if (closed) return;
      closed = true;
      await connection.close();
    },
  };
}
