import type pg from 'pg';
import { toEddyError } from '../errors.js';
import { quoteIdent } from '../migration.js';

const migrated = new WeakMap<pg.Pool, Map<string, Promise<void>>>();

/** The saga table's qualified name in `schema` (a name that passed `assertSchemaName`). */
export function sagaTable(schema: string): string {
  return `${quoteIdent(schema)}.sagas`;
}

/**
 * Creates `<schema>.sagas` and its indexes if missing. Idempotent and safe from several processes
 * at once (a transaction-scoped advisory lock serializes them); runs once per pool and schema in a
 * process.
 */
export function migrateSagaStore(pool: pg.Pool, schema: string, where: string): Promise<void> {
  let perPool = migrated.get(pool);
  if (perPool === undefined) migrated.set(pool, (perPool = new Map<string, Promise<void>>()));
  const existing = perPool.get(schema);
  if (existing !== undefined) return existing;
  const table = sagaTable(schema);
  const running = (async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('eddy-saga-migrate:' || $1::text))`, [
        schema,
      ]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
        CREATE TABLE IF NOT EXISTS ${table} (
          id text PRIMARY KEY,
          saga_name text NOT NULL,
          status text NOT NULL,
          version bigint NOT NULL,
          due_at bigint,
          updated_at bigint NOT NULL,
          body jsonb NOT NULL
        );
        CREATE INDEX IF NOT EXISTS sagas_status ON ${table} (status, updated_at);
        CREATE INDEX IF NOT EXISTS sagas_due ON ${table} (due_at) WHERE status IN ('running', 'compensating');`);
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw toEddyError(error, 'creating the saga table', where);
    }
  })();
  perPool.set(schema, running);
  running.catch(() => perPool.delete(schema));
  return running;
}
