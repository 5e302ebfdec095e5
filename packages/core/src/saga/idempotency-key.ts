import type { CloudEvent } from '../cloudevents/cloud-event.js';

/** CloudEvents extension carrying a saga step's idempotency key on the commands a runner sends. */
export const IDEMPOTENCY_KEY_EXTENSION = 'idempotencykey';

/**
 * The idempotency key of a command: the saga step's key (`${sagaId}:${stepName}`, identical on
 * every retry and after a crash), or the event id for commands sent without one. Services key
 * their side effects by it so a re-sent command is a no-op.
 */
export function idempotencyKeyOf(event: CloudEvent): string {
  const key = (event as unknown as Record<string, unknown>)[IDEMPOTENCY_KEY_EXTENSION];
  return typeof key === 'string' && key.length > 0 ? key : event.id;
}
