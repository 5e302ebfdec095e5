import type { TracerProvider } from '@opentelemetry/api';
import type { Logger } from '../observability/logger.js';
import type { Transport } from '../transport/transport.js';
import type { OutboxRecord, OutboxStore } from './outbox-store.js';
import type { OutboxMetrics } from './outbox-metrics.js';

/** What `onRowFailed` receives when the relay sets a row aside. */
export interface OutboxRowFailure {
  /** The row, now listed by the store's `failedRows`. */
  readonly row: OutboxRecord;
  /** The error of its last publish. */
  readonly error: unknown;
  /** Failed publishes of the row alone, the last one included (1 for a permanent error). */
  readonly attempts: number;
  /** `'permanent'`: the transport can never take it as it is; `'retriable'`: `maxAttempts` ran out. */
  readonly reason: 'permanent' | 'retriable';
}

export interface OutboxRelayOptions {
  /** Where the rows are. */
  readonly store: OutboxStore;
  /** Where they go: any Eddy transport. */
  readonly transport: Transport;
  /** This relay's name in lease rows; unique per running relay. Default `<hostname>:<pid>:<random>`. */
  readonly owner?: string;
  /** Rows read and published per lane per step. Default 100. */
  readonly batchSize?: number;
  /**
   * Lease on a lane and on the relay's heartbeat, ms. Renewed every third of it; a crashed relay's
   * lanes move to another relay after it. Default 10 000.
   */
  readonly leaseMs?: number;
  /**
   * How often held lanes are checked without a wake-up, ms: the bound on latency for rows committed
   * by another process where the store cannot signal them (SQLite). Default 500.
   */
  readonly pollIntervalMs?: number;
  /** Lanes published in parallel. Default 4. */
  readonly concurrency?: number;
  /** Most lanes this relay holds, whatever its fair share. Default all. */
  readonly maxLanes?: number;
  /** Backoff after a failed publish or store call (exponential, full jitter). Defaults 100 ms and 10 000 ms. */
  readonly retry?: { readonly baseDelayMs?: number; readonly maxDelayMs?: number };
  /**
   * A publish that has not settled after this long counts as failed and is retried; it must stay
   * well under `leaseMs` so a hung call does not outlive the lease. Default `leaseMs / 2`.
   */
  readonly publishTimeoutMs?: number;
  /**
   * Failed publishes of one row, in a row, after which it is set aside (`store.markFailed`) so the
   * rows behind it in its lane go on. Counts only retriable errors of that row published alone;
   * a non-retriable error (e.g. `EDDY_MESSAGE_TOO_LARGE`) sets it aside at once, and a transport
   * that is closed, unreachable or timing out never counts (see `classifyRowFailure`). `Infinity`
   * retries forever and lets the row hold up its lane. Default 10.
   */
  readonly maxAttempts?: number;
  /**
   * Called after a row was set aside (also logged at error level and counted in `metrics`), e.g. to
   * alert. Exceptions it throws are logged and ignored. Default none.
   */
  readonly onRowFailed?: (failure: OutboxRowFailure) => void;
  /** `'mark'` keeps published rows (for audit, purged by age); `'delete'` removes them at once. Default `'mark'`. */
  readonly afterPublish?: 'mark' | 'delete';
  /** Published rows older than this are purged, ms. Default 86 400 000 (24 h). */
  readonly retentionMs?: number;
  /** How often the purge runs, ms; 0 turns it off. Default 60 000. */
  readonly cleanupIntervalMs?: number;
  /** Counters and gauges, e.g. `createOutboxPrometheusMetrics`. Default none. */
  readonly metrics?: OutboxMetrics;
  /** OpenTelemetry tracer provider. Default the global one (a no-op until an SDK registers). */
  readonly tracerProvider?: TracerProvider;
  /** Default silent. */
  readonly logger?: Logger;
}

export interface ResolvedRelayOptions {
  readonly batchSize: number;
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  readonly concurrency: number;
  readonly maxLanes: number | undefined;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly publishTimeoutMs: number;
  readonly deleteAfterPublish: boolean;
  readonly maxAttempts: number;
  readonly retentionMs: number;
  readonly cleanupIntervalMs: number;
}
