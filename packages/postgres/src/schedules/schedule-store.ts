import { ClosedError, redefinesTiming } from '@eddy/core/internal';
import type { MissedRunPolicy, ScheduleRecord, ScheduleStore } from '@eddy/core/schedule';
import type pg from 'pg';
import { openPool, type PoolSource } from '../connection.js';
import { toEddyError } from '../errors.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../options.js';
import { migrateScheduleStore, scheduleTable } from './schema.js';

export type PostgresScheduleStoreOptions = PoolSource;

/** A `ScheduleStore` on PostgreSQL; `close()` ends the pool when the store opened it. */
export type PostgresScheduleStore = ScheduleStore;

interface Row {
  id: string;
  cron: string;
  time_zone: string;
  missed_runs: string;
  type: string;
  data: unknown;
  key: string | null;
  enabled: boolean;
  next_run_at: string;
  last_run_at: string | null;
  runs: string;
  missed: string;
}

function toRecord(row: Row): ScheduleRecord {
  return {
    id: row.id,
    cron: row.cron,
    timeZone: row.time_zone,
    missedRuns: row.missed_runs as MissedRunPolicy,
    type: row.type,
    data: row.data,
    ...(row.key === null ? {} : { key: row.key }),
    enabled: row.enabled,
    nextRunAt: Number(row.next_run_at),
    ...(row.last_run_at === null ? {} : { lastRunAt: Number(row.last_run_at) }),
    runs: Number(row.runs),
    missed: Number(row.missed),
  };
}

const COLUMNS =
  'id, cron, time_zone, missed_runs, type, data, key, enabled, next_run_at, last_run_at, runs, missed';

/**
 * `ScheduleStore` on PostgreSQL: `<schema>.schedules`, one row per schedule with its claim
 * (`owner`, `lease_expires_at`). A claim is one `UPDATE ... FROM (SELECT ... FOR UPDATE SKIP
 * LOCKED)`, so schedulers racing for due schedules never claim one together and never wait on
 * each other.
 */
export async function createPostgresScheduleStore(
  options: PostgresScheduleStoreOptions,
): Promise<PostgresScheduleStore> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertSchemaName(schema);
  const table = scheduleTable(schema);
  const connection = openPool(options, 'createPostgresScheduleStore', {
    applicationName: 'eddy-schedule-store',
  });
  const { pool, where } = connection;
  let closed = false;
  const run = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    if (closed) throw new ClosedError('This PostgreSQL schedule store');
    try {
      return await work();
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
  };
  const query = <R extends pg.QueryResultRow>(doing: string, text: string, values: unknown[]) =>
    run(doing, () => pool.query<R>(text, values));

  try {
    await migrateScheduleStore(pool, schema, where);
  } catch (error) {
    await connection.close();
    throw error;
  }

  return {
    upsert: (definition, nextRunAt) =>
      run('upserting a schedule', async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const values = [
            definition.id,
            definition.cron,
            definition.timeZone,
            definition.missedRuns,
            definition.type,
            JSON.stringify(definition.data ?? null),
            definition.key ?? null,
            definition.enabled,
            nextRunAt,
          ];
          const inserted = await client.query<Row>(
            `INSERT INTO ${table} (id, cron, time_zone, missed_runs, type, data, key, enabled, next_run_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
            values,
          );
          let row = inserted.rows[0];
          if (row === undefined) {
            const current = await client.query<Row>(
              `SELECT ${COLUMNS} FROM ${table} WHERE id = $1 FOR UPDATE`,
              [definition.id],
            );
            // The same timing rule as every other store (redefinesTiming), applied in TypeScript.
            const retime = redefinesTiming(toRecord(current.rows[0]!), definition);
            const updated = await client.query<Row>(
              `UPDATE ${table} SET cron = $2, time_zone = $3, missed_runs = $4, type = $5, data = $6, key = $7,
                 enabled = $8, next_run_at = CASE WHEN $10 THEN $9 ELSE next_run_at END,
                 owner = CASE WHEN $10 THEN NULL ELSE owner END
               WHERE id = $1 RETURNING ${COLUMNS}`,
              [...values, retime],
            );
            row = updated.rows[0]!;
          }
          await client.query('COMMIT');
          client.release();
          return toRecord(row);
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          client.release(true);
          throw error;
        }
      }),
    async get(id) {
      const { rows } = await query<Row>(
        'reading a schedule',
        `SELECT ${COLUMNS} FROM ${table} WHERE id = $1`,
        [id],
      );
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    },
    async list() {
      const { rows } = await query<Row>(
        'listing schedules',
        `SELECT ${COLUMNS} FROM ${table} ORDER BY id`,
        [],
      );
      return rows.map(toRecord);
    },
    async delete(id) {
      const result = await query('deleting a schedule', `DELETE FROM ${table} WHERE id = $1`, [id]);
      return (result.rowCount ?? 0) > 0;
    },
    async claimDue({ now, limit, leaseMs, owner }) {
      const { rows } = await query<Row>(
        'claiming due schedules',
        `UPDATE ${table} AS t SET owner = $3, lease_expires_at = $4
         FROM (SELECT id FROM ${table}
               WHERE enabled AND next_run_at <= $1 AND (owner IS NULL OR lease_expires_at <= $1)
               ORDER BY next_run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) AS due
         WHERE t.id = due.id
         RETURNING ${COLUMNS.split(', ')
           .map((column) => `t.${column}`)
           .join(', ')}`,
        [now, limit, owner, now + leaseMs],
      );
      return rows.map(toRecord).sort((a, b) => a.nextRunAt - b.nextRunAt || (a.id < b.id ? -1 : 1));
    },
    async advance(id, advance) {
      const result = await query(
        'recording a schedule run',
        `UPDATE ${table} SET next_run_at = $4, last_run_at = COALESCE($5, last_run_at),
           runs = runs + $6, missed = missed + $7, owner = NULL
         WHERE id = $1 AND owner = $2 AND next_run_at = $3`,
        [
          id,
          advance.owner,
          advance.expectedNextRunAt,
          advance.nextRunAt,
          advance.lastRunAt ?? null,
          advance.fired,
          advance.missed,
        ],
      );
      return (result.rowCount ?? 0) > 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      await connection.close();
    },
  };
}
