import type pg from 'pg';
import { toEddyError } from '../errors.js';
import { quoteIdent } from '../migration.js';

const migrated = new WeakMap<pg.Pool, Map<string, Promise<void>>>();

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
  let perPool = migrated.get(pool);
  if (perPool === undefined) migrated.set(pool, (perPool = new Map<string, Promise<void>>()));
  const existing = perPool.get(schema);
  if (existing !== undefined) return existing;
  const table = scheduleTable(schema);
  const running = (async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('eddy-schedule-migrate:' || $1::text))`, [
        schema,
      ]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
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
        CREATE INDEX IF NOT EXISTS schedules_due ON ${table} (next_run_at) WHERE enabled;`);
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw toEddyError(error, 'creating the schedule table', where);
    }
  })();
  perPool.set(schema, running);
  running.catch(() => perPool.delete(schema));
  return running;
}
