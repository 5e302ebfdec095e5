import type { Database } from 'better-sqlite3';
import { assertSqlIdentifier } from '../sql-identifier.js';

/** Default table prefix of the SQLite state store: `eddy_state`, `_inputs`, `_outputs`, `_positions`. */
export const DEFAULT_STATE_TABLE = 'eddy_state';

/** Returns `table` if it is a plain SQL identifier, else throws (see `assertSqlIdentifier`). */
export function assertStateTable(table: string): string {
  return assertSqlIdentifier(table, 'State table name');
}

/** Creates the state store's tables when missing. */
export function ensureStateTables(db: Database, table: string): void {
  // A rowid table: a window's state is about 100-200 bytes of JSON, past the ~1/20 of a page below
  // which WITHOUT ROWID pays. Upserting a commit's 1,000 windows cost 2.3-2.4 µs per row WITHOUT
  // ROWID against 1.4-1.5 as a rowid table. Stores made before keep their table; the statements are
  // the same for both.
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (namespace, key)
  );
  -- event_id holds each input's key (its position; event ids in stores written before), under
  -- its first name. through is the last key of a run of consecutive offsets the row stands for,
  -- and NULL for a row of one key (see consumed-runs.ts).
  CREATE TABLE IF NOT EXISTS ${table}_inputs (
    namespace TEXT NOT NULL,
    event_id TEXT NOT NULL,
    consumed_at INTEGER NOT NULL,
    through TEXT,
    PRIMARY KEY (namespace, event_id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS ${table}_inputs_age ON ${table}_inputs (consumed_at);
  CREATE TABLE IF NOT EXISTS ${table}_outputs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace TEXT NOT NULL,
    id TEXT NOT NULL,
    output TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS ${table}_outputs_id ON ${table}_outputs (namespace, id);
  CREATE TABLE IF NOT EXISTS ${table}_positions (
    namespace TEXT NOT NULL,
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    offset TEXT NOT NULL,
    committed_at INTEGER NOT NULL,
    PRIMARY KEY (namespace, topic, partition)
  ) WITHOUT ROWID;`);
  // Stores made before runs lack the column; every row they hold is a row of one key.
  db.transaction(() => {
    const columns = db.pragma(`table_info(${table}_inputs)`) as { name: string }[];
    if (!columns.some((column) => column.name === 'through')) {
      db.exec(`ALTER TABLE ${table}_inputs ADD COLUMN through TEXT`);
    }
  }).immediate();
  // Finds whether a namespace holds rows of one key at all: most pipelines read log transports,
  // whose inputs are all runs, and then skip looking up the keys that are not positions.
  db.exec(
    `CREATE INDEX IF NOT EXISTS ${table}_inputs_single ON ${table}_inputs (namespace) WHERE through IS NULL`,
  );
}
