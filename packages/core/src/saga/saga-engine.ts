import type { PublishOptions } from '../bus/bus-types.js';
import type { BusEvent } from '../bus/handler-types.js';
import { backoffDelayMs } from '../shared/backoff.js';
import { isRetryableError } from '../middleware/non-retryable-error.js';
import {
  resolveSagaRetry,
  type ResolvedRetryPolicy,
  type SagaDefinition,
  type SagaStep,
  type SagaStepArgs,
} from './saga-definition.js';
import type { SagaHistoryEntry, SagaInstance } from './saga-instance.js';
import type { SagaStore } from './saga-store.js';
import { IDEMPOTENCY_KEY_EXTENSION } from './idempotency-key.js';
import { runWithTimeout } from './run-with-timeout.js';

/** How many handled reply ids an instance remembers; older ones belong to long-finished steps. */
const HANDLED_IDS_KEPT = 200;

export interface SagaEngineSettings {
  readonly store: SagaStore;
  readonly now: () => number;
  readonly leaseMs: number;
  readonly publish: (type: string, data: unknown, options: PublishOptions) => Promise<unknown>;
  readonly onSettled: (instance: SagaInstance) => Promise<void>;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The saga state machine: one `advance` call makes one persisted transition. State is written
 * before an action runs (status `running`, a lease in `dueAt`) and after it, so a crash re-runs the
 * action with the same idempotency key and never skips or forgets one.
 */
export class SagaEngine<TInput, TContext extends Record<string, unknown>> {
  readonly #def: SagaDefinition<TInput, TContext>;
  readonly #s: SagaEngineSettings;
  readonly #retry: ResolvedRetryPolicy[];
  readonly #compensationRetry: ResolvedRetryPolicy;

  constructor(definition: SagaDefinition<TInput, TContext>, settings: SagaEngineSettings) {
    this.#def = definition;
    this.#s = settings;
    this.#retry = definition.steps.map((step) => resolveSagaRetry(step.retry, definition.retry, 3));
    this.#compensationRetry = resolveSagaRetry(definition.compensationRetry, undefined, 5);
  }

  get definition(): SagaDefinition<TInput, TContext> {
    return this.#def;
  }

  /** A fresh instance, not yet stored. */
  newInstance(id: string, input: TInput): SagaInstance {
    const at = this.#s.now();
    return {
      id,
      sagaName: this.#def.name,
      status: 'running',
      version: 0,
      input,
      context: {},
      stepIndex: 0,
      steps: this.#def.steps.map((step) => ({
        name: step.name,
        status: 'pending',
        attempts: 0,
        compensationAttempts: 0,
      })),
      history: [{ at, kind: 'started' }],
      handledEventIds: [],
      timers: [],
      dueAt: at,
      createdAt: at,
      updatedAt: at,
    };
  }

  /** Makes one transition and returns the saved instance, or undefined when there is nothing to do now. */
  async advance(instance: SagaInstance): Promise<SagaInstance | undefined> {
    if (instance.status === 'running') return this.#forward(instance);
    if (instance.status === 'compensating') return this.#backward(instance);
    return undefined;
  }

  /** Applies a reply event; returns the saved instance, or undefined when the reply does not apply. */
  async applyReply(instance: SagaInstance, reply: BusEvent): Promise<SagaInstance | undefined> {
    if (instance.status !== 'running' || instance.handledEventIds.includes(reply.id)) return undefined;
    const step = this.#def.steps[instance.stepIndex];
    const record = instance.steps[instance.stepIndex];
    if (step?.request === undefined || record === undefined) return undefined;
    if (record.status !== 'waiting' && record.status !== 'running') return undefined;
    const failed = step.request.failure?.includes(reply.type) ?? false;
    if (reply.type !== step.request.success && !failed) return undefined;
    instance.handledEventIds = [...instance.handledEventIds, reply.id].slice(-HANDLED_IDS_KEPT);
    this.#log(instance, { kind: 'reply.received', step: step.name, detail: `${reply.type} ${reply.id}` });
    if (failed) {
      return this.#failAttempt(instance, step, `answered ${reply.type}`, false);
    }
    Object.assign(instance.context, step.request.onReply?.(reply) ?? {});
    return this.#completeStep(instance, step);
  }

  async #forward(instance: SagaInstance): Promise<SagaInstance | undefined> {
    const now = this.#s.now();
    const step = this.#def.steps[instance.stepIndex];
    const record = instance.steps[instance.stepIndex];
    if (step === undefined || record === undefined) {
      instance.status = 'completed';
      instance.dueAt = null;
      this.#log(instance, { kind: 'completed' });
      return this.#settle(await this.#save(instance));
    }
    if (record.status === 'waiting') {
      if (instance.dueAt === null || instance.dueAt > now) return undefined;
      return this.#failAttempt(
        instance,
        step,
        `no ${step.request?.success ?? 'reply'} within ${this.#timeoutOf(step)} ms`,
        true,
      );
    }
    if (instance.dueAt !== null && instance.dueAt > now) return undefined;
    record.attempts += 1;
    record.status = 'running';
    instance.dueAt = now + this.#timeoutOf(step) + this.#s.leaseMs;
    this.#log(instance, { kind: 'step.started', step: step.name, attempt: record.attempts });
    const saved = await this.#save(instance);
    const args = (signal: AbortSignal): SagaStepArgs<TInput, TContext> => ({
      sagaId: saved.id,
      input: saved.input as TInput,
      context: saved.context as Partial<TContext>,
      idempotencyKey: `${saved.id}:${step.name}`,
      attempt: record.attempts,
      signal,
    });
    if (step.action !== undefined) {
      const action = step.action;
      try {
        const result = await runWithTimeout(this.#timeoutOf(step), `Saga step "${step.name}"`, (signal) =>
          action(args(signal)),
        );
        Object.assign(saved.context, result ?? {});
      } catch (error) {
        return this.#failAttempt(saved, step, messageOf(error), isRetryableError(error));
      }
      return this.#completeStep(saved, step);
    }
    const request = step.request!;
    const key = `${saved.id}:${step.name}`;
    try {
      await this.#s.publish(request.command, request.data(args(new AbortController().signal)), {
        id: `${key}:${record.attempts}`,
        correlationId: saved.id,
        key: saved.id,
        extensions: { [IDEMPOTENCY_KEY_EXTENSION]: key },
      });
    } catch (error) {
      return this.#failAttempt(saved, step, `sending ${request.command} failed: ${messageOf(error)}`, true);
    }
    const waiting = saved.steps[saved.stepIndex]!;
    waiting.status = 'waiting';
    saved.dueAt = this.#s.now() + this.#timeoutOf(step);
    this.#log(saved, {
      kind: 'command.sent',
      step: step.name,
      attempt: waiting.attempts,
      detail: request.command,
    });
    await this.#save(saved);
    return undefined;
  }

  async #backward(instance: SagaInstance): Promise<SagaInstance | undefined> {
    const now = this.#s.now();
    if (instance.dueAt !== null && instance.dueAt > now) return undefined;
    let index = -1;
    for (let i = instance.steps.length - 1; i >= 0; i--) {
      const status = instance.steps[i]!.status;
      if (status === 'completed' || status === 'compensating') {
        index = i;
        break;
      }
    }
    if (index < 0) {
      instance.status = 'compensated';
      instance.dueAt = null;
      this.#log(instance, { kind: 'compensated' });
      return this.#settle(await this.#save(instance));
    }
    const step = this.#def.steps[index]!;
    const record = instance.steps[index]!;
    const compensate = step.compensate;
    if (compensate === undefined) {
      record.status = 'compensated';
      this.#log(instance, { kind: 'compensation.skipped', step: step.name, detail: 'nothing to undo' });
      return this.#save(instance);
    }
    record.compensationAttempts += 1;
    record.status = 'compensating';
    instance.dueAt = now + this.#timeoutOf(step) + this.#s.leaseMs;
    this.#log(instance, {
      kind: 'compensation.started',
      step: step.name,
      attempt: record.compensationAttempts,
    });
    const saved = await this.#save(instance);
    const key = `${saved.id}:${step.name}:compensate`;
    try {
      await runWithTimeout(
        this.#timeoutOf(step),
        `Compensation of saga step "${step.name}"`,
        async (signal) => {
          const args: SagaStepArgs<TInput, TContext> = {
            sagaId: saved.id,
            input: saved.input as TInput,
            context: saved.context as Partial<TContext>,
            idempotencyKey: key,
            attempt: record.compensationAttempts,
            signal,
          };
          if (typeof compensate === 'function') {
            await compensate(args);
          } else {
            await this.#s.publish(compensate.command, compensate.data(args), {
              id: key,
              correlationId: saved.id,
              key: saved.id,
              extensions: { [IDEMPOTENCY_KEY_EXTENSION]: key },
            });
          }
        },
      );
    } catch (error) {
      const current = saved.steps[index]!;
      current.error = messageOf(error);
      this.#log(saved, {
        kind: 'compensation.failed',
        step: step.name,
        attempt: current.compensationAttempts,
        detail: current.error,
      });
      if (current.compensationAttempts < this.#compensationRetry.maxAttempts) {
        saved.dueAt = this.#s.now() + backoffDelayMs(current.compensationAttempts, this.#compensationRetry);
        await this.#save(saved);
        return undefined;
      }
      current.status = 'compensation_failed';
      saved.status = 'compensation_failed';
      saved.dueAt = null;
      saved.error = `Compensation of step "${step.name}" failed ${current.compensationAttempts} times: ${current.error}`;
      this.#log(saved, { kind: 'compensation_failed', step: step.name, detail: saved.error });
      return this.#settle(await this.#save(saved));
    }
    saved.steps[index]!.status = 'compensated';
    saved.dueAt = this.#s.now();
    this.#log(saved, { kind: 'compensation.completed', step: step.name });
    return this.#save(saved);
  }

  async #completeStep(instance: SagaInstance, step: SagaStep<TInput, TContext>): Promise<SagaInstance> {
    instance.steps[instance.stepIndex]!.status = 'completed';
    instance.stepIndex += 1;
    instance.dueAt = this.#s.now();
    this.#log(instance, { kind: 'step.completed', step: step.name });
    return this.#save(instance);
  }

  async #failAttempt(
    instance: SagaInstance,
    step: SagaStep<TInput, TContext>,
    message: string,
    retryable: boolean,
  ): Promise<SagaInstance | undefined> {
    const record = instance.steps[instance.stepIndex]!;
    const policy = this.#retry[instance.stepIndex]!;
    record.error = message;
    this.#log(instance, { kind: 'step.failed', step: step.name, attempt: record.attempts, detail: message });
    if (retryable && record.attempts < policy.maxAttempts) {
      record.status = 'pending';
      instance.dueAt = this.#s.now() + backoffDelayMs(record.attempts, policy);
      await this.#save(instance);
      return undefined;
    }
    record.status = 'failed';
    instance.status = 'compensating';
    instance.error = `Step "${step.name}" failed after ${record.attempts} attempt(s): ${message}`;
    instance.dueAt = this.#s.now();
    this.#log(instance, { kind: 'compensation.begun', step: step.name });
    return this.#save(instance);
  }

  #timeoutOf(step: SagaStep<TInput, TContext>): number {
    return step.timeoutMs ?? this.#def.timeoutMs ?? 30_000;
  }

  #log(instance: SagaInstance, entry: Omit<SagaHistoryEntry, 'at'>): void {
    instance.history.push({ at: this.#s.now(), ...entry });
  }

  #save(instance: SagaInstance): Promise<SagaInstance> {
    instance.updatedAt = this.#s.now();
    return this.#s.store.save(instance);
  }

  async #settle(instance: SagaInstance): Promise<undefined> {
    await this.#s.onSettled(instance);
    return undefined;
  }
}
