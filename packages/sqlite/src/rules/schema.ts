import type { Database } from 'better-sqlite3';
import { InvalidOptionError } from '@eddy/core/internal';

/** Default table of the SQLite rule store; the revision lives in `<table>_revision`. */
export const DEFAULT_RULE_TABLE = 'eddy_rules';

/** Returns `table` if it is a plain SQL identifier (it is interpolated into SQL), else throws. */
export function assertRuleTable(table: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) {
    throw new InvalidOptionError(
      `Rule table name "${table}" must be a plain SQL identifier (letters, digits, _).`,
    );
  }
  return table;
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
