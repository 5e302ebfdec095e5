import Database from 'better-sqlite3';
import { BackendError } from '@eddy/core';
import type { ResolvedOptions } from './options.js';

export type SqliteDatabase = Database.Database;

// Messages live in a rowid table (payloads are often larger than the ~200 bytes under which
// WITHOUT ROWID pays off); the unique index gives the (topic, partition, offset) order reads use.
// Offsets are contiguous per partition, so counts and lag are differences, never scans.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS eddy_topics (
  topic_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  partitions INTEGER NOT NULL,
  retention_ms INTEGER,
  retention_messages INTEGER,
  retention_bytes INTEGER,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS eddy_partitions (
  topic_id INTEGER NOT NULL,
  partition INTEGER NOT NULL,
  first_offset INTEGER NOT NULL DEFAULT 0,
  next_offset INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (topic_id, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS eddy_messages (
  seq INTEGER PRIMARY KEY,
  topic_id INTEGER NOT NULL,
  partition INTEGER NOT NULL,
  log_offset INTEGER NOT NULL,
  published_at INTEGER NOT NULL,
  deliver_at INTEGER,
  size INTEGER NOT NULL,
  msg_key TEXT,
  headers TEXT,
  payload BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS eddy_messages_position ON eddy_messages (topic_id, partition, log_offset);
CREATE TABLE IF NOT EXISTS eddy_groups (
  group_id INTEGER PRIMARY KEY,
  topic_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (topic_id, name)
);
CREATE TABLE IF NOT EXISTS eddy_group_partitions (
  group_id INTEGER NOT NULL,
  partition INTEGER NOT NULL,
  ack_floor INTEGER NOT NULL,
  acked TEXT,
  dispatched INTEGER NOT NULL,
  owner TEXT,
  lease_expires INTEGER NOT NULL DEFAULT 0,
  epoch INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (group_id, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS eddy_attempts (
  group_id INTEGER NOT NULL,
  partition INTEGER NOT NULL,
  log_offset INTEGER NOT NULL,
  deliveries INTEGER NOT NULL,
  PRIMARY KEY (group_id, partition, log_offset)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS eddy_members (
  group_id INTEGER NOT NULL,
  member_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, member_id)
) WITHOUT ROWID;
`;

/** Opens the file with the settings every Eddy connection needs and creates the tables. */
export function openDatabase(options: ResolvedOptions): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(options.path, { timeout: options.busyTimeoutMs });
  } catch (error) {
    throw new BackendError(
      `Cannot open SQLite database "${options.path}": ${(error as Error).message}. Check the path and its permissions.`,
      { cause: error },
    );
  }
  try {
    if (options.path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    db.pragma('foreign_keys = OFF');
    db.transaction(() => db.exec(SCHEMA)).immediate();
  } catch (error) {
    db.close();
    throw new BackendError(`Cannot prepare SQLite database "${options.path}": ${(error as Error).message}.`, {
      cause: error,
    });
  }
  return db;
}
