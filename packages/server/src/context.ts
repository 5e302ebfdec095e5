import type { DeadLetterAdmin, Transport } from '@eddy/core';
import type { DataContracts } from '@eddy/schemas';
import type { BackendAdmin } from './admin/backend-admin.js';
import type { FlowRecorder } from './admin/flow-recorder.js';
import type { ConsumerLimits } from './consume/consumer-limits.js';
import type { LeaseRegistry } from './consume/lease-registry.js';
import type { PullBridges } from './consume/pull-bridges.js';
import type { SettleRouter } from './consume/settle-router.js';
import type { GatewayMetrics } from './observability/gateway-metrics.js';
import type { StatsSampler } from './observability/stats-sampler.js';
import type { ResolvedServerOptions } from './options.js';

/** A WebSocket or SSE subscriber the gateway must close when it shuts down. */
export interface OpenSession {
  close(): Promise<void>;
}

/** What route modules share. */
export interface GatewayContext {
  readonly transport: Transport;
  /** Topic and group administration, when the transport offers it (the SQLite transport does). */
  readonly admin: BackendAdmin | undefined;
  readonly dlq: DeadLetterAdmin;
  readonly leases: LeaseRegistry;
  /** Pull acks and nacks, settled here or forwarded to the instance that leased the message. */
  readonly settle: SettleRouter;
  readonly pulls: PullBridges;
  /** Per-key and gateway-wide consumer limits, and the memory budget of held messages. */
  readonly consumers: ConsumerLimits;
  readonly sessions: Set<OpenSession>;
  readonly metrics: GatewayMetrics;
  /** Samples rates, lag and dead-letter depth for `GET /v1/stats/history`. */
  readonly stats: StatsSampler;
  readonly options: ResolvedServerOptions;
  readonly topicForType: (type: string) => string;
  /** Checks published events against the schemas their types are bound to; undefined when turned off. */
  readonly contracts: DataContracts | undefined;
  /** Records causation links of published events for `GET /v1/flow`; undefined when turned off. */
  readonly flow: FlowRecorder | undefined;
  /** False once the server started closing: new subscriptions are refused. */
  readonly isOpen: () => boolean;
}
