import type pg from 'pg';
import { migrateStoreOnce } from '../store-migration.js';
import { quoteIdent } from '../migration.js';

/** The state store's qualified table names in `schema` (a name that passed `assertSchemaName`). */
export function stateTables(schema: string): {
  state: string;
  inputs: string;
  outputs: string;
  positions: string;
} {
  const s = quoteIdent(schema);
  return {
    state: `${s}.stream_state`,
    inputs: `${s}.stream_inputs`,
    outputs: `${s}.stream_outputs`,
    positions: `${s}.stream_positions`,
  };
}

/**
 * Creates the four state store tables if missing. Idempotent and safe from several processes at
 * once (a transaction-scoped advisory lock serializes them); runs once per pool and schema.
 */
export function migrateStateStore(pool: pg.Pool, schema: string, where: string): Promise<void> {
  const t = stateTables(schema);
  return migrateStoreOnce({
    pool,
    schema,
    lock: 'eddy-state-migrate',
    doing: 'creating the stream state tables',
    where,
    ddl: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
        CREATE TABLE IF NOT EXISTS ${t.state} (
          namespace text NOT NULL,
          key text NOT NULL,
          value text NOT NULL,
          PRIMARY KEY (namespace, key)
        );
        -- event_id holds each input's key (its position; event ids in stores written before),
        -- under its first name so that existing stores need no migration.
        CREATE TABLE IF NOT EXISTS ${t.inputs} (
          namespace text NOT NULL,
          event_id text NOT NULL,
          consumed_at bigint NOT NULL,
          PRIMARY KEY (namespace, event_id)
        );
        CREATE INDEX IF NOT EXISTS stream_inputs_age ON ${t.inputs} (consumed_at);
        CREATE TABLE IF NOT EXISTS ${t.outputs} (
          seq bigserial PRIMARY KEY,
          namespace text NOT NULL,
          id text NOT NULL,
          output text NOT NULL
        );
        CREATE INDEX IF NOT EXISTS stream_outputs_id ON ${t.outputs} (namespace, id);
        CREATE TABLE IF NOT EXISTS ${t.positions} (
          namespace text NOT NULL,
          topic text NOT NULL,
          partition integer NOT NULL,
          "offset" text NOT NULL,
          committed_at bigint NOT NULL,
          PRIMARY KEY (namespace, topic, partition)
        );`,
  });
}
