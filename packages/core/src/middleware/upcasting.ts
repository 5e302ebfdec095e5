import type { Middleware } from '../bus/handler-types.js';
import { createUpcaster, type Upcaster } from '../event-sourcing/upcasting.js';

/**
 * Upcasts every event before the handler sees it: events written with an older `schemaversion`
 * reach the handler in the current shape (type, data and `schemaversion` rewritten). Put it in the
 * bus's or a handler's `middleware` (the validation/upcast slot).
 */
export function upcastingMiddleware(upcasters: readonly Upcaster[]): Middleware {
  const upcast = createUpcaster(upcasters);
  return (next) => (event, ctx) => next(upcast(event), ctx);
}
