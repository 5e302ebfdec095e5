import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from '../errors.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import '../http/route-config.js';
import { allows, OPEN_PRINCIPAL, type ApiKeyStore, type Principal } from './api-keys.js';
import { RateLimiter } from './rate-limiter.js';

export interface AuthSettings {
  readonly keys: ApiKeyStore;
  /** No keys configured: every request acts as the open dev-mode principal. */
  readonly open: boolean;
  readonly rateLimitPerSecond: number;
  readonly rateLimitBurst: number;
  readonly metrics: GatewayMetrics;
}

/**
 * The key a request carries: `Authorization: Bearer`, `Authorization: Basic` with the key as the
 * password (what Confluent registry clients send), `x-api-key`, or `apiKey` in the query on routes
 * that allow it (WebSocket and SSE, for browsers that cannot set headers there). Throws
 * `UnauthorizedError` for a query key elsewhere: URLs end up in proxy logs and browser history.
 */
export function apiKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^bearer /i.test(header)) return header.slice(7).trim();
  if (typeof header === 'string' && /^basic /i.test(header)) {
    const credentials = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const key = credentials.slice(credentials.indexOf(':') + 1);
    if (key !== '') return key;
  }
  const xKey = request.headers['x-api-key'];
  if (typeof xKey === 'string' && xKey !== '') return xKey;
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.['apiKey'];
  if (typeof fromQuery !== 'string' || fromQuery === '') return undefined;
  if (request.routeOptions.config.queryApiKey !== true) {
    throw new UnauthorizedError(
      'apiKey in the query string is accepted on WebSocket and SSE routes only: send "Authorization: Bearer <key>" (or "x-api-key: <key>").',
    );
  }
  return fromQuery;
}

/** The id of the API key a request acts as, for per-key limits (dev mode's one principal when open). */
export function principalIdOf(request: FastifyRequest): string {
  return (request.principal ?? OPEN_PRINCIPAL).id;
}

/** Throws `ForbiddenError` unless the request's principal may do `action` on `topic`. */
export function requireAccess(
  request: FastifyRequest,
  action: 'publish' | 'consume' | 'admin',
  topic?: string,
): void {
  const principal = request.principal ?? OPEN_PRINCIPAL;
  if (allows(principal, action, topic)) return;
  const what = action === 'admin' ? 'the admin scope' : `scope ${action}:<pattern matching "${topic}">`;
  throw new ForbiddenError(`API key "${principal.id}" lacks ${what}. Ask an admin to grant it.`);
}

/** Installs authentication, rate limiting and route-level scope checks. */
export function installAuth(app: FastifyInstance, settings: AuthSettings): void {
  const limiter = new RateLimiter(settings.rateLimitBurst / Math.max(1, settings.rateLimitPerSecond));
  app.decorateRequest('principal', undefined);
  const authorize = (request: FastifyRequest): void => {
    const access = request.routeOptions.config.access ?? 'admin';
    if (access === 'none') return;
    let principal: Principal;
    if (settings.open) {
      principal = OPEN_PRINCIPAL;
    } else {
      let key: string | undefined;
      try {
        key = apiKeyOf(request);
      } catch (error) {
        settings.metrics.authFailures.inc({ reason: 'query_key' });
        throw error;
      }
      if (key === undefined) {
        settings.metrics.authFailures.inc({ reason: 'missing' });
        throw new UnauthorizedError(
          'This request needs an API key: send "Authorization: Bearer <key>" (or "x-api-key: <key>").',
        );
      }
      const found = settings.keys.find(key);
      if (found === undefined) {
        settings.metrics.authFailures.inc({ reason: 'unknown' });
        throw new UnauthorizedError('Unknown API key. Check the key, or ask an admin for a new one.');
      }
      principal = found;
      const wait = limiter.take(principal.id, principal.rateLimitPerSecond ?? settings.rateLimitPerSecond);
      if (wait > 0) {
        settings.metrics.rateLimited.inc({ key: principal.id });
        throw new RateLimitedError(wait);
      }
    }
    request.principal = principal;
    if (access === 'authenticated') return;
    const topic = (request.params as { topic?: string } | undefined)?.topic;
    try {
      requireAccess(request, access, topic);
    } catch (error) {
      settings.metrics.authFailures.inc({ reason: 'forbidden' });
      throw error;
    }
  };
  app.addHook('onRequest', (request, _reply, done) => {
    try {
      authorize(request);
      done();
    } catch (error) {
      done(error as Error);
    }
  });
}
