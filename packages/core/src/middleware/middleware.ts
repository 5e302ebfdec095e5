import type { Logger } from '../observability/logger.js';
import type { BusMetrics } from '../observability/metrics.js';
import type { Transport } from '../transport/transport.js';
import type { BusEvent, HandlerContext } from '../bus/bus-types.js';

/**
 * A handler as middleware sees it: untyped data, the bus context. Resolving acknowledges the
 * delivery; throwing nacks it (a thrown `Nack` chooses the redelivery delay).
 */
export type ConsumerHandler = (event: BusEvent, ctx: HandlerContext) => Promise<void>;

/** What a middleware knows about the handler it wraps, fixed when the bus subscribes it. */
export interface HandlerInfo {
  /** Handler name, unique on its bus. */
  readonly name: string;
  /** Event type the handler was registered for. */
  readonly type: string;
  /** Topic the handler consumes. */
  readonly topic: string;
  /** Consumer group: `<bus group>.<handler name>`. */
  readonly group: string;
  readonly transport: Transport;
  readonly logger: Logger;
  readonly metrics: BusMetrics;
}

/**
 * Wraps a handler: `(next) => (event, ctx) => ...`. Call `next` to continue; return without calling
 * it to acknowledge and skip; throw to nack.
 */
export type Middleware = (next: ConsumerHandler, info: HandlerInfo) => ConsumerHandler;

/** Composes middleware so that the first in the list runs first (outermost). */
export function composeMiddleware(
  middleware: readonly Middleware[],
  handler: ConsumerHandler,
  info: HandlerInfo,
): ConsumerHandler {
  let next = handler;
  for (let i = middleware.length - 1; i >= 0; i--) next = middleware[i]!(next, info);
  return next;
}
