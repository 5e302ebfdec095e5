import { NotSupportedError } from '@eddy/core/internal';
import type { GatewayContext } from '../context.js';
import type { BackendAdmin } from './backend-admin.js';

/** The backend admin, or a 501 explaining which transports have one. */
export function requireAdmin(ctx: GatewayContext): BackendAdmin {
  if (ctx.admin !== undefined) return ctx.admin;
  throw new NotSupportedError(
    `The ${ctx.transport.name} transport offers no topic/group administration to the gateway. ` +
      "Use the SQLite, PostgreSQL or Redis transport, or the backend's own tools; DLQ routes work on every transport with replay.",
  );
}
