import type { Database } from 'better-sqlite3';
import { assertSqlIdentifier } from '../sql-identifier.js';

/** Default table of the SQLite saga store. */
export const DEFAULT_SAGA_TABLE = 'eddy_sagas';

/** Returns `table` if it is a plain SQL identifier, else throws (see `assertSqlIdentifier`). */
export function assertSagaTable(table: string): string {
  return assertSqlIdentifier(table, 'Saga table name');
}

/** Creates the saga table and its indexes when missing. */
export function ensureSagaTable(db: Database, table: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
    id TEXT PRIMARY KEY,
    saga_name TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    due_at INTEGER,
    updated_at INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS ${table}_status ON ${table} (status, updated_at);
  CREATE INDEX IF NOT EXISTS ${table}_due ON ${table} (due_at) WHERE status IN ('running', 'compensating');`);
}
