import type pg from 'pg';
import { toEddyError } from './errors.js';

const migrated = new WeakMap<pg.Pool, Map<string, Promise<void>>>();

/**
 * Runs a store's idempotent DDL once per pool, lock name and schema in this process, inside a
 * transaction holding an advisory lock named `<lock>:<schema>`, so several processes creating the
 * same tables at once take turns. A failed run is forgotten, so the next call tries again.
 */
export function migrateStoreOnce(options: {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Advisory lock name, one per kind of store (e.g. `eddy-saga-migrate`). */
  readonly lock: string;
  /** The DDL, every statement `IF NOT EXISTS`. */
  readonly ddl: string;
  /** What the error says was being done, e.g. `creating the saga table`. */
  readonly doing: string;
  readonly where: string;
}): Promise<void> {
  const { pool, schema, lock } = options;
  let perPool = migrated.get(pool);
  if (perPool === undefined) migrated.set(pool, (perPool = new Map<string, Promise<void>>()));
  const id = `${lock}:${schema}`;
  const existing = perPool.get(id);
  if (existing !== undefined) return existing;
  const running = (async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [id]);
      await client.query(options.ddl);
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw toEddyError(error, options.doing, options.where);
    }
  })();
  perPool.set(id, running);
  running.catch(() => perPool.delete(id));
  return running;
}
