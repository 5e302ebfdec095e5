import type { LeaderLease } from '@eddy/core/internal';
import type pg from 'pg';
import { toEddyError } from '../errors.js';
import { quoteIdent } from '../migration.js';

/** `<schema>.leader_leases`, created if missing (idempotent, safe from several processes at once). */
export async function migrateLeaderLeases(pool: pg.Pool, schema: string, where: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('eddy-leader-migrate:' || $1::text))`, [
      schema,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
      CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.leader_leases (
        name text PRIMARY KEY,
        holder text NOT NULL,
        expires_at timestamptz NOT NULL
      );`);
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(true);
    throw toEddyError(error, 'creating the leader lease table', where);
  }
}

/**
 * `LeaderLease` as one row per lease. Taking and renewing are the same upsert, which only
 * overwrites a row that this holder has or that has expired; expiry is by the server's clock
 * (`clock_timestamp()`), so holders never compare their own clocks.
 */
export function postgresLeaderLease(pool: pg.Pool, schema: string, where: string): LeaderLease {
  const table = `${quoteIdent(schema)}.leader_leases`;
  const acquireSql = `INSERT INTO ${table} AS l (name, holder, expires_at)
      VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
      WHERE l.holder = excluded.holder OR l.expires_at <= clock_timestamp()
    RETURNING holder`;
  return {
    async acquire(name, holder, ttlMs) {
      try {
        const { rowCount } = await pool.query(acquireSql, [name, holder, ttlMs]);
        return rowCount === 1;
      } catch (error) {
        throw toEddyError(error, `taking the leader lease ${name}`, where);
      }
    },
    async release(name, holder) {
      try {
        await pool.query(`DELETE FROM ${table} WHERE name = $1 AND holder = $2`, [name, holder]);
      } catch (error) {
        throw toEddyError(error, `releasing the leader lease ${name}`, where);
      }
    },
  };
}
