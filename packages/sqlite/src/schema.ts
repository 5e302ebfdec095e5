import Database from 'better-sqlite3';
import { BackendError } from '@eddy/core/internal';
import type { ResolvedOptions } from './options.js';

export type SqliteDatabase = Database.Database;

// Messages are stored as record batches: one row per partition per commit (see batch-codec.ts).
// A rowid table, because batches are larger than the ~200 bytes under which WITHOUT ROWID pays
// off; the unique index on last_offset finds the batch holding any offset. Offsets are contiguous
// per partition, so counts and lag are differences, never scans.
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
CREATE TABLE IF NOT EXISTS eddy_batches (
  seq INTEGER PRIMARY KEY,
  topic_id INTEGER NOT NULL,
  partition INTEGER NOT NULL,
  base_offset INTEGER NOT NULL,
  last_offset INTEGER NOT NULL,
  published_at INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  body BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS eddy_batches_position ON eddy_batches (topic_id, partition, last_offset);
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

/**
 * Opens the file with the settings every Eddy connection needs and creates the tables.
 * `synchronous` is the mode of this connection's commits.
 */
export function openDatabase(options: ResolvedOptions, synchronous = options.synchronous): SqliteDatabase {
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
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // Reads of the log go through memory-mapped pages instead of a read() call per page.
    db.pragma('mmap_size = 268435456');
    db.pragma('cache_size = -32768');
    // Checkpoints normally run in a worker thread (checkpointer.ts); this high threshold only
    // bounds the WAL should that worker fall behind.
    if (options.path !== ':memory:') db.pragma('wal_autocheckpoint = 16384');
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
