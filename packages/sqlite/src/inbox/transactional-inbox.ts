import type { Database } from 'better-sqlite3';
import { type BusEvent, type EventHandler, type HandlerContext } from '@eddy/core';
import { DEFAULT_DEDUP_TTL_MS, InvalidOptionError } from '@eddy/core/internal';
import { DEFAULT_INBOX_TABLE, ensureInboxTable } from './schema.js';

export interface SqliteTransactionalInboxOptions {
  /** The application's database: the handler's writes and the inbox table live in it. */
  readonly database: Database;
  /** Table name. Default `eddy_inbox` (shared with `createSqliteInboxStore`). */
  readonly table?: string;
  /** How long a processed event id is remembered, ms. Default 86 400 000 (24 h). */
  readonly ttlMs?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * A handler whose work is synchronous SQL on `db` (better-sqlite3 transactions are synchronous).
 * Everything it writes commits together with the "processed" mark, or not at all.
 */
export type TransactionalHandler<TEvent extends BusEvent> = (
  event: TEvent,
  ctx: HandlerContext,
  db: Database,
) => void;

export interface SqliteTransactionalInbox {
  /**
   * Wraps a handler: in one `BEGIN IMMEDIATE` transaction it checks whether this handler already
   * processed the event id, runs the handler's writes, and records the id as processed. A crash
   * anywhere before the commit leaves nothing behind (the redelivery runs it again); a crash after
   * the commit (before the ack) makes the redelivery a no-op. So the side effect applies exactly
   * once per event id and handler within the TTL.
   */
  handler<TEvent extends BusEvent>(handler: TransactionalHandler<TEvent>): EventHandler<TEvent>;
  /** Deletes processed ids older than the TTL. Returns how many. */
  purgeExpired(now?: number): number;
}

export function createSqliteTransactionalInbox(
  options: SqliteTransactionalInboxOptions,
): SqliteTransactionalInbox {
  const db = options.database;
  const table = options.table ?? DEFAULT_INBOX_TABLE;
  const ttlMs = options.ttlMs ?? DEFAULT_DEDUP_TTL_MS;
  const now = options.now ?? Date.now;
  ensureInboxTable(db, table);
  const processed = db.prepare<[string, string, number], { one: number }>(
    `SELECT 1 AS one FROM ${table} WHERE handler = ? AND event_id = ? AND state = 'processed' AND expires_at > ?`,
  );
  const mark = db.prepare<[string, string, number]>(
    `INSERT INTO ${table} (handler, event_id, state, expires_at) VALUES (?, ?, 'processed', ?)
     ON CONFLICT (handler, event_id) DO UPDATE SET state = 'processed', expires_at = excluded.expires_at`,
  );
  const purge = db.prepare<[number]>(`DELETE FROM ${table} WHERE expires_at <= ?`);

  return {
    handler<TEvent extends BusEvent>(handler: TransactionalHandler<TEvent>): EventHandler<TEvent> {
      const run = db.transaction((event: TEvent, ctx: HandlerContext): boolean => {
        const at = now();
        if (processed.get(ctx.handlerName, event.id, at) !== undefined) return false;
        const result: unknown = handler(event, ctx, db);
        if (result instanceof Promise) {
          throw new InvalidOptionError(
            'A transactional inbox handler must be synchronous: better-sqlite3 commits when it returns. ' +
              'Do asynchronous work before publishing the event, or in another handler.',
          );
        }
        mark.run(ctx.handlerName, event.id, at + ttlMs);
        return true;
      });
      return (event, ctx) => {
        const applied = run.immediate(event, ctx);
        if (!applied) {
          ctx.outcome.duplicate = true;
          ctx.logger.debug({ handler: ctx.handlerName, eventId: event.id }, 'duplicate event skipped');
        }
      };
    },
    purgeExpired(at = now()) {
      return purge.run(at).changes;
    },
  };
}
