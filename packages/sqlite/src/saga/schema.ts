import type { Database } from 'better-sqlite3';
import { InvalidOptionError } from '@eddy/core/internal';

/** Default table of the SQLite saga store. */
export const DEFAULT_SAGA_TABLE = 'eddy_sagas';

/** Returns `table` if it is a plain SQL identifier (it is interpolated into SQL), else throws. */
export function assertSagaTable(table: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) {
    throw new InvalidOptionError(
      `Saga table name "${table}" must be a plain SQL identifier (letters, digits, _).`,
    );
  }
  return table;
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
