import type { ConsumerHandler, HandlerInfo, Middleware } from '../bus/handler-types.js';
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
