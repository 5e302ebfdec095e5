// Messages are stored as record batches: one row per partition per commit (see codec.ts).
// A rowid table, because batches are larger than the ~200 bytes under which WITHOUT ROWID pays
// off; the unique index on last_offset finds the batch holding any offset. Offsets are contiguous
// per partition, so counts and lag are differences, never scans.
/** The log's tables, created when missing by every connection the transport opens. */
export const LOG_SCHEMA = `
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
CREATE TABLE IF NOT EXISTS eddy_publish_dedupe (
  topic_id INTEGER NOT NULL,
  dedupe_key TEXT NOT NULL,
  partition INTEGER NOT NULL,
  log_offset INTEGER NOT NULL,
  first_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  deliver_at INTEGER,
  PRIMARY KEY (topic_id, dedupe_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS eddy_superseded (
  topic_id INTEGER NOT NULL,
  partition INTEGER NOT NULL,
  log_offset INTEGER NOT NULL,
  PRIMARY KEY (topic_id, partition, log_offset)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS eddy_members (
  group_id INTEGER NOT NULL,
  member_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, member_id)
) WITHOUT ROWID;
`;
