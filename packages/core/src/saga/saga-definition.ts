import type { BusEvent } from '../bus/handler-types.js';
import { SagaDefinitionError } from './saga-errors.js';

/** Retry policy of one step's action or compensation. */
export interface SagaRetryPolicy {
  /** Attempts in all, the first included. Default 3. */
  readonly maxAttempts?: number;
  /** Backoff base (exponential, full jitter), ms. Default 100. */
  readonly baseDelayMs?: number;
  /** Backoff ceiling, ms. Default 5 000. */
  readonly maxDelayMs?: number;
}

/** What a step's action, compensation and command builders receive. */
export interface SagaStepArgs<TInput, TContext> {
  readonly sagaId: string;
  readonly input: TInput;
  /** Context accumulated by the steps before this one. */
  readonly context: Readonly<Partial<TContext>>;
  /**
   * `${sagaId}:${stepName}` for the action, `${sagaId}:${stepName}:compensate` for the compensation.
   * Identical on every attempt and after a crash: pass it to the service so a re-run is a no-op.
   */
  readonly idempotencyKey: string;
  /** 1-based attempt of this action (or compensation). */
  readonly attempt: number;
  /** Aborted when the step's timeout fires. */
  readonly signal: AbortSignal;
}

/** A step run in process. Its result is merged into the context. */
export type SagaLocalAction<TInput, TContext> = (
  args: SagaStepArgs<TInput, TContext>,
) => Promise<Partial<TContext> | void> | Partial<TContext> | void;

/**
 * A step run by another service: the runner publishes `command` with the saga id as correlation id
 * and the idempotency key as the `idempotencykey` extension, then waits for a reply event whose
 * correlation id is the saga id.
 */
export interface SagaRequest<TInput, TContext> {
  /** Event type of the command. */
  readonly command: string;
  readonly data: (args: SagaStepArgs<TInput, TContext>) => unknown;
  /** Reply type meaning the step succeeded. */
  readonly success: string;
  /** Reply types meaning the step failed (no retry: the service answered). Default none. */
  readonly failure?: readonly string[];
  /** Context to merge from the success reply. Default nothing. */
  readonly onReply?: (reply: BusEvent) => Partial<TContext> | void;
}

/** A compensation sent as a command (fire and forget: durable publish = done). */
export interface SagaCompensationCommand<TInput, TContext> {
  readonly command: string;
  readonly data: (args: SagaStepArgs<TInput, TContext>) => unknown;
}

export type SagaCompensation<TInput, TContext> =
  | ((args: SagaStepArgs<TInput, TContext>) => Promise<void> | void)
  | SagaCompensationCommand<TInput, TContext>;

/** One step: exactly one of `action` and `request`. */
export interface SagaStep<TInput, TContext> {
  /** Unique in the saga; part of the idempotency key, so never rename a step with sagas in flight. */
  readonly name: string;
  readonly action?: SagaLocalAction<TInput, TContext>;
  readonly request?: SagaRequest<TInput, TContext>;
  /** Undoes a completed step when a later one fails. Default none (nothing to undo). */
  readonly compensate?: SagaCompensation<TInput, TContext>;
  /** Default: the saga's `retry`. */
  readonly retry?: SagaRetryPolicy;
  /**
   * Time one attempt may take, ms (a local action's run, or the wait for a reply); then the attempt
   * fails with a timeout and is retried or compensated. Default: the saga's `timeoutMs`.
   */
  readonly timeoutMs?: number;
}

export interface SagaDefinition<TInput, TContext> {
  /** Unique among the sagas sharing a store. */
  readonly name: string;
  readonly steps: readonly SagaStep<TInput, TContext>[];
  /** Default retry of every step and compensation. Default 3 attempts, 100 ms base, 5 000 ms ceiling. */
  readonly retry?: SagaRetryPolicy;
  /** Default step timeout, ms. Default 30 000. */
  readonly timeoutMs?: number;
  /** Retry of compensations, which must finally succeed. Default 5 attempts, 100 ms base. */
  readonly compensationRetry?: SagaRetryPolicy;
}

/** Checks a definition (unique step names, one of action/request) and returns it, typed. */
export function defineSaga<TInput, TContext extends Record<string, unknown> = Record<string, unknown>>(
  definition: SagaDefinition<TInput, TContext>,
): SagaDefinition<TInput, TContext> {
  if (definition.steps.length === 0) {
    throw new SagaDefinitionError(`Saga "${definition.name}" has no steps. Give it at least one.`);
  }
  const names = new Set<string>();
  for (const step of definition.steps) {
    if (names.has(step.name)) {
      throw new SagaDefinitionError(
        `Saga "${definition.name}" has two steps named "${step.name}". Rename one.`,
      );
    }
    names.add(step.name);
    if ((step.action === undefined) === (step.request === undefined)) {
      throw new SagaDefinitionError(
        `Step "${step.name}" of saga "${definition.name}" needs exactly one of action and request.`,
      );
    }
  }
  return definition;
}

export interface ResolvedRetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export function resolveSagaRetry(
  policy: SagaRetryPolicy | undefined,
  fallback: SagaRetryPolicy | undefined,
  defaultAttempts: number,
): ResolvedRetryPolicy {
  return {
    maxAttempts: Math.max(1, policy?.maxAttempts ?? fallback?.maxAttempts ?? defaultAttempts),
    baseDelayMs: policy?.baseDelayMs ?? fallback?.baseDelayMs ?? 100,
    maxDelayMs: policy?.maxDelayMs ?? fallback?.maxDelayMs ?? 5_000,
  };
}
