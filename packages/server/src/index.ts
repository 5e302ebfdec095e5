export {
  createServer,
  defaultDatabasePath,
  startServer,
  type EddyServer,
  type ServerHandle,
} from './create-server.js';
export {
  DEFAULT_HOST,
  DEFAULT_PORT,
  isLoopbackHost,
  resolveServerOptions,
  type ClusterOptions,
  type ConsumeOptions,
  type InflightSource,
  type LimitsOptions,
  type PipelineStatusSource,
  type ResolvedServerOptions,
  type RouteRule,
  type ServerOptions,
} from './options.js';
export {
  generateApiKey,
  hashApiKey,
  patternToRegExp,
  type ApiKeyConfig,
  type Scope,
} from './auth/api-keys.js';
export {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  OverloadedError,
  RateLimitedError,
  RequestTooLargeError,
  ServerErrorCodes,
  TooManyConsumersError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  UriTooLongError,
} from './errors.js';
export type { BackendAdmin } from './admin/backend-admin.js';
export { FlowRecorder, type FlowRecorderOptions } from './admin/flow-recorder.js';
export {
  BACKEND_NAMES,
  BACKEND_URLS,
  backendOfUrl,
  isBackendName,
  type BackendDescription,
  type BackendName,
} from './backend.js';
export type { StatsHistoryOptions } from './observability/stats-history-options.js';
export type {
  RequestCallbackGatewayOptions,
  WebhookGatewayOptions,
} from './webhooks/webhook-gateway-options.js';
export type { Coordination, SingletonTask } from '@eddy/core/internal';
