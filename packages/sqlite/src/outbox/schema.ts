import type { Database } from 'better-sqlite3';
import { InvalidOptionError } from '@eddy/core/internal';

/** Default table of the SQLite outbox; its lease tables take this name plus `_lanes` and `_relays`. */
export const DEFAULT_OUTBOX_TABLE = 'eddy_outbox';

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,54}$/;

/** Checks the table name (it is interpolated into SQL). */
export function assertOutboxTable(table: string): string {
  if (!TABLE_NAME.test(table)) {
    throw new InvalidOptionError(
      `Outbox table name "${table}" is invalid: use up to 55 letters, digits and "_", starting with a letter or "_".`,
    );
  }
  return table;
}

/** The rows table alone: what `add` needs on the application's connection. */
export function outboxTableSql(table: string): string {
  // AUTOINCREMENT so ids never repeat after published rows are deleted: ids order a lane.
  return `
    CREATE TABLE IF NOT EXISTS ${table} (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      lane INTEGER NOT NULL,
      topic TEXT NOT NULL,
      key TEXT,
      event_id TEXT NOT NULL,
      headers TEXT NOT NULL,
      payload BLOB NOT NULL,
      traceparent TEXT,
      tracestate TEXT,
      created_at INTEGER NOT NULL,
      published_at INTEGER,
      failed_at INTEGER,
      error TEXT,
      attempts INTEGER
    );
    CREATE INDEX IF NOT EXISTS ${table}_published ON ${table} (published_at) WHERE published_at IS NOT NULL;`;
}

/** Columns added after the first release: outboxes created before get them on open. */
const ADDED_COLUMNS = [
  ['failed_at', 'INTEGER'],
  ['error', 'TEXT'],
  ['attempts', 'INTEGER'],
] as const;

/**
 * Brings an outbox table of an earlier version up to date (inside the caller's write transaction,
 * so two processes opening it at once do not both add a column), then creates the indexes that
 * read those columns. `_ready` replaces `_pending`: pending reads skip failed rows in the index.
 */
function upgradeOutboxTable(db: Database, table: string): void {
  const present = new Set(
    db
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
      .all()
      .map((column) => column.name),
  );
  for (const [name, type] of ADDED_COLUMNS) {
    if (!present.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
  }
  db.exec(`
    CREATE INDEX IF NOT EXISTS ${table}_ready ON ${table} (lane, id)
      WHERE published_at IS NULL AND failed_at IS NULL;
    CREATE INDEX IF NOT EXISTS ${table}_failed ON ${table} (id) WHERE failed_at IS NOT NULL;
    DROP INDEX IF EXISTS ${table}_pending;`);
}

/** Creates the rows and lease tables and the lane rows; checks the lane count of an existing outbox. */
export function ensureOutboxSchema(db: Database, table: string, lanes: number): void {
  db.exec(`${outboxTableSql(table)}
    CREATE TABLE IF NOT EXISTS ${table}_lanes (
      lane INTEGER PRIMARY KEY,
      owner TEXT,
      expires_at INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS ${table}_relays (
      owner TEXT PRIMARY KEY,
      expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;`);
  const setup = db.transaction(() => {
    upgradeOutboxTable(db, table);
    const { count } = db
      .prepare<[], { count: number }>(`SELECT count(*) AS count FROM ${table}_lanes`)
      .get()!;
    if (count === 0) {
      const insert = db.prepare<[number]>(`INSERT INTO ${table}_lanes (lane) VALUES (?)`);
      for (let lane = 0; lane < lanes; lane++) insert.run(lane);
    } else if (count !== lanes) {
      // A key's lane must never move while rows are pending, so the count is fixed at creation.
      throw new InvalidOptionError(
        `Outbox "${table}" was created with ${count} lanes, not ${lanes}: pass lanes: ${count}.`,
      );
    }
  });
  setup.immediate();
}
