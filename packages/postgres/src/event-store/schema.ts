import type pg from 'pg';
import { migrateStoreOnce } from '../store-migration.js';
import { quoteIdent } from '../migration.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../options.js';

/** Qualified names of the event store's tables in one schema. */
export interface EventStoreTables {
  readonly schema: string;
  readonly events: string;
  readonly streams: string;
  readonly position: string;
  readonly checkpoints: string;
  readonly snapshots: string;
}

export function tablesFor(schema: string = DEFAULT_SCHEMA): EventStoreTables {
  assertSchemaName(schema);
  const s = quoteIdent(schema);
  return {
    schema,
    events: `${s}.es_events`,
    streams: `${s}.es_streams`,
    position: `${s}.es_position`,
    checkpoints: `${s}.es_checkpoints`,
    snapshots: `${s}.es_snapshots`,
  };
}

/**
 * Milliseconds since the epoch on the database clock, so every process agrees on `recordedAt`.
 * `statement_timestamp()` is stable within a statement: computed once, not once per row.
 */
export const NOW_MS = `(extract(epoch from statement_timestamp()) * 1000)::bigint`;

// es_position is a single-row counter: an append takes the next positions by updating it, and the
// row lock it holds until COMMIT makes appends commit in position order (docs/guides/event-sourcing.md,
// "PostgreSQL global order"). es_streams carries what reads need to apply retention in SQL.
function schemaSql(t: EventStoreTables): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${quoteIdent(t.schema)};
CREATE TABLE IF NOT EXISTS ${t.streams} (
  stream_id text COLLATE "C" PRIMARY KEY,
  current_version bigint NOT NULL DEFAULT 0,
  last_recorded_at bigint,
  max_age_ms bigint,
  max_count bigint,
  truncate_before bigint,
  custom jsonb,
  tombstoned boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS ${t.events} (
  global_position bigint PRIMARY KEY,
  stream_id text COLLATE "C" NOT NULL,
  stream_version bigint NOT NULL,
  category text COLLATE "C" NOT NULL,
  event_id text NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  schema_version integer NOT NULL,
  recorded_at bigint NOT NULL,
  UNIQUE (stream_id, stream_version),
  UNIQUE (stream_id, event_id)
);
CREATE INDEX IF NOT EXISTS es_events_category ON ${t.events} (category, global_position);
CREATE TABLE IF NOT EXISTS ${t.position} (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  last bigint NOT NULL
);
INSERT INTO ${t.position} (id, last) VALUES (true, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS ${t.checkpoints} (
  subscription_id text PRIMARY KEY,
  position bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${t.snapshots} (
  stream_id text PRIMARY KEY,
  version bigint NOT NULL,
  state jsonb NOT NULL,
  schema_version integer NOT NULL,
  taken_at bigint NOT NULL
);
`;
}

/**
 * Creates the event store tables in `schema` if missing. Idempotent and safe from several
 * processes at once (a transaction-scoped advisory lock serializes them); runs once per pool and
 * schema in a process.
 */
export function migrateEventStore(pool: pg.Pool, t: EventStoreTables, where: string): Promise<void> {
  return migrateStoreOnce({
    pool,
    schema: t.schema,
    lock: 'eddy-es-migrate',
    doing: 'creating the event store tables',
    where,
    ddl: schemaSql(t),
  });
}
