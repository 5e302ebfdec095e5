import type { Database } from 'better-sqlite3';
import { checkRule, type RuleDefinition, type RuleRecord, type RuleStore } from '@eddy/rules';
import { describeTarget, resolveStoreDatabase } from '../connection.js';
import { guardedCalls } from '../errors.js';
import { assertRuleTable, DEFAULT_RULE_TABLE, ensureRuleTable } from './schema.js';

export interface SqliteRuleStoreOptions {
  /** An open better-sqlite3 database, or a file path to open (WAL). */
  readonly database: Database | string;
  /** Table name. Default `eddy_rules`. */
  readonly table?: string;
  /** How long a write waits for another process's lock, ms (path only). Default 5 000. */
  readonly busyTimeoutMs?: number;
}

/** A SQLite `RuleStore` and the database it uses. */
export interface SqliteRuleStore extends RuleStore {
  readonly database: Database;
}

interface Row {
  name: string;
  definition: string;
  version: number;
  created_at: number;
  updated_at: number;
  matched: number;
  delivered: number;
  failed: number;
}

function toRecord(row: Row): RuleRecord {
  return {
    ...(JSON.parse(row.definition) as RuleDefinition),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    counts: { matched: row.matched, delivered: row.delivered, failed: row.failed },
  };
}

const COLUMNS = 'name, definition, version, created_at, updated_at, matched, delivered, failed';

/**
 * `RuleStore` on SQLite: one row per rule with the checked definition as JSON, and a one-row
 * table holding the revision, moved in the same transaction as each change so that an engine
 * reading it never misses one.
 */
export function createSqliteRuleStore(options: SqliteRuleStoreOptions): SqliteRuleStore {
  const table = assertRuleTable(options.table ?? DEFAULT_RULE_TABLE);
  const { db, owned } = resolveStoreDatabase(options.database, {
    busyTimeoutMs: options.busyTimeoutMs,
    synchronous: 'normal',
  });
  ensureRuleTable(db, table);
  const select = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM ${table} WHERE name = ?`);
  const selectAll = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM ${table} ORDER BY name`);
  const upsertRow = db.prepare(
    `INSERT INTO ${table} (name, definition, version, created_at, updated_at)
     VALUES (@name, @definition, 1, @now, @now)
     ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, version = version + 1,
       updated_at = MAX(updated_at, excluded.updated_at)`,
  );
  const remove = db.prepare<[string]>(`DELETE FROM ${table} WHERE name = ?`);
  const bump = db.prepare(`UPDATE ${table}_revision SET revision = revision + 1 WHERE id = 1`);
  const selectRevision = db.prepare<[], { revision: number }>(
    `SELECT revision FROM ${table}_revision WHERE id = 1`,
  );
  const count = db.prepare(
    `UPDATE ${table} SET matched = matched + @matched, delivered = delivered + @delivered, failed = failed + @failed
     WHERE name = @name`,
  );
  const put = db.transaction((rule: RuleDefinition) => {
    upsertRow.run({ name: rule.name, definition: JSON.stringify(rule), now: Date.now() });
    bump.run();
    return toRecord(select.get(rule.name)!);
  });
  const del = db.transaction((name: string) => {
    const deleted = remove.run(name).changes > 0;
    if (deleted) bump.run();
    return deleted;
  });
  const addCounts = db.transaction((deltas: Parameters<RuleStore['addCounts']>[0]) => {
    for (const delta of deltas) {
      count.run({
        name: delta.name,
        matched: delta.matched ?? 0,
        delivered: delta.delivered ?? 0,
        failed: delta.failed ?? 0,
      });
    }
  });
  let closed = false;
  const guarded = guardedCalls('rule store', describeTarget(db.name), () => closed);

  return {
    database: db,
    // checkRule's errors are EddyErrors, which the guard passes through unchanged.
    put: (input) => guarded(() => put.immediate(checkRule(input))),
    get: (name) =>
      guarded(() => {
        const row = select.get(name);
        return row === undefined ? undefined : toRecord(row);
      }),
    list: () => guarded(() => selectAll.all().map(toRecord)),
    delete: (name) => guarded(() => del.immediate(name)),
    revision: () => guarded(() => selectRevision.get()!.revision),
    addCounts: (deltas) => guarded(() => addCounts.immediate(deltas)),
    close() {
      if (!closed) {
        closed = true;
        if (owned && db.open) db.close();
      }
      return Promise.resolve();
    },
  };
}
