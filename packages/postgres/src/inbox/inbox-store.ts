import { type InboxClaim, type InboxStore } from '@eddy/core';
import { ClosedError, InvalidOptionError } from '@eddy/core/internal';
import type pg from 'pg';
import { toEddyError } from '../errors.js';
import { migrate, quoteIdent } from '../migration.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../options.js';
import { openPool } from '../connection.js';

/** Options of `createPostgresInboxStore`. Give either `pool` or `connectionString`. */
export interface PostgresInboxStoreOptions {
  /** A pool to use (usually the application's, so `processOnce` can join its transactions). Never ended by the store. */
  readonly pool?: pg.Pool;
  /** Where to connect when no pool is given; the store then owns its pool and ends it on `close()`. */
  readonly connectionString?: string;
  /** Schema holding the `inbox` table, shared with the transport. Default `'eddy'`. */
  readonly schema?: string;
}

/** What `processOnce` did. */
export type ProcessOnceResult<T> =
  | { readonly duplicate: false; readonly value: T }
  | {
      readonly duplicate: true;
      /** `'processed'`: done before, inside the window; `'busy'`: another delivery holds a live lease. */
      readonly claim: 'processed' | 'busy';
    };

/**
 * `InboxStore` on PostgreSQL, plus the transactional inbox: `markProcessed` and `processOnce`
 * record the processed mark inside the caller's transaction, so the handler's writes and the
 * mark commit (or roll back) together.
 */
export interface PostgresInboxStore extends InboxStore {
  /**
   * Inside the caller's open transaction on `client` (after BEGIN): marks `(handler, eventId)`
   * processed for `ttlMs`. Returns `'acquired'` when this transaction holds the mark (go ahead, then
   * COMMIT), else `'processed'` or `'busy'` (skip the work and ROLLBACK). A concurrent transaction
   * marking the same event waits for this one to finish.
   */
  markProcessed(
    client: pg.ClientBase,
    handler: string,
    eventId: string,
    options: { readonly ttlMs: number },
  ): Promise<InboxClaim>;
  /**
   * Runs `work` at most once per `(handler, eventId)` within `ttlMs`: BEGIN, mark, `work(client)`,
   * COMMIT. If `work` throws, everything rolls back (the mark too) and the error propagates.
   */
  processOnce<T>(
    handler: string,
    eventId: string,
    options: { readonly ttlMs: number },
    work: (client: pg.ClientBase) => Promise<T>,
  ): Promise<ProcessOnceResult<T>>;
}

function positive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidOptionError(`${name} must be > 0 ms, got ${value}.`);
}

/** Creates the inbox store, running the schema migration first (idempotent). */
export async function createPostgresInboxStore(
  options: PostgresInboxStoreOptions,
): Promise<PostgresInboxStore> {
  const schemaName = options.schema ?? DEFAULT_SCHEMA;
  assertSchemaName(schemaName);
  const connection = openPool(options, 'createPostgresInboxStore', { applicationName: 'eddy-inbox' });
  const { pool, where } = connection;
  try {
    await migrate(pool, schemaName);
  } catch (error) {
    await connection.close();
    throw toEddyError(error, 'connecting the inbox store', where);
  }
  const table = `${quoteIdent(schemaName)}.inbox`;
  const nowMs = `${quoteIdent(schemaName)}.now_ms()`;
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new ClosedError('This PostgreSQL inbox store');
  };

  async function run<R extends pg.QueryResultRow>(
    client: pg.ClientBase | pg.Pool,
    text: string,
    values: unknown[],
    doing: string,
  ): Promise<pg.QueryResult<R>> {
    try {
      return await client.query<R>(text, values);
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
  }

  /** Inserts or takes over an expired entry; when that fails, reports what holds it. */
  async function take(
    client: pg.ClientBase | pg.Pool,
    handler: string,
    eventId: string,
    state: 'leased' | 'processed',
    forMs: number,
  ): Promise<InboxClaim> {
    const doing = `claiming event "${eventId}" for handler "${handler}"`;
    // The entry that beat the insert can expire before the second statement looks at it; then
    // the insert is simply tried again.
    for (let attempt = 0; ; attempt++) {
      const inserted = await run(
        client,
        `INSERT INTO ${table} AS i (handler, event_id, state, expires_at) VALUES ($1, $2, $3, ${nowMs} + $4)
         ON CONFLICT (handler, event_id) DO UPDATE SET state = EXCLUDED.state, expires_at = EXCLUDED.expires_at
         WHERE i.expires_at <= ${nowMs}
         RETURNING 1`,
        [handler, eventId, state, Math.ceil(forMs)],
        doing,
      );
      if (inserted.rowCount === 1) return 'acquired';
      // A fresh statement (fresh snapshot) sees the entry that beat us, even one committed just now.
      const existing = await run<{ state: string }>(
        client,
        `SELECT state FROM ${table} WHERE handler = $1 AND event_id = $2 AND expires_at > ${nowMs}`,
        [handler, eventId],
        doing,
      );
      const found = existing.rows[0]?.state;
      if (found === 'processed') return 'processed';
      if (found === 'leased' || attempt >= 2) return 'busy';
    }
  }

  const store: PostgresInboxStore = {
    async claim(handler, eventId, { leaseMs }) {
      assertOpen();
      positive('leaseMs', leaseMs);
      return take(pool, handler, eventId, 'leased', leaseMs);
    },
    async complete(handler, eventId, { ttlMs }) {
      assertOpen();
      positive('ttlMs', ttlMs);
      await run(
        pool,
        `INSERT INTO ${table} (handler, event_id, state, expires_at) VALUES ($1, $2, 'processed', ${nowMs} + $3)
         ON CONFLICT (handler, event_id) DO UPDATE SET state = 'processed', expires_at = EXCLUDED.expires_at`,
        [handler, eventId, Math.ceil(ttlMs)],
        `completing event "${eventId}" for handler "${handler}"`,
      );
    },
    async release(handler, eventId) {
      assertOpen();
      await run(
        pool,
        `DELETE FROM ${table} WHERE handler = $1 AND event_id = $2 AND state = 'leased'`,
        [handler, eventId],
        `releasing event "${eventId}" for handler "${handler}"`,
      );
    },
    async purgeExpired(now = Date.now()) {
      assertOpen();
      const result = await run(
        pool,
        `DELETE FROM ${table} WHERE expires_at <= $1`,
        [now],
        'purging the inbox',
      );
      return result.rowCount ?? 0;
    },
    async markProcessed(client, handler, eventId, { ttlMs }) {
      assertOpen();
      positive('ttlMs', ttlMs);
      return take(client, handler, eventId, 'processed', ttlMs);
    },
    async processOnce(handler, eventId, { ttlMs }, work) {
      assertOpen();
      positive('ttlMs', ttlMs);
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw toEddyError(error, 'connecting the inbox store', where);
      }
      let broken = false;
      try {
        await run(client, 'BEGIN', [], 'starting a transaction');
        const claim = await take(client, handler, eventId, 'processed', ttlMs);
        if (claim !== 'acquired') {
          await run(client, 'ROLLBACK', [], 'rolling back');
          return { duplicate: true, claim };
        }
        const value = await work(client);
        await run(client, 'COMMIT', [], `committing event "${eventId}" for handler "${handler}"`);
        return { duplicate: false, value };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await connection.close();
    },
  };
  return store;
}
