import type { Principal } from '../auth/api-keys.js';

/**
 * What a route needs from the caller. `publish`/`consume` check the `topic` path parameter;
 * `authenticated` only identifies the caller (the handler checks topics it resolves itself);
 * `metrics` accepts `admin` or the `metrics` permission of dev mode; `none` is open.
 */
export type RouteAccess = 'none' | 'authenticated' | 'publish' | 'consume' | 'admin';

/** Extra OpenAPI details for a route, beyond what its validation schema says. */
export interface RouteDoc {
  /** Left out of the OpenAPI document: not part of the API (the dashboard's static files). */
  readonly hidden?: boolean;
  readonly requestBody?: Record<string, unknown>;
  readonly responses?: Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts as; set by the auth hook on every route that is not open. */
    principal: Principal | undefined;
  }
  interface FastifySchema {
    /** OpenAPI documentation of the route (not used for validation). */
    summary?: string;
    description?: string;
    tags?: readonly string[];
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
    doc?: RouteDoc;
    /** The route takes `?apiKey=` (WebSocket and SSE: browsers cannot set headers there). */
    queryApiKey?: boolean;
  }
}
