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

/** Consumer groups the DLQ admin creates to read a topic once; hidden from group listings. */
export function isInternalGroup(group: string): boolean {
  return group.startsWith('eddy-dlq-admin-');
}

/**
 * Topics Eddy keeps for itself: the records of which dead-letter entries were settled. Listed only
 * on request (`GET /v1/topics?internal=true`).
 */
export function isInternalTopic(topic: string): boolean {
  return topic.endsWith('.dlq.resolved');
}
