import type { Pool } from 'pg';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';

/** `"name"` — only called with names that passed `assertSchemaName`. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The NOTIFY channel publishes of a schema signal on. */
export function channelFor(schema: string): string {
  return `${schema}_publish`;
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The migration SQL for `schema`, placeholders filled in. */
export function schemaSql(schema: string): string {
  return SCHEMA_SQL.replaceAll('{s}', quoteIdent(schema)).replaceAll(
    '{channel}',
    quoteLiteral(channelFor(schema)),
  );
}

/**
 * Creates or upgrades Eddy's tables and functions in `schema`. Idempotent and safe to run from
 * several processes at once: a transaction-scoped advisory lock keyed by the schema name
 * serializes them, and a version row makes later runs a single cheap query.
 */
export async function migrate(pool: Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`eddy-migrate:${schema}`]);
    const exists = await client.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [
      `${quoteIdent(schema)}.schema_version`,
    ]);
    if (exists.rows[0]?.found === true) {
      const current = await client.query<{ version: number }>(
        `SELECT coalesce(max(version), 0) AS version FROM ${quoteIdent(schema)}.schema_version`,
      );
      if ((current.rows[0]?.version ?? 0) >= SCHEMA_VERSION) {
        await client.query('COMMIT');
        return;
      }
    }
    await client.query(schemaSql(schema));
    await client.query(
      `INSERT INTO ${quoteIdent(schema)}.schema_version (version) VALUES ($1) ON CONFLICT DO NOTHING`,
      [SCHEMA_VERSION],
    );
    await client.query('COMMIT');
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release(failed);
  }
}
