import type { Database } from 'better-sqlite3';
import { InvalidOptionError } from '@eddy/core/internal';

/** Default table of the SQLite schedule store. */
export const DEFAULT_SCHEDULE_TABLE = 'eddy_schedules';

/** Returns `table` if it is a plain SQL identifier (it is interpolated into SQL), else throws. */
export function assertScheduleTable(table: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) {
    throw new InvalidOptionError(
      `Schedule table name "${table}" must be a plain SQL identifier (letters, digits, _).`,
    );
  }
  return table;
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
