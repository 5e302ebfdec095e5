import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import websocket from '@fastify/websocket';
import { createDeadLetterAdmin, type Transport } from '@eddy/core';
import { createDataContracts, createSchemaRegistry } from '@eddy/schemas';
import {
  InvalidOptionError,
  Leadership,
  type Coordination,
  type InstanceLink,
  type SingletonTask,
} from '@eddy/core/internal';
import { createRuleEngine, type RuleEngine } from '@eddy/rules';
import { createSqliteRuleStore, createSqliteScheduleStore, createSqliteTransport } from '@eddy/sqlite';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { registerDlqRoutes } from './admin/dlq-routes.js';
import { FlowRecorder } from './admin/flow-recorder.js';
import { registerFlowRoutes } from './admin/flow-routes.js';
import { registerOutboxRoutes } from './admin/outbox-routes.js';
import { registerSagaRoutes } from './admin/saga-routes.js';
import { describeBackend, type BackendDescription } from './backend.js';
import { adminOf } from './admin/backend-admin.js';
import { registerGroupRoutes } from './admin/group-routes.js';
import { registerInflightRoutes } from './admin/inflight-routes.js';
import { registerWorkloadMetrics, registerWorkloadStatusRoutes } from './admin/workload-status-routes.js';
import { registerPipelineRoutes } from './admin/pipeline-routes.js';
import { registerScheduleRoutes } from './admin/schedule-routes.js';
import { registerTopicRoutes } from './admin/topic-routes.js';
import { ApiKeyStore } from './auth/api-keys.js';
import { installAuth } from './auth/auth-hook.js';
import { ConsumerLimits } from './consume/consumer-limits.js';
import { LeaseRegistry } from './consume/lease-registry.js';
import { PullBridges } from './consume/pull-bridges.js';
import { registerPullRoutes } from './consume/pull-routes.js';
import { registerSocketRoutes } from './consume/socket-routes.js';
import { SettleRouter } from './consume/settle-router.js';
import type { GatewayContext, OpenSession } from './context.js';
import { installHttpHooks, redactQuerySecrets } from './http/hooks.js';
import { MAX_PATH_PARAM_LENGTH, sendProblem } from './http/problem.js';
import { collectOpenApi } from './http/openapi.js';
import { registerStaticRoutes } from './http/static-routes.js';
import { registerSystemRoutes } from './http/system-routes.js';
import { registerBackendMetrics } from './observability/backend-metrics.js';
import { createGatewayMetrics } from './observability/gateway-metrics.js';
import { StatsSampler } from './observability/stats-sampler.js';
import { registerStatsRoutes } from './observability/stats-routes.js';
import { readStatsSnapshot } from './observability/stats-snapshot.js';
import {
  isLoopbackHost,
  resolveServerOptions,
  type ResolvedServerOptions,
  type ServerOptions,
} from './options.js';
import { registerPublishRoutes } from './publish/publish-routes.js';
import { registerAsyncApiRoutes } from './registry/asyncapi-routes.js';
import { registerRegistryRoutes } from './registry/registry-routes.js';
import { openSchemaStoreFor } from './registry/registry-store.js';
import { createTopicRouter } from './routing.js';
import { registerRuleRoutes } from './rules/rule-routes.js';
import { openCoordinationFromUrl, openTransportFromUrl } from './transport-from-url.js';
import { openDefaultWebhooks } from './webhooks/default-webhooks.js';
import { registerWebhookRoutes } from './webhooks/register-webhook-routes.js';

/** A gateway built but not listening yet. */
export interface EddyServer {
  /** The Fastify instance: `app.inject()` works without listening. */
  readonly app: FastifyInstance;
  readonly transport: Transport;
  readonly options: ResolvedServerOptions;
  /** Which backend holds the events and where (file or URL, password masked). */
  readonly backend: BackendDescription;
  /** This gateway's name among the instances on its backend (the prefix of its ack ids); random per start. */
  readonly instance: string;
  /** True while this instance runs the singleton work (always false without `cluster`). */
  readonly leading: () => boolean;
  /** Starts listening on `options.host`/`options.port`. */
  listen(): Promise<ServerHandle>;
  /** Gives back leased messages, closes sockets and subscriptions, stops listening, and closes the default transport. */
  close(): Promise<void>;
}

/** A listening gateway, as `startServer` returns it (and `eddy dev` embeds it). */
export interface ServerHandle {
  /** Base URL, e.g. `http://127.0.0.1:4400`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly server: EddyServer;
  close(): Promise<void>;
}

/** Path of the default SQLite log under a data directory. */
export function defaultDatabasePath(dataDir: string): string {
  return join(dataDir, '.eddy', 'eddy.db');
}

function openDefaultTransport(dataDir: string): Transport {
  mkdirSync(join(dataDir, '.eddy'), { recursive: true });
  return createSqliteTransport({ path: defaultDatabasePath(dataDir) });
}

/**
 * Builds the gateway: HTTP publish (JSON and CloudEvents), HTTP pull, WebSocket and SSE push,
 * admin (topics, groups, DLQ), API-key auth with scopes and rate limits, Prometheus metrics and an
 * OpenAPI document. Throws `InvalidOptionError` for bad options, including running without API keys
 * on a host other than loopback.
 */
export async function createServer(input: ServerOptions = {}): Promise<EddyServer> {
  const options = resolveServerOptions(input);
  const keys = new ApiKeyStore(options.apiKeys);
  const open = keys.size === 0;
  if (open && !isLoopbackHost(options.host)) {
    throw new InvalidOptionError(
      `Refusing to listen on ${options.host} without API keys: open dev mode is for loopback only. ` +
        'Configure apiKeys (EDDY_API_KEYS), or listen on 127.0.0.1.',
    );
  }
  const topicForType = createTopicRouter(options.routes);
  // Built before anything is opened: bad bounds fail without a transport to close.
  const flow = input.flow === false ? undefined : new FlowRecorder(input.flow);
  const ownsTransport = input.transport === undefined;
  const transport =
    input.transport ??
    (options.transportUrl === undefined
      ? openDefaultTransport(options.dataDir)
      : await openTransportFromUrl(options.transportUrl));
  const ownsSchemaStore = input.schemaStore === undefined;
  const schemaStore =
    input.schemaStore ??
    (await openSchemaStoreFor({
      transport: input.transport,
      transportUrl: options.transportUrl,
      defaultSqlitePath: defaultDatabasePath(options.dataDir),
    }).catch(async (error: unknown) => {
      if (ownsTransport) await transport.close();
      throw error;
    }));
  const registry = createSchemaRegistry({ store: schemaStore });
  const ownsRules = input.rules === undefined && ownsTransport && options.transportUrl === undefined;
  const rules = ownsRules
    ? createSqliteRuleStore({ database: defaultDatabasePath(options.dataDir) })
    : input.rules;
  const ownsSchedules = input.schedules === undefined && ownsTransport && options.transportUrl === undefined;
  const schedules = ownsSchedules
    ? createSqliteScheduleStore({ database: defaultDatabasePath(options.dataDir) })
    : input.schedules;
  if (options.ruleSources.length > 0 && rules === undefined) {
    if (ownsTransport) await transport.close();
    if (ownsSchemaStore) await schemaStore.close();
    throw new InvalidOptionError(
      'ruleEngine (EDDY_RULE_SOURCES) needs a rule store: pass rules, or use the embedded SQLite log, whose file keeps them.',
    );
  }
  const ownedWebhooks =
    input.webhooks === undefined && ownsTransport && options.transportUrl === undefined
      ? openDefaultWebhooks(defaultDatabasePath(options.dataDir), {
          eventTypes: options.webhookTypes,
          allowDestinations: options.webhookAllow,
          ...(options.requestCallbackSecret === undefined
            ? {}
            : { callbackSecret: options.requestCallbackSecret }),
        })
      : undefined;
  const webhooks = input.webhooks ?? ownedWebhooks?.options;
  const metrics = createGatewayMetrics(input.metricsRegistry);
  // Random per start: a restarted process holds none of its predecessor's leases, and ack ids stay unguessable.
  const instance = randomBytes(9).toString('base64url');
  const consumers = new ConsumerLimits(options.limits, metrics.registry);
  const leases = new LeaseRegistry(metrics, instance, consumers);
  const clusterInput = typeof input.cluster === 'object' ? input.cluster : {};
  let coordination: Coordination | undefined;
  let link: InstanceLink | undefined;
  const ownsCoordination = options.cluster !== undefined && clusterInput.coordination === undefined;
  const settle = new SettleRouter(leases, options.cluster?.forwardTimeoutMs ?? 0);
  const closeCoordination = async (): Promise<void> => {
    await link?.close();
    if (ownsCoordination) await coordination?.close();
  };
  if (options.cluster !== undefined) {
    try {
      coordination = clusterInput.coordination ?? (await openCoordinationFromUrl(options.transportUrl));
      link = await coordination.channel.join(instance, (request) => settle.answer(request));
      settle.connect(link);
    } catch (error) {
      await closeCoordination();
      leases.close();
      if (ownsSchemaStore) await schemaStore.close();
      if (ownsRules) await rules?.close();
      await ownedWebhooks?.close();
      if (ownsTransport) await transport.close();
      throw error;
    }
  }
  const singletons: readonly SingletonTask[] = clusterInput.singletons ?? [];
  let accepting = true;
  const admin = adminOf(transport);
  const ctx: GatewayContext = {
    transport,
    admin,
    dlq: createDeadLetterAdmin({ transport, idleMs: 100 }),
    leases,
    settle,
    pulls: new PullBridges(transport, leases, metrics, options, consumers),
    consumers,
    sessions: new Set<OpenSession>(),
    metrics,
    stats: new StatsSampler(() => readStatsSnapshot(admin), options.statsHistory),
    options,
    topicForType,
    contracts: input.contracts === false ? undefined : createDataContracts({ ...input.contracts, registry }),
    flow,
    isOpen: () => accepting,
  };

  registerBackendMetrics(metrics.registry, ctx);
  registerWorkloadMetrics(metrics.registry, transport, input.buses);

  const app = Fastify({
    logger: {
      level: options.logLevel,
      ...(input.logStream === undefined ? {} : { stream: input.logStream }),
      serializers: {
        req: (request) => ({
          method: request.method,
          url: redactQuerySecrets(request.url),
          remoteAddress: request.ip,
        }),
      },
    },
    // Per-request logs cost more than the requests at publish rates; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.limits.maxBodyBytes,
    // Topic and group names go up to 200 characters (Fastify's default stops at 100, with a 414 of its own).
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // Bad URLs and over-long path segments get the gateway's error shape too.
    frameworkErrors: (error, request, reply) => sendProblem(error, request, reply),
    // A client must send its whole request (headers and body) within this; long-polls and streams
    // are not affected, as the timer stops once the request is in.
    requestTimeout: options.limits.requestTimeoutMs,
    http: {
      headersTimeout: options.limits.requestTimeoutMs,
      // How often Node looks for requests over their time: a fraction of the timeout, at most 5 s.
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(5_000, Math.floor(options.limits.requestTimeoutMs / 4) || 5_000),
      ),
    },
    forceCloseConnections: true,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, allErrors: true, allowUnionTypes: true } },
  });
  const openapi = collectOpenApi(app, { title: 'Eddy gateway', version: '0.1.0' });
  installHttpHooks(app, metrics);
  await app.register(websocket, { options: { maxPayload: options.limits.maxBodyBytes } });
  installAuth(app, {
    keys,
    open,
    rateLimitPerSecond: options.limits.rateLimitPerSecond,
    rateLimitBurst: options.limits.rateLimitBurst,
    metrics,
  });
  let document: ReturnType<typeof openapi.build> | undefined;
  registerSystemRoutes(app, ctx, () => (document ??= openapi.build()));
  await app.register((scope, _options, done) => {
    registerPublishRoutes(scope, ctx);
    done();
  });
  registerPullRoutes(app, ctx);
  registerSocketRoutes(app, ctx);
  registerTopicRoutes(app, ctx);
  registerGroupRoutes(app, ctx);
  registerDlqRoutes(app, ctx);
  registerStatsRoutes(app, ctx);
  registerSagaRoutes(app, input.sagaStore);
  registerOutboxRoutes(app, input.outboxStore);
  registerFlowRoutes(app, flow);
  registerPipelineRoutes(app, ctx, input.pipelines);
  registerInflightRoutes(app, input.buses);
  registerWorkloadStatusRoutes(app, transport, input.buses);
  if (schedules !== undefined) registerScheduleRoutes(app, schedules);
  await app.register(
    (scope, _options, done) => {
      registerRegistryRoutes(scope, { registry });
      done();
    },
    { prefix: '/registry' },
  );
  registerAsyncApiRoutes(app, ctx, registry);
  let ruleEngine: RuleEngine | undefined;
  if (rules !== undefined) registerRuleRoutes(app, rules, async () => ruleEngine?.reload());
  // The webhook dispatcher runs in every instance: its deliveries are claimed under leases in the store.
  if (webhooks !== undefined) await registerWebhookRoutes(app, ctx, webhooks);
  if (input.staticDir !== undefined) registerStaticRoutes(app, input.staticDir);
  try {
    await app.ready();
  } catch (error) {
    leases.close();
    await closeCoordination();
    if (ownsSchemaStore) await schemaStore.close();
    if (ownsRules) await rules?.close();
    if (ownsSchedules) await schedules?.close();
    await ownedWebhooks?.close();
    if (ownsTransport) await transport.close();
    throw error;
  }

  // The URL is masked by describeBackend: it may carry credentials.
  const backend = describeBackend(
    transport.name,
    !ownsTransport
      ? {}
      : options.transportUrl === undefined
        ? { databasePath: defaultDatabasePath(options.dataDir) }
        : { url: options.transportUrl },
  );
  const leadership =
    coordination === undefined || options.cluster === undefined
      ? undefined
      : new Leadership({
          lease: coordination.leader,
          name: 'eddy-gateway',
          holder: instance,
          ttlMs: options.cluster.leaderTtlMs,
          tasks: singletons,
          report: (error, doing) => app.log.warn({ err: error }, `Cluster: failed ${doing}`),
        });
  leadership?.start();
  let closing: Promise<void> | undefined;
  const server: EddyServer = {
    app,
    transport,
    options,
    backend,
    instance,
    leading: () => leadership?.leading ?? false,
    async listen() {
      await app.listen({ host: options.host, port: options.port });
      if (rules !== undefined && options.ruleSources.length > 0 && ruleEngine === undefined) {
        ruleEngine = createRuleEngine({
          ...input.ruleEngine,
          sources: options.ruleSources,
          transport,
          store: rules,
          logger: app.log,
        });
        await ruleEngine.start();
        app.log.info(`Rule engine "${ruleEngine.group}" reading ${options.ruleSources.join(', ')}`);
      }
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port;
      const host =
        options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
      const url = `http://${host}:${port}`;
      if (open) {
        app.log.warn(
          `Open dev mode: no API keys configured, so anyone who can reach ${url} may publish, consume and administer. ` +
            'Loopback only; configure apiKeys before exposing the gateway.',
        );
      }
      app.log.info(`Eddy gateway listening on ${url} (backend: ${backend.text})`);
      ctx.stats.start();
      return { url, host: options.host, port, server, close: () => server.close() };
    },
    close() {
      closing ??= (async () => {
        accepting = false;
        // First, so another instance takes the singletons over without waiting for the lease to expire.
        await leadership?.stop();
        await ctx.stats.stop();
        const closingBridges = ctx.pulls.close();
        const closingSessions = [...ctx.sessions].map((session) => session.close());
        // Also covers bridges that were closing after going idle, which wait on their leases.
        leases.releaseAll('shutdown');
        await Promise.all([closingBridges, ...closingSessions]);
        await app.close();
        await ruleEngine?.stop();
        leases.close();
        await closeCoordination();
        if (ownsSchemaStore) await schemaStore.close();
        if (ownsRules) await rules?.close();
        if (ownsSchedules) await schedules?.close();
        await ownedWebhooks?.close();
        if (ownsTransport) await transport.close();
      })();
      return closing;
    },
  };
  return server;
}

/** `createServer(options)` then `listen()`: the gateway on `host:port` (127.0.0.1:4400 by default). */
export async function startServer(options: ServerOptions = {}): Promise<ServerHandle> {
  const server = await createServer(options);
  try {
    return await server.listen();
  } catch (error) {
    await server.close();
    throw error;
  }
}
