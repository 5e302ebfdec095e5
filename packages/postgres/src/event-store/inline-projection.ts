import type { RecordedEvent } from '@eddy/core/event-sourcing';
import type { InlineProjectionBase } from '@eddy/core/internal';
import type pg from 'pg';

/**
 * A read model updated in the same transaction as the append that recorded its events, so it can
 * never be behind them: if `handle` rejects, the append rolls back and the error reaches the caller.
 */
export interface PostgresInlineProjection extends InlineProjectionBase {
  /**
   * Called once per append with the events that match, inside the append's transaction (after
   * BEGIN, before COMMIT): write the read model through `client`.
   */
  handle(events: readonly RecordedEvent[], client: pg.ClientBase): Promise<void>;
}
