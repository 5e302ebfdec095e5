import { EddyError } from '../errors/eddy-error.js';
import { BackendError } from '../errors/errors.js';
import type { RecordedEvent } from './event-store.js';

/**
 * What every store's inline projection (a read model written in the append's own transaction)
 * declares besides its driver-specific `handle`.
 */
export interface InlineProjectionBase {
  /** Names the projection in errors. */
  readonly name: string;
  /** Only events of this stream category. Default: all. */
  readonly category?: string;
  /** Only these event types. Default: all. */
  readonly eventTypes?: readonly string[];
}

/** The events of one append an inline projection should see, or none. */
export function inlineProjectionEvents(
  projection: { readonly category?: string; readonly eventTypes?: readonly string[] },
  category: string,
  events: readonly RecordedEvent[],
): readonly RecordedEvent[] {
  if (projection.category !== undefined && projection.category !== category) return [];
  const types = projection.eventTypes;
  return types === undefined ? events : events.filter((event) => types.includes(event.type));
}

/** Why the append rolled back, as an EddyError naming the projection. */
export function inlineProjectionFailed(name: string, streamId: string, error: unknown): EddyError {
  if (error instanceof EddyError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new BackendError(
    `Inline projection "${name}" failed (${reason}), so the append to "${streamId}" was rolled back. ` +
      'Fix the projection, then retry the command.',
    { cause: error },
  );
}
