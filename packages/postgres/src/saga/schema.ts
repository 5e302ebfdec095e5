import type pg from 'pg';
import { migrateStoreOnce } from '../store-migration.js';
import { quoteIdent } from '../migration.js';

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
  const table = sagaTable(schema);
  return migrateStoreOnce({
    pool,
    schema,
    lock: 'eddy-saga-migrate',
    doing: 'creating the saga table',
    where,
    ddl: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
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
        CREATE INDEX IF NOT EXISTS sagas_due ON ${table} (due_at) WHERE status IN ('running', 'compensating');`,
  });
}
