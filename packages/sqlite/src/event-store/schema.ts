import type { Database } from 'better-sqlite3';
import { InvalidOptionError } from '@eddy/core/internal';
import { DEFAULT_STORE_BUSY_TIMEOUT_MS, openStoreDatabase } from '../connection.js';

/** Prefix of the event store's tables unless configured: `eddy_es_events`, `eddy_es_streams`... */
export const DEFAULT_EVENT_STORE_PREFIX = 'eddy_es_';

const PREFIX_PATTERN = /^[a-z_][a-z0-9_]{0,39}$/;

/** Table names of one event store in a database. */
export interface EventStoreTables {
  readonly events: string;
  readonly streams: string;
  readonly checkpoints: string;
  readonly snapshots: string;
}

export function tablesFor(prefix: string = DEFAULT_EVENT_STORE_PREFIX): EventStoreTables {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new InvalidOptionError(
      `tablePrefix "${prefix}" must be lower-case letters, digits and "_", not starting with a digit, at most 40 characters.`,
    );
  }
  return {
    events: `${prefix}events`,
    streams: `${prefix}streams`,
    checkpoints: `${prefix}checkpoints`,
    snapshots: `${prefix}snapshots`,
  };
}

// One row per stream carries everything a read needs to apply retention in SQL (current version,
// metadata, tombstone), so readAll filters with a primary-key join instead of per-event lookups.
// AUTOINCREMENT: a global position is never reused, even if the newest rows are ever deleted.
function schemaSql(tables: EventStoreTables): string {
  return `
CREATE TABLE IF NOT EXISTS ${tables.streams} (
  stream_id TEXT PRIMARY KEY,
  current_version INTEGER NOT NULL DEFAULT 0,
  last_recorded_at INTEGER,
  max_age_ms INTEGER,
  max_count INTEGER,
  truncate_before INTEGER,
  custom TEXT,
  tombstoned INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${tables.events} (
  global_position INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id TEXT NOT NULL,
  stream_version INTEGER NOT NULL,
  category TEXT NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  UNIQUE (stream_id, stream_version),
  UNIQUE (stream_id, event_id)
);
CREATE INDEX IF NOT EXISTS ${tables.events}_category ON ${tables.events} (category, global_position);
CREATE TABLE IF NOT EXISTS ${tables.checkpoints} (
  subscription_id TEXT PRIMARY KEY,
  position INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${tables.snapshots} (
  stream_id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  taken_at INTEGER NOT NULL
) WITHOUT ROWID;
`;
}

/** Creates the event store tables if missing. Idempotent; runs in one transaction. */
export function migrateEventStore(db: Database, tables: EventStoreTables): void {
  db.transaction(() => db.exec(schemaSql(tables))).immediate();
}

/**
 * Opens a database file for the event store: WAL, so readers never block the writer and a reader
 * sees only committed appends, and a busy timeout for other processes' write locks.
 */
export function openEventStoreDatabase(
  path: string,
  busyTimeoutMs = DEFAULT_STORE_BUSY_TIMEOUT_MS,
): Database {
  return openStoreDatabase(path, { busyTimeoutMs });
}
