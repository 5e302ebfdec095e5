/**
 * Lifecycle of a saga instance:
 * `running` -> `completed`, or `running` -> `compensating` -> `compensated` | `compensation_failed`.
 * `compensation_failed` is terminal and needs a person: list instances in that state and alert on it.
 * Process-manager instances use `running` -> `completed`.
 */
export type SagaStatus = 'running' | 'compensating' | 'completed' | 'compensated' | 'compensation_failed';

/** The statuses in which a runner still has work to do. */
export const ACTIVE_SAGA_STATUSES: readonly SagaStatus[] = ['running', 'compensating'];

/** True for `completed`, `compensated` and `compensation_failed`. */
export function isTerminalSagaStatus(status: SagaStatus): boolean {
  return status !== 'running' && status !== 'compensating';
}

export type SagaStepStatus =
  | 'pending'
  | 'running'
  | 'waiting'
  | 'completed'
  | 'failed'
  | 'compensating'
  | 'compensated'
  | 'compensation_failed';

export interface SagaStepRecord {
  readonly name: string;
  status: SagaStepStatus;
  /** Action attempts started so far (a crash mid-action counts as one). */
  attempts: number;
  compensationAttempts: number;
  /** Last error message of the action or compensation. */
  error?: string;
}

/** One line of an instance's timeline. */
export interface SagaHistoryEntry {
  /** Epoch ms. */
  readonly at: number;
  /** e.g. `started`, `step.started`, `step.completed`, `step.failed`, `reply.received`, `timer.fired`. */
  readonly kind: string;
  readonly step?: string;
  readonly attempt?: number;
  readonly detail?: string;
}

/** A pending durable timer of a process manager. */
export interface SagaTimer {
  readonly name: string;
  /** Epoch ms. */
  readonly dueAt: number;
}

/**
 * The persisted state of one saga or process-manager instance. Stores keep it whole (JSON) and
 * index `id`, `sagaName`, `status`, `version` and `dueAt`.
 */
export interface SagaInstance {
  /** Also the correlation id of every command the saga sends. */
  readonly id: string;
  /** Name of the saga or process-manager definition. */
  readonly sagaName: string;
  status: SagaStatus;
  /** Optimistic concurrency version: 0 before `create`, incremented by every save. */
  version: number;
  readonly input: unknown;
  /** The saga's accumulated context, or the process manager's state. */
  context: Record<string, unknown>;
  /** Index of the step the saga is on (steps.length once all completed). */
  stepIndex: number;
  steps: SagaStepRecord[];
  history: SagaHistoryEntry[];
  /** Ids of reply or input events already applied, so a duplicate is ignored. */
  handledEventIds: string[];
  /** Process-manager timers. */
  timers: SagaTimer[];
  /**
   * When a runner should next look at the instance (retry backoff, step timeout, lease of a running
   * action, earliest timer), epoch ms; `null` when only an event can move it.
   */
  dueAt: number | null;
  readonly createdAt: number;
  updatedAt: number;
  /** Why the saga stopped going forward. */
  error?: string;
}

/** Filter of `SagaStore.list`. */
export interface SagaListOptions {
  readonly status?: SagaStatus | readonly SagaStatus[];
  readonly sagaName?: string;
  /** Most instances returned, newest `updatedAt` first. Default 100. */
  readonly limit?: number;
}

/** Deep copy through JSON: what a store hands out can never alias what it keeps. */
export function cloneSagaInstance(instance: SagaInstance): SagaInstance {
  return JSON.parse(JSON.stringify(instance)) as SagaInstance;
}
