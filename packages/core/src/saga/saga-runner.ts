import type { Bus, PublishOptions, PublishResult } from '../bus/bus-types.js';
import type { BusEvent } from '../bus/handler-types.js';
import type { HandlerOptions } from '../bus/bus-options.js';
import { TimeoutError } from '../errors/errors.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { KeyedTasks } from '../shared/keyed-tasks.js';
import { SagaDefinitionError, SagaConflictError } from './saga-errors.js';
import type { SagaDefinition } from './saga-definition.js';
import { SagaEngine } from './saga-engine.js';
import { isTerminalSagaStatus, type SagaInstance } from './saga-instance.js';
import type { SagaStore } from './saga-store.js';

/** Default `pollIntervalMs` of a saga runner. */
export const DEFAULT_SAGA_POLL_INTERVAL_MS = 200;
/** Default `leaseMs` of a saga runner. */
export const DEFAULT_SAGA_LEASE_MS = 30_000;

const REPLY_CONFLICT_TRIES = 5;

/** The bus surface a runner uses; any `Bus<Events>` fits. */
interface SagaBus {
  publish(type: string, data: unknown, options?: PublishOptions): Promise<PublishResult>;
  on(type: string, handler: (event: BusEvent) => Promise<void>, options?: HandlerOptions): unknown;
}

export interface SagaRunnerOptions<TInput, TContext extends Record<string, unknown>, Events> {
  readonly saga: SagaDefinition<TInput, TContext>;
  readonly store: SagaStore;
  /**
   * Bus for request/reply steps and command compensations. The runner registers one handler per
   * reply type, named `saga.<saga>.<reply type>`, reading from the earliest retained event. Required
   * when a step has a `request` or a command compensation.
   */
  readonly bus?: Bus<Events>;
  /** How often due instances (retries, timeouts, abandoned work) are polled, ms. Default 200. */
  readonly pollIntervalMs?: number;
  /**
   * How long a started action holds its instance beyond the step timeout before another runner (or
   * this one after a restart) may re-run it with the same idempotency key, ms. Default 30 000.
   */
  readonly leaseMs?: number;
  /** Most due instances driven per poll. Default 100. */
  readonly batchSize?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Called once an instance ends `completed`, `compensated` or `compensation_failed`. */
  readonly onSettled?: (instance: SagaInstance) => void | Promise<void>;
  /**
   * Called when compensation gave up: alert a person. The instance stays listed under
   * `compensation_failed`. Default: logs an error.
   */
  readonly onCompensationFailed?: (instance: SagaInstance) => void | Promise<void>;
}

export interface SagaRunner<TInput> {
  /**
   * Starts a saga under `id` (use a business key such as the order id) and drives it in the
   * background. Starting an id that exists returns the stored instance: a duplicate start is a no-op.
   */
  startSaga(id: string, input: TInput): Promise<SagaInstance>;
  /** Begins polling for due instances, which also resumes what a crashed runner left in flight. */
  start(): Promise<void>;
  /** Stops polling and waits for the transitions in progress. Idempotent. */
  stop(): Promise<void>;
  /** Resolves with the instance once it is terminal; rejects with `TimeoutError` after `timeoutMs` (default 30 000). */
  whenSettled(id: string, options?: { readonly timeoutMs?: number }): Promise<SagaInstance>;
}

/** Drives instances of one saga definition: forward through the steps, backward through compensations. */
export function createSagaRunner<
  TInput,
  TContext extends Record<string, unknown>,
  Events = Record<string, unknown>,
>(options: SagaRunnerOptions<TInput, TContext, Events>): SagaRunner<TInput> {
  const { saga, store } = options;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_SAGA_POLL_INTERVAL_MS;
  const batchSize = options.batchSize ?? 100;
  const bus = options.bus as SagaBus | undefined;
  const needsBus = saga.steps.some(
    (step) =>
      step.request !== undefined || (step.compensate !== undefined && typeof step.compensate !== 'function'),
  );
  if (needsBus && bus === undefined) {
    throw new SagaDefinitionError(`Saga "${saga.name}" sends commands: pass { bus } to createSagaRunner.`);
  }
  const lock = new KeyedTasks();
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  const engine = new SagaEngine(saga, {
    store,
    now,
    leaseMs: options.leaseMs ?? DEFAULT_SAGA_LEASE_MS,
    publish: (type, data, publishOptions) => {
      if (bus === undefined)
        throw new SagaDefinitionError(`Saga "${saga.name}" needs a bus to send ${type}.`);
      return bus.publish(type, data, publishOptions);
    },
    async onSettled(instance) {
      if (instance.status === 'compensation_failed') {
        logger.error(
          { sagaId: instance.id, saga: instance.sagaName, error: instance.error },
          'saga compensation failed',
        );
        await options.onCompensationFailed?.(instance);
      }
      await options.onSettled?.(instance);
    },
  });

  // One transition at a time per instance; a conflict means another runner moved it, so stop here
  // and let the next poll or event pick it up again from the stored state.
  const drive = (id: string, first?: (instance: SagaInstance) => Promise<SagaInstance | undefined>) =>
    lock.run(id, async () => {
      let instance = await store.load(id);
      if (instance === undefined || instance.sagaName !== saga.name) return;
      try {
        if (first !== undefined) {
          instance = await first(instance);
          if (instance === undefined) return;
        }
        while (instance !== undefined && !stopped && !isTerminalSagaStatus(instance.status)) {
          instance = await engine.advance(instance);
        }
      } catch (error) {
        if (!(error instanceof SagaConflictError)) throw error;
      }
    });

  const track = (work: Promise<void>): void => {
    const tracked = work.catch((error: unknown) => {
      logger.error({ err: error, saga: saga.name }, 'saga transition failed; the next poll retries it');
    });
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
  };

  const replyTypes = new Set<string>();
  for (const step of saga.steps) {
    if (step.request === undefined) continue;
    replyTypes.add(step.request.success);
    for (const failure of step.request.failure ?? []) replyTypes.add(failure);
  }
  for (const type of replyTypes) {
    bus!.on(
      type,
      async (event) => {
        const id = event.correlationid;
        if (id === undefined) return;
        // Another runner may move the instance between load and save: reload and apply again. A
        // conflict that persists escapes, so the bus redelivers the reply later.
        await lock.run(id, async () => {
          for (let attempt = 1; ; attempt++) {
            const instance = await store.load(id);
            if (instance === undefined || instance.sagaName !== saga.name) return;
            try {
              await engine.applyReply(instance, event);
              return;
            } catch (error) {
              if (!(error instanceof SagaConflictError) || attempt >= REPLY_CONFLICT_TRIES) throw error;
            }
          }
        });
        if (!stopped) track(drive(id));
      },
      { name: `saga.${saga.name}.${type}`, from: 'earliest' },
    );
  }

  const poll = async (): Promise<void> => {
    const due = await store.due(now(), { sagaName: saga.name, limit: batchSize });
    await Promise.all(
      due.map((instance) =>
        drive(instance.id).catch((error: unknown) => {
          logger.error(
            { err: error, sagaId: instance.id },
            'saga transition failed; the next poll retries it',
          );
        }),
      ),
    );
  };
  const schedule = (): void => {
    if (stopped) return;
    pollTimer = setTimeout(() => {
      polling = poll()
        .catch((error: unknown) => logger.error({ err: error, saga: saga.name }, 'saga poll failed'))
        .finally(schedule);
    }, pollIntervalMs);
  };

  return {
    async startSaga(id, input) {
      let instance: SagaInstance;
      try {
        instance = await store.create(engine.newInstance(id, input));
      } catch (error) {
        if (!(error instanceof SagaConflictError)) throw error;
        const existing = await store.load(id);
        if (existing === undefined) throw error;
        return existing;
      }
      if (!stopped) track(drive(id));
      return instance;
    },
    start() {
      stopped = false;
      polling = poll()
        .catch((error: unknown) => logger.error({ err: error, saga: saga.name }, 'saga poll failed'))
        .finally(schedule);
      return Promise.resolve();
    },
    async stop() {
      stopped = true;
      clearTimeout(pollTimer);
      await polling;
      clearTimeout(pollTimer);
      await Promise.all([...inFlight]);
    },
    async whenSettled(id, waitOptions = {}) {
      const timeoutMs = waitOptions.timeoutMs ?? 30_000;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const instance = await store.load(id);
        if (instance !== undefined && isTerminalSagaStatus(instance.status)) return instance;
        if (Date.now() > deadline) {
          throw new TimeoutError(
            `Saga "${id}" did not settle within ${timeoutMs} ms (status ${instance?.status ?? 'unknown'}). ` +
              'Check that the runner is started and its services answer.',
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
