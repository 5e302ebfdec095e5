import type pg from 'pg';
import { migrateStoreOnce } from '../store-migration.js';
import { quoteIdent } from '../migration.js';

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
  return migrateStoreOnce({
    pool,
    schema,
    lock: 'eddy-rule-migrate',
    doing: 'creating the rule tables',
    where,
    ddl: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
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
        INSERT INTO ${ruleRevisionTable(schema)} (id, revision) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;`,
  });
}
