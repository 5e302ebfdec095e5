import { type Transport } from '@eddy/core';
import { InvalidOptionError } from '@eddy/core/internal';
import type { Registry } from 'prom-client';
import type { ApiKeyConfig } from './auth/api-keys.js';
import type { WebhookGatewayOptions } from './webhooks/webhook-gateway-options.js';

/** Maps event types to topics for events published without an explicit topic. */
export interface RouteRule {
  /** Event type, or a pattern where `*` matches any run of characters (`order.*`). */
  readonly type: string;
  /** Topic that matching events go to. */
  readonly topic: string;
}

/** Request and flow-control limits. */
export interface LimitsOptions {
  /** Largest request body, bytes. Larger requests get 413. Default 1 MiB (1 048 576). */
  readonly maxBodyBytes?: number;
  /** Most events in one publish request. Default 1 000. */
  readonly maxBatchEvents?: number;
  /** Most messages one pull request may return (`max`). Default 1 000. */
  readonly maxPullMessages?: number;
  /** Longest long-poll wait of a pull request (`wait`), seconds. Default 30. */
  readonly maxWaitSeconds?: number;
  /** Largest credit (max in-flight) of a WebSocket or SSE subscription. Default 1 000. */
  readonly maxInFlight?: number;
  /** Requests per second an API key may make (token bucket). 0 disables. Default 1 000. */
  readonly rateLimitPerSecond?: number;
  /** Burst above the steady rate, requests. Default twice `rateLimitPerSecond`. */
  readonly rateLimitBurst?: number;
}

/** How the gateway hands messages to HTTP and socket consumers. */
export interface ConsumeOptions {
  /**
   * A delivered message not acked within this long is nacked back and redelivered. Default 30 000 ms.
   * WebSocket and SSE clients may ask for less (`ackTimeoutMs` query parameter).
   */
  readonly ackTimeoutMs?: number;
  /**
   * Messages the gateway holds per (topic, group) for pull clients, buffered or leased: the bound on
   * its memory per pull group (times the message size). Default 1 000.
   */
  readonly pullBufferSize?: number;
  /** A pull bridge with no request for this long closes and gives its messages back. Default 30 000 ms. */
  readonly pullIdleCloseMs?: number;
  /** Interval of SSE keep-alive comments. Default 15 000 ms. */
  readonly sseHeartbeatMs?: number;
}

export interface ServerOptions {
  /**
   * Backend. Default: the embedded SQLite log at `<dataDir>/.eddy/eddy.db`, created if missing and
   * closed with the server. A transport passed here is not closed by the server: its owner closes it.
   */
  readonly transport?: Transport;
  /**
   * Backend by URL, used when `transport` is not given: `postgres://…`, `redis://…`, `amqp://…`,
   * `nats://…` or `sqlite:<path>`. The gateway opens it and closes it on `close()`. Default
   * `EDDY_TRANSPORT`, else the embedded SQLite log.
   */
  readonly transportUrl?: string;
  /** Directory holding `.eddy/eddy.db` for the default transport. Default `EDDY_DATA_DIR`, else the working directory. */
  readonly dataDir?: string;
  /** Interface to listen on. Default `EDDY_HOST`, else `127.0.0.1`. */
  readonly host?: string;
  /** Port. `0` picks a free one. Default `EDDY_PORT`, else 4400. */
  readonly port?: number;
  /**
   * API keys (hashes only; see `hashApiKey`). Default `EDDY_API_KEYS` (a JSON array), else none:
   * without keys the gateway runs in open dev mode, which it only allows on a loopback host, and
   * says so in its log at start.
   */
  readonly apiKeys?: readonly ApiKeyConfig[];
  /** Type-to-topic rules tried in order before the default (the topic named after the type). Default none. */
  readonly routes?: readonly RouteRule[];
  readonly limits?: LimitsOptions;
  readonly consume?: ConsumeOptions;
  /** `source` of events published to a topic without one. Default `/eddy/gateway`. */
  readonly defaultSource?: string;
  /** Log level of the request log (pino levels, or `'silent'`). Default `EDDY_LOG_LEVEL`, else `'info'`. */
  readonly logLevel?: string;
  /** Where the log goes (one JSON line per write). Default stdout. */
  readonly logStream?: { write(line: string): void };
  /** Registry for the gateway's Prometheus metrics. Default: a new registry per server. */
  readonly metricsRegistry?: Registry;
  /**
   * Directory of a built web app to serve at `/` (the dashboard's `dist`): `index.html`, top-level
   * files and `/assets/*`. Default: none, nothing is served at `/`.
   */
  readonly staticDir?: string;
  /** Environment to read `EDDY_*` variables from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Webhook routes (endpoints, deliveries, inbound sources) and `/v1/requests`. Default none: not served. */
  readonly webhooks?: WebhookGatewayOptions;
}

export interface ResolvedServerOptions {
  readonly transportUrl: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly apiKeys: readonly ApiKeyConfig[];
  readonly routes: readonly RouteRule[];
  readonly limits: Required<LimitsOptions>;
  readonly consume: Required<ConsumeOptions>;
  readonly defaultSource: string;
  readonly logLevel: string;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4400;

function count(name: string, value: number | undefined, fallback: number, min = 1): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min) {
    throw new InvalidOptionError(`${name} must be an integer >= ${min}, got ${resolved}.`);
  }
  return resolved;
}

function envPort(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const text = env['EDDY_PORT'];
  if (text === undefined || text === '') return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidOptionError(`EDDY_PORT must be a port number (0-65535), got "${text}".`);
  }
  return port;
}

function envApiKeys(env: Readonly<Record<string, string | undefined>>): ApiKeyConfig[] | undefined {
  const text = env['EDDY_API_KEYS'];
  if (text === undefined || text === '') return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed)) return parsed as ApiKeyConfig[];
  } catch {
    // Reported below with the expected shape.
  }
  throw new InvalidOptionError(
    'EDDY_API_KEYS must be a JSON array of { "id", "keyHash", "scopes" } objects (hashes from hashApiKey()).',
  );
}

/** Fills in defaults from options, then `EDDY_*` environment variables, then the documented defaults. */
export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  const env = options.env ?? process.env;
  const limits = options.limits ?? {};
  const consume = options.consume ?? {};
  const port = options.port ?? envPort(env) ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidOptionError(`port must be 0-65535, got ${port}.`);
  }
  const rate = count('limits.rateLimitPerSecond', limits.rateLimitPerSecond, 1_000, 0);
  for (const rule of options.routes ?? []) {
    if (typeof rule.type !== 'string' || typeof rule.topic !== 'string') {
      throw new InvalidOptionError('Each route must be { type: "<type or pattern>", topic: "<topic>" }.');
    }
  }
  const transportUrl = options.transportUrl ?? env['EDDY_TRANSPORT'];
  return {
    transportUrl: transportUrl === '' ? undefined : transportUrl,
    host: options.host ?? env['EDDY_HOST'] ?? DEFAULT_HOST,
    port,
    dataDir: options.dataDir ?? env['EDDY_DATA_DIR'] ?? process.cwd(),
    apiKeys: options.apiKeys ?? envApiKeys(env) ?? [],
    routes: options.routes ?? [],
    limits: {
      maxBodyBytes: count('limits.maxBodyBytes', limits.maxBodyBytes, 1024 * 1024),
      maxBatchEvents: count('limits.maxBatchEvents', limits.maxBatchEvents, 1_000),
      maxPullMessages: count('limits.maxPullMessages', limits.maxPullMessages, 1_000),
      maxWaitSeconds: count('limits.maxWaitSeconds', limits.maxWaitSeconds, 30, 0),
      maxInFlight: count('limits.maxInFlight', limits.maxInFlight, 1_000),
      rateLimitPerSecond: rate,
      rateLimitBurst: count('limits.rateLimitBurst', limits.rateLimitBurst, Math.max(1, rate * 2), 1),
    },
    consume: {
      ackTimeoutMs: count('consume.ackTimeoutMs', consume.ackTimeoutMs, 30_000),
      pullBufferSize: count('consume.pullBufferSize', consume.pullBufferSize, 1_000),
      pullIdleCloseMs: count('consume.pullIdleCloseMs', consume.pullIdleCloseMs, 30_000),
      sseHeartbeatMs: count('consume.sseHeartbeatMs', consume.sseHeartbeatMs, 15_000),
    },
    defaultSource: options.defaultSource ?? '/eddy/gateway',
    logLevel: options.logLevel ?? env['EDDY_LOG_LEVEL'] ?? 'info',
  };
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
