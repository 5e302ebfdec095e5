import type { Database } from 'better-sqlite3';
import { redefinesTiming } from '@eddy/core/internal';
import type { MissedRunPolicy, ScheduleRecord, ScheduleStore } from '@eddy/core/schedule';
import { describeTarget, resolveStoreDatabase } from '../connection.js';
import { guardedCalls } from '../errors.js';
import { assertScheduleTable, DEFAULT_SCHEDULE_TABLE, ensureScheduleTable } from './schema.js';

export interface SqliteScheduleStoreOptions {
  /** An open better-sqlite3 database, or a file path to open (WAL). */
  readonly database: Database | string;
  /** Table name. Default `eddy_schedules`. */
  readonly table?: string;
  /** How long a write waits for another process's lock, ms (path only). Default 5 000. */
  readonly busyTimeoutMs?: number;
}

/** A SQLite `ScheduleStore` and the database it uses. */
export interface SqliteScheduleStore extends ScheduleStore {
  readonly database: Database;
}

interface Row {
  id: string;
  cron: string;
  time_zone: string;
  missed_runs: string;
  type: string;
  data: string;
  key: string | null;
  enabled: number;
  next_run_at: number;
  last_run_at: number | null;
  runs: number;
  missed: number;
}

function toRecord(row: Row): ScheduleRecord {
  return {
    id: row.id,
    cron: row.cron,
    timeZone: row.time_zone,
    missedRuns: row.missed_runs as MissedRunPolicy,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
    ...(row.key === null ? {} : { key: row.key }),
    enabled: row.enabled === 1,
    nextRunAt: row.next_run_at,
    ...(row.last_run_at === null ? {} : { lastRunAt: row.last_run_at }),
    runs: row.runs,
    missed: row.missed,
  };
}

const COLUMNS =
  'id, cron, time_zone, missed_runs, type, data, key, enabled, next_run_at, last_run_at, runs, missed';

/**
 * `ScheduleStore` on SQLite: one row per schedule with its claim (`owner`, `lease_expires_at`).
 * Claims run in `BEGIN IMMEDIATE` transactions, so schedulers in several processes sharing the
 * file never claim one schedule together.
 */
export function createSqliteScheduleStore(options: SqliteScheduleStoreOptions): SqliteScheduleStore {
  const table = assertScheduleTable(options.table ?? DEFAULT_SCHEDULE_TABLE);
  const { db, owned } = resolveStoreDatabase(options.database, {
    busyTimeoutMs: options.busyTimeoutMs,
    synchronous: 'normal',
  });
  ensureScheduleTable(db, table);
  const select = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM ${table} WHERE id = ?`);
  const selectAll = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM ${table} ORDER BY id`);
  const insert = db.prepare(
    `INSERT INTO ${table} (id, cron, time_zone, missed_runs, type, data, key, enabled, next_run_at)
     VALUES (@id, @cron, @timeZone, @missedRuns, @type, @data, @key, @enabled, @nextRunAt)`,
  );
  const redefine = db.prepare(
    `UPDATE ${table} SET cron = @cron, time_zone = @timeZone, missed_runs = @missedRuns, type = @type,
       data = @data, key = @key, enabled = @enabled, next_run_at = @nextRunAt,
       owner = CASE WHEN @retime = 1 THEN NULL ELSE owner END
     WHERE id = @id`,
  );
  const remove = db.prepare<[string]>(`DELETE FROM ${table} WHERE id = ?`);
  const selectDue = db.prepare<[number, number, number], Row>(
    `SELECT ${COLUMNS} FROM ${table}
     WHERE enabled = 1 AND next_run_at <= ? AND (owner IS NULL OR lease_expires_at <= ?)
     ORDER BY next_run_at, id LIMIT ?`,
  );
  const lease = db.prepare<[string, number, string]>(
    `UPDATE ${table} SET owner = ?, lease_expires_at = ? WHERE id = ?`,
  );
  const advance = db.prepare(
    `UPDATE ${table} SET next_run_at = @nextRunAt, last_run_at = COALESCE(@lastRunAt, last_run_at),
       runs = runs + @fired, missed = missed + @missed, owner = NULL
     WHERE id = @id AND owner = @owner AND next_run_at = @expectedNextRunAt`,
  );
  // Reading and leasing in one write transaction: no other process can claim in between.
  const claim = db.transaction((now: number, limit: number, leaseMs: number, owner: string) => {
    const rows = selectDue.all(now, now, limit);
    for (const row of rows) lease.run(owner, now + leaseMs, row.id);
    return rows.map(toRecord);
  });
  const upsert = db.transaction((definition: Parameters<ScheduleStore['upsert']>[0], nextRunAt: number) => {
    const params = {
      id: definition.id,
      cron: definition.cron,
      timeZone: definition.timeZone,
      missedRuns: definition.missedRuns,
      type: definition.type,
      data: JSON.stringify(definition.data ?? null),
      key: definition.key ?? null,
      enabled: definition.enabled ? 1 : 0,
    };
    const existing = select.get(definition.id);
    if (existing === undefined) insert.run({ ...params, nextRunAt });
    else {
      const retime = redefinesTiming(toRecord(existing), definition);
      redefine.run({
        ...params,
        nextRunAt: retime ? nextRunAt : existing.next_run_at,
        retime: retime ? 1 : 0,
      });
    }
    return toRecord(select.get(definition.id)!);
  });
  let closed = false;
  const guarded = guardedCalls('schedule store', describeTarget(db.name), () => closed);

  return {
    database: db,
    upsert: (definition, nextRunAt) => guarded(() => upsert.immediate(definition, nextRunAt)),
    get: (id) =>
      guarded(() => {
        const row = select.get(id);
        return row === undefined ? undefined : toRecord(row);
      }),
    list: () => guarded(() => selectAll.all().map(toRecord)),
    delete: (id) => guarded(() => remove.run(id).changes > 0),
    claimDue: ({ now, limit, leaseMs, owner }) => guarded(() => claim.immediate(now, limit, leaseMs, owner)),
    advance: (id, { owner, expectedNextRunAt, nextRunAt, lastRunAt, fired, missed }) =>
      guarded(
        () =>
          advance.run({
            id,
            owner,
            expectedNextRunAt,
            nextRunAt,
            lastRunAt: lastRunAt ?? null,
            fired,
            missed,
          }).changes > 0,
      ),
    close() {
      if (!closed) {
        closed = true;
        if (owned && db.open) db.close();
      }
      return Promise.resolve();
    },
  };
}
