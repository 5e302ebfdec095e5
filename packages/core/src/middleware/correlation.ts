import { runWithCorrelation } from '../bus/publish-context.js';
import type { Middleware } from '../bus/handler-types.js';

/**
 * Makes events published while the handler runs carry the handled event's correlation id (or its
 * id, when it has none) and the handled event's id as causation id.
 */
export function correlationMiddleware(): Middleware {
  return (next) => (event, ctx) =>
    runWithCorrelation(
      typeof event.correlationid === 'string' ? event.correlationid : event.id,
      event.id,
      next,
      event,
      ctx,
    );
}
