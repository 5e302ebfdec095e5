import type { TransportAdmin } from '@eddy/core';

/**
 * Topic and group administration the gateway exposes: a transport's `admin` (see `adminOf` in
 * @eddy/core; SQLite, PostgreSQL and Redis offer one). With other transports the admin routes
 * answer 501 `EDDY_NOT_SUPPORTED`, and the DLQ routes still work through core's dead-letter admin.
 */
export type BackendAdmin = TransportAdmin;

export { adminOf } from '@eddy/core';
