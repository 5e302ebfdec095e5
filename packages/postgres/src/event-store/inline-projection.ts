import { BackendError, EddyError, type RecordedEvent } from '@eddy/core';
import type pg from 'pg';

/**
 * A read model updated in the same transaction as the append that recorded its events, so it can
 * never be behind them: if `handle` rejects, the append rolls back and the error reaches the caller.
 */
export interface PostgresInlineProjection {
  /** Names the projection in errors. */
  readonly name: string;
  /** Only events of this stream category. Default: all. */
  readonly category?: string;
  /** Only these event types. Default: all. */
  readonly eventTypes?: readonly string[];
  /**
   * Called once per append with the events that match, inside the append's transaction (after
   * BEGIN, before COMMIT): write the read model through `client`.
   */
  handle(events: readonly RecordedEvent[], client: pg.ClientBase): Promise<void>;
}

/** The events of one append a projection should see, or none. */
export function eventsFor(
  projection: { readonly category?: string; readonly eventTypes?: readonly string[] },
  category: string,
  events: readonly RecordedEvent[],
): readonly RecordedEvent[] {
  if (projection.category !== undefined && projection.category !== category) return [];
  const types = projection.eventTypes;
  return types === undefined ? events : events.filter((event) => types.includes(event.type));
}

/** Why the append rolled back, as an EddyError naming the projection. */
export function projectionFailed(name: string, streamId: string, error: unknown): EddyError {
  if (error instanceof EddyError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new BackendError(
    `Inline projection "${name}" failed (${reason}), so the append to "${streamId}" was rolled back. ` +
      'Fix the projection, then retry the command.',
    { cause: error },
  );
}
