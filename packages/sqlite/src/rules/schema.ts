import type { Database } from 'better-sqlite3';
import { assertSqlIdentifier } from '../sql-identifier.js';

/** Default table of the SQLite rule store; the revision lives in `<table>_revision`. */
export const DEFAULT_RULE_TABLE = 'eddy_rules';

/** Returns `table` if it is a plain SQL identifier, else throws (see `assertSqlIdentifier`). */
export function assertRuleTable(table: string): string {
  return assertSqlIdentifier(table, 'Rule table name');
}

/** Creates the rule table and its one-row revision table when missing. */
export function ensureRuleTable(db: Database, table: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
    name TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    matched INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE IF NOT EXISTS ${table}_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
  );
  INSERT OR IGNORE INTO ${table}_revision (id, revision) VALUES (1, 0);`);
}
