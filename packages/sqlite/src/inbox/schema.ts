import type { Database } from 'better-sqlite3';
import { InvalidOptionError } from '@eddy/core/internal';

/** Default table of the SQLite inbox. */
export const DEFAULT_INBOX_TABLE = 'eddy_inbox';

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Checks the table name (it is interpolated into SQL) and creates the table when missing. */
export function ensureInboxTable(db: Database, table: string): void {
  if (!TABLE_NAME.test(table)) {
    throw new InvalidOptionError(
      `Inbox table name "${table}" is invalid: use letters, digits and "_", starting with a letter or "_".`,
    );
  }
  // state: 'leased' while an attempt runs, 'processed' after it committed. expires_at bounds both
  // the lease (crashed claimer) and the dedup window (TTL).
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${table} (
      handler TEXT NOT NULL,
      event_id TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('leased', 'processed')),
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (handler, event_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS ${table}_expires ON ${table} (expires_at);
  `);
}
