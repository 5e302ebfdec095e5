import type pg from 'pg';
import { toEddyError } from '../errors.js';
import { quoteIdent } from '../migration.js';

const migrated = new WeakMap<pg.Pool, Map<string, Promise<void>>>();

/** The rule table's qualified name in `schema` (a name that passed `assertSchemaName`). */
export function ruleTable(schema: string): string {
  return `${quoteIdent(schema)}.rules`;
}

/** The one-row table holding the rules' revision. */
export function ruleRevisionTable(schema: string): string {
  return `${quoteIdent(schema)}.rule_revision`;
}

/**
 * Creates `<schema>.rules` and `<schema>.rule_revision` if missing. Idempotent and safe from
 * several processes at once (a transaction-scoped advisory lock serializes them); runs once per
 * pool and schema in a process.
 */
export function migrateRuleStore(pool: pg.Pool, schema: string, where: string): Promise<void> {
  let perPool = migrated.get(pool);
  if (perPool === undefined) migrated.set(pool, (perPool = new Map<string, Promise<void>>()));
  const existing = perPool.get(schema);
  if (existing !== undefined) return existing;
  const running = (async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('eddy-rule-migrate:' || $1::text))`, [
        schema,
      ]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
        CREATE TABLE IF NOT EXISTS ${ruleTable(schema)} (
          name text PRIMARY KEY,
          definition jsonb NOT NULL,
          version bigint NOT NULL,
          created_at bigint NOT NULL,
          updated_at bigint NOT NULL,
          matched bigint NOT NULL DEFAULT 0,
          delivered bigint NOT NULL DEFAULT 0,
          failed bigint NOT NULL DEFAULT 0
        );
        CREATE TABLE IF NOT EXISTS ${ruleRevisionTable(schema)} (
          id int PRIMARY KEY CHECK (id = 1),
          revision bigint NOT NULL
        );
        INSERT INTO ${ruleRevisionTable(schema)} (id, revision) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;`);
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw toEddyError(error, 'creating the rule tables', where);
    }
  })();
  perPool.set(schema, running);
  running.catch(() => perPool.delete(schema));
  return running;
}
