import type { FairSlotStore } from '@eddy/core';
import { ClosedError } from '@eddy/core/internal';
import { openPool, type PoolSource } from '../connection.js';
import { toEddyError } from '../errors.js';
import { quoteIdent } from '../migration.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../options.js';

export type PostgresFairSlotStoreOptions = PoolSource;

/** Every this many rated takes, the rate rows whose wait ended `RATE_KEEP_MS` ago are dropped. */
const RATE_SWEEP_EVERY = 1_000;
const RATE_KEEP_MS = 60_000;

/** A `FairSlotStore` on PostgreSQL; `close()` ends the pool when the store opened it. */
export interface PostgresFairSlotStore extends FairSlotStore {
  close(): Promise<void>;
}

/**
 * `FairSlotStore` on PostgreSQL: `<schema>.fair_slots`, one row per held slot with its lease. A
 * slot is taken in a transaction holding an advisory lock on (scope, key), which drops the key's
 * expired slots and counts the rest, so members in any number of processes never take more than
 * the limit together.
 */
export async function createPostgresFairSlotStore(
  options: PostgresFairSlotStoreOptions,
): Promise<PostgresFairSlotStore> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertSchemaName(schema);
  const table = `${quoteIdent(schema)}.fair_slots`;
  // When each key may next start a delivery under `ratePerSecond`, shared by every process.
  const rates = `${quoteIdent(schema)}.fair_rates`;
  let takes = 0;
  const connection = openPool(options, 'createPostgresFairSlotStore', {
    applicationName: 'eddy-fair-slot-store',
  });
  const { pool, where } = connection;
  let closed = false;
  const run = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    if (closed) throw new ClosedError('This PostgreSQL fair-slot store');
    try {
      return await work();
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
  };
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
      CREATE TABLE IF NOT EXISTS ${table} (
        scope text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        holder text COLLATE "C" NOT NULL,
        expires_at bigint NOT NULL,
        PRIMARY KEY (scope, key, holder)
      );
      CREATE TABLE IF NOT EXISTS ${rates} (
        scope text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        next_at double precision NOT NULL,
        PRIMARY KEY (scope, key)
      )`);
  } catch (error) {
    await connection.close();
    throw toEddyError(error, 'creating the fair-slot table', where);
  }

  return {
    tryAcquire: (scope, key, holder, limit, leaseMs, ratePerSecond) =>
      run('taking a fair-group slot', async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          // Scope and key are Eddy names and user keys: joined by NUL-free '/', hashed for the lock.
          await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
            `eddy-fair-slot/${scope}/${key}`,
          ]);
          const now = Date.now();
          await client.query(`DELETE FROM ${table} WHERE scope = $1 AND key = $2 AND expires_at <= $3`, [
            scope,
            key,
            now,
          ]);
          const held = await client.query<{ count: string }>(
            `SELECT count(*) AS count FROM ${table} WHERE scope = $1 AND key = $2`,
            [scope, key],
          );
          let taken = Number(held.rows[0]?.count ?? 0) < limit;
          if (taken && ratePerSecond !== undefined) {
            const next = await client.query<{ next_at: number }>(
              `SELECT next_at FROM ${rates} WHERE scope = $1 AND key = $2`,
              [scope, key],
            );
            taken = (next.rows[0]?.next_at ?? 0) <= now;
            if (taken) {
              await client.query(
                `INSERT INTO ${rates} (scope, key, next_at) VALUES ($1, $2, $3)
                 ON CONFLICT (scope, key) DO UPDATE SET next_at = excluded.next_at`,
                [scope, key, now + 1000 / ratePerSecond],
              );
              // Keys may be unbounded: now and then, forget those whose wait is long over.
              if ((takes = (takes + 1) % RATE_SWEEP_EVERY) === 0) {
                await client.query(`DELETE FROM ${rates} WHERE next_at <= $1`, [now - RATE_KEEP_MS]);
              }
            }
          }
          if (taken) {
            await client.query(
              `INSERT INTO ${table} (scope, key, holder, expires_at) VALUES ($1, $2, $3, $4)`,
              [scope, key, holder, now + leaseMs],
            );
          }
          await client.query('COMMIT');
          return taken;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      }),
    release: (scope, key, holder) =>
      run('releasing a fair-group slot', async () => {
        await pool.query(`DELETE FROM ${table} WHERE scope = $1 AND key = $2 AND holder = $3`, [
          scope,
          key,
          holder,
        ]);
      }),
    async close() {
      if (closed) return;
      closed = true;
      await connection.close();
    },
  };
}
