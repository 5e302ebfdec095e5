import type pg from 'pg';
import { migrateStoreOnce } from '../store-migration.js';
import { quoteIdent } from '../migration.js';

/** The schedule table's qualified name in `schema` (a name that passed `assertSchemaName`). */
export function scheduleTable(schema: string): string {
  return `${quoteIdent(schema)}.schedules`;
}

/**
 * Creates `<schema>.schedules` and its due index if missing. Idempotent and safe from several
 * processes at once (a transaction-scoped advisory lock serializes them); runs once per pool and
 * schema in a process.
 */
export function migrateScheduleStore(pool: pg.Pool, schema: string, where: string): Promise<void> {
  const table = scheduleTable(schema);
  return migrateStoreOnce({
    pool,
    schema,
    lock: 'eddy-schedule-migrate',
    doing: 'creating the schedule table',
    where,
    ddl: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
        CREATE TABLE IF NOT EXISTS ${table} (
          id text PRIMARY KEY,
          cron text NOT NULL,
          time_zone text NOT NULL,
          missed_runs text NOT NULL,
          type text NOT NULL,
          data jsonb NOT NULL,
          key text,
          enabled boolean NOT NULL,
          next_run_at bigint NOT NULL,
          last_run_at bigint,
          runs bigint NOT NULL DEFAULT 0,
          missed bigint NOT NULL DEFAULT 0,
          owner text,
          lease_expires_at bigint NOT NULL DEFAULT 0
        );
        CREATE INDEX IF NOT EXISTS schedules_due ON ${table} (next_run_at) WHERE enabled;`,
  });
}
