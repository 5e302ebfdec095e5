import type { SagaInstance, SagaListOptions } from './saga-instance.js';

/** Default `limit` of `SagaStore.list` and `SagaStore.due`. */
export const DEFAULT_SAGA_LIST_LIMIT = 100;

/**
 * The saga port: durable saga and process-manager instances with optimistic concurrency and
 * due times (durable timers). Memory (core), SQLite and PostgreSQL implement it, and
 * `describeSagaStoreConformance` in `@eddy/conformance` checks them.
 */
export interface SagaStore {
  /**
   * Stores a new instance and returns it with `version` 1. Rejects with `SagaConflictError` when
   * the id exists, so starting a saga twice with one id is detectable (and safe).
   */
  create(instance: SagaInstance): Promise<SagaInstance>;
  /** The instance, or undefined. */
  load(id: string): Promise<SagaInstance | undefined>;
  /**
   * Writes `instance` when the stored version still equals `instance.version`, and returns it with
   * the version incremented. Rejects with `SagaConflictError` otherwise (or `SagaNotFoundError`).
   */
  save(instance: SagaInstance): Promise<SagaInstance>;
  /** Instances matching the filter, most recently updated first. */
  list(options?: SagaListOptions): Promise<SagaInstance[]>;
  /**
   * Active instances (`running` or `compensating`) whose `dueAt` is at or before `now`, earliest
   * first: the runner's poll for timers, retries and abandoned leases.
   */
  due(
    now: number,
    options?: { readonly sagaName?: string; readonly limit?: number },
  ): Promise<SagaInstance[]>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}
