import { SagaNotFoundError } from './saga-errors.js';
import type { SagaHistoryEntry, SagaInstance, SagaListOptions, SagaStatus } from './saga-instance.js';
import type { SagaStore } from './saga-store.js';

/** One instance's story, oldest entry first, for a dashboard or the CLI. */
export interface SagaTimeline {
  readonly id: string;
  readonly sagaName: string;
  readonly status: SagaStatus;
  readonly error?: string;
  readonly steps: SagaInstance['steps'];
  readonly entries: readonly SagaHistoryEntry[];
}

/** Read-only views over a saga store. */
export interface SagaAdmin {
  /** Instances by state (e.g. `compensation_failed` for an alert), newest first. */
  list(options?: SagaListOptions): Promise<SagaInstance[]>;
  /** Count of instances per status among the newest `limit` (default 1 000). */
  countByStatus(options?: {
    readonly sagaName?: string;
    readonly limit?: number;
  }): Promise<Record<SagaStatus, number>>;
  /** The timeline of one instance; rejects with `SagaNotFoundError` for an unknown id. */
  timeline(id: string): Promise<SagaTimeline>;
}

export function createSagaAdmin(store: SagaStore): SagaAdmin {
  return {
    list: (options) => store.list(options),
    async countByStatus(options = {}) {
      const counts: Record<SagaStatus, number> = {
        running: 0,
        compensating: 0,
        completed: 0,
        compensated: 0,
        compensation_failed: 0,
      };
      const listOptions = {
        limit: options.limit ?? 1_000,
        ...(options.sagaName === undefined ? {} : { sagaName: options.sagaName }),
      };
      for (const instance of await store.list(listOptions)) counts[instance.status] += 1;
      return counts;
    },
    async timeline(id) {
      const instance = await store.load(id);
      if (instance === undefined) throw new SagaNotFoundError(id);
      return {
        id: instance.id,
        sagaName: instance.sagaName,
        status: instance.status,
        ...(instance.error === undefined ? {} : { error: instance.error }),
        steps: instance.steps,
        entries: [...instance.history].sort((a, b) => a.at - b.at),
      };
    },
  };
}
