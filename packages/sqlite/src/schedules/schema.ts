import type { Database } from 'better-sqlite3';
import { assertSqlIdentifier } from '../sql-identifier.js';

/** Default table of the SQLite schedule store. */
export const DEFAULT_SCHEDULE_TABLE = 'eddy_schedules';

/** Returns `table` if it is a plain SQL identifier, else throws (see `assertSqlIdentifier`). */
export function assertScheduleTable(table: string): string {
  return assertSqlIdentifier(table, 'Schedule table name');
}

/** Creates the schedule table and its due index when missing. */
export function ensureScheduleTable(db: Database, table: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
    id TEXT PRIMARY KEY,
    cron TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    missed_runs TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    key TEXT,
    enabled INTEGER NOT NULL,
    next_run_at INTEGER NOT NULL,
    last_run_at INTEGER,
    runs INTEGER NOT NULL DEFAULT 0,
    missed INTEGER NOT NULL DEFAULT 0,
    owner TEXT,
    lease_expires_at INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS ${table}_due ON ${table} (next_run_at) WHERE enabled = 1;`);
}
