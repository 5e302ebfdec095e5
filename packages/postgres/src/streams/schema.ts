import type pg from 'pg';
import { toEddyError } from '../errors.js';
import { quoteIdent } from '../migration.js';

const migrated = new WeakMap<pg.Pool, Map<string, Promise<void>>>();

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
  let perPool = migrated.get(pool);
  if (perPool === undefined) migrated.set(pool, (perPool = new Map<string, Promise<void>>()));
  const existing = perPool.get(schema);
  if (existing !== undefined) return existing;
  const t = stateTables(schema);
  const running = (async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('eddy-state-migrate:' || $1::text))`, [
        schema,
      ]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
        CREATE TABLE IF NOT EXISTS ${t.state} (
          namespace text NOT NULL,
          key text NOT NULL,
          value text NOT NULL,
          PRIMARY KEY (namespace, key)
        );
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
        );`);
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw toEddyError(error, 'creating the stream state tables', where);
    }
  })();
  perPool.set(schema, running);
  running.catch(() => perPool.delete(schema));
  return running;
}
