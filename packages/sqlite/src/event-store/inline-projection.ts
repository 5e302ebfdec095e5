import type { RecordedEvent } from '@eddy/core/event-sourcing';
import type { InlineProjectionBase } from '@eddy/core/internal';
import type { Database } from 'better-sqlite3';

/**
 * A read model updated in the same transaction as the append that recorded its events, so it can
 * never be behind them: if `handle` throws, the append rolls back and the error reaches the caller.
 */
export interface SqliteInlineProjection extends InlineProjectionBase {
  /**
   * Called once per append with the events that match, inside the write transaction. Synchronous,
   * like every better-sqlite3 transaction: write the read model through `db` (the store's database).
   */
  handle(events: readonly RecordedEvent[], db: Database): void;
}
