import { type Bus, type Transport } from '@eddy/core';
import type { OutboxStore } from '@eddy/core/outbox';
import type { SagaStore } from '@eddy/core/saga';
import type { ScheduleStore } from '@eddy/core/schedule';
import { InvalidOptionError, type Coordination, type SingletonTask } from '@eddy/core/internal';
import type { DataContractsOptions, SchemaStore } from '@eddy/schemas';
import type { RuleEngineOptions, RuleStore } from '@eddy/rules';
import type { Registry } from 'prom-client';
import type { ApiKeyConfig } from './auth/api-keys.js';
import type { FlowRecorderOptions } from './admin/flow-recorder.js';
import type { PipelineJson, PipelineSourceJson } from './http/api-types.js';
import { transportUrlOf } from './backend.js';
import {
  resolveStatsHistoryOptions,
  type ResolvedStatsHistoryOptions,
  type StatsHistoryOptions,
} from './observability/stats-history-options.js';
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
  /**
   * Time a client has to send a whole request, headers and body, ms. A slower one gets 408 and its
   * connection closed (checked every few seconds). 0 disables. Default 30 000.
   */
  readonly requestTimeoutMs?: number;
  /** Farthest ahead `deliverAt` may be, ms from now. Default 7 days (604 800 000). */
  readonly maxDeliverDelayMs?: number;
  /** Pull groups (topic, group) open on the gateway at once; one more gets 503 `EDDY_OVERLOADED`. Default 1 000. */
  readonly maxPullGroups?: number;
  /** Pull groups one API key may have opened at once; one more gets 429 `EDDY_TOO_MANY_CONSUMERS`. Default 100. */
  readonly maxPullGroupsPerKey?: number;
  /** WebSocket and SSE subscriptions open on the gateway at once (503 beyond). Default 10 000. */
  readonly maxSessions?: number;
  /** WebSocket and SSE subscriptions one API key may hold at once (429 beyond). Default 1 000. */
  readonly maxSessionsPerKey?: number;
  /**
   * Memory budget for messages the gateway holds for consumers (pull buffers and unsettled
   * deliveries), bytes: payload and headers plus 1 KiB of bookkeeping per message. Over it, messages
   * the backend hands over are given back to it for 1 s and new consumers get 503. Default 128 MiB.
   */
  readonly maxHeldBytes?: number;
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

/**
 * Running as one of several gateways on one backend behind a load balancer: an HTTP pull ack or nack
 * may reach any instance (it is forwarded to the one that leased the message), and singleton work
 * (the webhook dispatcher, `singletons`) runs in one instance at a time under a leader lease.
 */
export interface ClusterOptions {
  /**
   * Leader leases and instance-to-instance requests. Default: opened on the backend's URL for
   * `postgres://` (a `leader_leases` table and LISTEN/NOTIFY in schema `eddy`), `redis://`
   * (`SET NX PX` keys and pub/sub) and `nats://` (KV buckets and request/reply); other backends
   * need one passed here. Not closed by the server
   * when passed.
   */
  readonly coordination?: Coordination;
  /**
   * Leader lease time, ms: how long singleton work pauses after its instance dies. Renewed every
   * third of it; a leader that cannot renew for two thirds of it stops its singletons. Default 10 000.
   */
  readonly leaderTtlMs?: number;
  /** Longest wait for the instance an ack or nack was forwarded to; then its ids are reported unknown. Default 2 000 ms. */
  readonly forwardTimeoutMs?: number;
  /** More work to run in one instance at a time (started when elected, stopped when not). Default none. */
  readonly singletons?: readonly SingletonTask[];
}

export interface ServerOptions {
  /**
   * Backend. Default: the embedded SQLite log at `<dataDir>/.eddy/eddy.db`, created if missing and
   * closed with the server. A transport passed here is not closed by the server: its owner closes it.
   */
  readonly transport?: Transport;
  /**
   * Backend by URL, used when `transport` is not given: `postgres://…`, `redis://…`, `amqp://…`,
   * `nats://…`, `stomp://…` (ActiveMQ) or `sqlite:<path>`; or a backend name (`sqlite`, `postgres`,
   * `redis`, `rabbitmq`, `nats`, `activemq`) for that server's default address on this machine
   * (see `BACKEND_URLS`). The gateway opens it and closes it on `close()`. Default
   * `EDDY_TRANSPORT`, else the embedded SQLite log.
   */
  readonly transportUrl?: string;
  /**
   * Where the schema registry under `/registry` keeps schemas. Not closed by the server. Default: it
   * follows the backend (the SQLite log's file, the `postgres://` database), else memory.
   */
  readonly schemaStore?: SchemaStore;
  /**
   * Data contracts on publish: an event whose type has a subject in the registry (by default the
   * subject named as the type) is checked against its latest version and refused with 422
   * `EDDY_SCHEMA_VIOLATION` when its data does not match; accepted events carry `dataschema`.
   * `false` turns the check off. Default on, with `createDataContracts`' defaults.
   */
  readonly contracts?: Omit<DataContractsOptions, 'registry'> | false;
  /**
   * Where `/v1/rules` keeps rules; not closed by the server. Default: a SQLite rule store in the
   * embedded log's file when the gateway opens that log; otherwise none, and the rule routes are
   * not served.
   */
  readonly rules?: RuleStore;
  /**
   * Runs the stored rules in this gateway: a rule engine reading `sources` as consumer group
   * `group` (default `eddy-rules`; gateways with one group share the work), started by `listen()`
   * and stopped by `close()`. Needs a rule store (`rules`, or the default one of the embedded log).
   * Handler targets call `handlers`. Default `EDDY_RULE_SOURCES` (comma-separated topics), else
   * none: rules are stored and served, and only engines started in code run them.
   */
  readonly ruleEngine?: GatewayRuleEngineOptions;
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
  /**
   * Webhook routes (endpoints, deliveries, inbound sources) and `/v1/requests`. Default: when the
   * gateway opens the embedded SQLite log itself, endpoints, deliveries and requests in that file,
   * with a dispatcher for the event types `EDDY_WEBHOOK_TYPES` names (comma-separated; none: no
   * dispatcher) allowed to reach the internal hosts `EDDY_WEBHOOK_ALLOW` names, and request
   * callbacks signed with `EDDY_REQUEST_CALLBACK_SECRET` when it is set; otherwise none, and the
   * routes are not served.
   */
  readonly webhooks?: WebhookGatewayOptions;
  /**
   * Server-kept history of publish and consume rates, consumer lag and dead-letter depth, served at
   * `GET /v1/stats/history` for the dashboard's charts. Default: a sample every 10 s, 6 hours kept.
   */
  readonly statsHistory?: StatsHistoryOptions;
  /**
   * Saga and process-manager instances listed under `/v1/sagas` (the store the runners use); not
   * closed by the server. Default none: `GET /v1/sagas` answers `configured: false`.
   */
  readonly sagaStore?: SagaStore;
  /**
   * Outbox whose set-aside rows are listed, retried and discarded under `/v1/outbox/failed`; not
   * closed by the server. Default none: the list answers `configured: false`.
   */
  readonly outboxStore?: OutboxStore;
  /**
   * The observed flow graph of `GET /v1/flow`: event types published through the gateway, linked by
   * `causationid`, in memory bounded by these options. `false` turns recording off. Default on, with
   * `FlowRecorderOptions`' defaults (about 5 MB at most).
   */
  readonly flow?: FlowRecorderOptions | false;
  /**
   * Stream pipelines to show at `GET /v1/pipelines` (and in `eddy pipelines` and the dashboard):
   * anything with a `status()` like `@eddy/streams` pipelines. A function is called per request, so
   * pipelines created later appear. Default none: the route lists nothing.
   */
  readonly pipelines?: readonly PipelineStatusSource[] | (() => readonly PipelineStatusSource[]);
  /**
   * Several gateways on one backend (see `ClusterOptions`); `true` for the defaults. Default
   * `EDDY_CLUSTER` (`1` or `true`), else off: a single gateway.
   */
  readonly cluster?: ClusterOptions | boolean;
  /**
   * Buses whose long-running handlers' running deliveries `GET /v1/inflight` lists (and
   * `POST /v1/inflight/:eventId/cancel` cancels; `eddy inflight`, `eddy cancel` and the dashboard),
   * and whose fair groups `GET /v1/fair-groups` shows (`eddy fair-groups`).
   * A function is called per request, so buses created later appear. Default none: the route lists
   * nothing.
   */
  readonly buses?: readonly InflightSource[] | (() => readonly InflightSource[]);
  /**
   * Where `/v1/schedules` reads and writes schedules; not closed by the server. Default: a SQLite
   * schedule store in the embedded log's file when the gateway opens that log; otherwise none, and
   * the schedule routes are not served. The gateway fires nothing: schedulers started in code do.
   */
  readonly schedules?: ScheduleStore;
}

/** What the gateway reads of a bus: any `Bus` of `@eddy/core` fits. */
export type InflightSource = Pick<Bus<unknown>, 'inflight' | 'cancel' | 'handlers'> &
  Partial<Pick<Bus<unknown>, 'fairGroups'>>;

/** What the gateway reads of a stream pipeline: `Pipeline` of `@eddy/streams` fits. */
export interface PipelineStatusSource {
  status(): Omit<PipelineJson, 'sources'> & {
    readonly sources: readonly Omit<PipelineSourceJson, 'lag'>[];
  };
}

/** What `ServerOptions.ruleEngine` takes: the engine's options without what the gateway supplies. */
export type GatewayRuleEngineOptions = Omit<RuleEngineOptions, 'transport' | 'store' | 'logger'>;

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
  readonly statsHistory: ResolvedStatsHistoryOptions;
  /** Topics the gateway's rule engine reads; empty when it runs none. */
  readonly ruleSources: readonly string[];
  /** Event types the default webhook dispatcher delivers (`EDDY_WEBHOOK_TYPES`); empty: none runs. */
  readonly webhookTypes: readonly string[];
  /** Internal hosts the default dispatcher may reach (`EDDY_WEBHOOK_ALLOW`). */
  readonly webhookAllow: readonly string[];
  /** Undefined when the gateway runs alone. */
  readonly cluster: { readonly leaderTtlMs: number; readonly forwardTimeoutMs: number } | undefined;
  /** Secret signing the default request callbacks (`EDDY_REQUEST_CALLBACK_SECRET`); absent: no callbacks. */
  readonly requestCallbackSecret?: string;
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

/** `a, b,c` -> `['a', 'b', 'c']`; unset or blank -> `[]`. */
function envList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
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
  return {
    transportUrl: transportUrlOf(options.transportUrl ?? env['EDDY_TRANSPORT']),
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
      requestTimeoutMs: count('limits.requestTimeoutMs', limits.requestTimeoutMs, 30_000, 0),
      maxDeliverDelayMs: count('limits.maxDeliverDelayMs', limits.maxDeliverDelayMs, 7 * 24 * 3_600_000, 0),
      maxPullGroups: count('limits.maxPullGroups', limits.maxPullGroups, 1_000),
      maxPullGroupsPerKey: count('limits.maxPullGroupsPerKey', limits.maxPullGroupsPerKey, 100),
      maxSessions: count('limits.maxSessions', limits.maxSessions, 10_000),
      maxSessionsPerKey: count('limits.maxSessionsPerKey', limits.maxSessionsPerKey, 1_000),
      maxHeldBytes: count('limits.maxHeldBytes', limits.maxHeldBytes, 128 * 1024 * 1024),
    },
    consume: {
      ackTimeoutMs: count('consume.ackTimeoutMs', consume.ackTimeoutMs, 30_000),
      pullBufferSize: count('consume.pullBufferSize', consume.pullBufferSize, 1_000),
      pullIdleCloseMs: count('consume.pullIdleCloseMs', consume.pullIdleCloseMs, 30_000),
      sseHeartbeatMs: count('consume.sseHeartbeatMs', consume.sseHeartbeatMs, 15_000),
    },
    defaultSource: options.defaultSource ?? '/eddy/gateway',
    logLevel: options.logLevel ?? env['EDDY_LOG_LEVEL'] ?? 'info',
    statsHistory: resolveStatsHistoryOptions(options.statsHistory),
    ruleSources: options.ruleEngine?.sources ?? envList(env['EDDY_RULE_SOURCES']),
    webhookTypes: envList(env['EDDY_WEBHOOK_TYPES']),
    webhookAllow: envList(env['EDDY_WEBHOOK_ALLOW']),
    ...(env['EDDY_REQUEST_CALLBACK_SECRET'] === undefined || env['EDDY_REQUEST_CALLBACK_SECRET'] === ''
      ? {}
      : { requestCallbackSecret: env['EDDY_REQUEST_CALLBACK_SECRET'] }),
    cluster: resolveCluster(options.cluster, env),
  };
}

function resolveCluster(
  cluster: ClusterOptions | boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedServerOptions['cluster'] {
  const flag = env['EDDY_CLUSTER']?.toLowerCase();
  const on = cluster ?? (flag === '1' || flag === 'true');
  if (on === false) return undefined;
  const given = on === true ? {} : on;
  return {
    leaderTtlMs: count('cluster.leaderTtlMs', given.leaderTtlMs, 10_000, 30),
    forwardTimeoutMs: count('cluster.forwardTimeoutMs', given.forwardTimeoutMs, 2_000),
  };
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
