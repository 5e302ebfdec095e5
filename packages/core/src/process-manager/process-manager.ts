import type { Bus, PublishOptions, PublishResult } from '../bus/bus-types.js';
import type { BusEvent } from '../bus/handler-types.js';
import type { HandlerOptions } from '../bus/bus-options.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { KeyedTasks } from '../shared/keyed-tasks.js';
import { SagaConflictError } from '../saga/saga-errors.js';
import type { SagaInstance, SagaTimer } from '../saga/saga-instance.js';
import type { SagaStore } from '../saga/saga-store.js';
import type { ProcessManagerActions, ProcessManagerDefinition } from './process-manager-definition.js';

const HANDLED_IDS_KEPT = 500;

interface PmBus {
  publish(type: string, data: unknown, options?: PublishOptions): Promise<PublishResult>;
  on(type: string, handler: (event: BusEvent) => Promise<void>, options?: HandlerOptions): unknown;
}

export interface ProcessManagerOptions<TState, Events> {
  readonly definition: ProcessManagerDefinition<TState>;
  readonly store: SagaStore;
  /** Delivers the events (one handler per type, named `pm.<name>.<type>`) and sends the commands. */
  readonly bus: Bus<Events>;
  /** How often due timers are polled, ms. Default 200. */
  readonly pollIntervalMs?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  readonly logger?: Logger;
}

export interface ProcessManager {
  /** Instance id of a key: `<name>:<key>`. */
  instanceId(key: string): string;
  /** Starts polling due timers (timers set before a restart fire once it is up again). */
  start(): Promise<void>;
  /** Stops polling and waits for the reaction in progress. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs a process manager: each event is applied to the instance of its key under the store's
 * optimistic version; commands are published with ids derived from the triggering event (or timer)
 * before the new state is saved, so a crash in between re-publishes the same ids, which consumers'
 * dedup drops, and never loses a command.
 */
export function createProcessManager<TState, Events = Record<string, unknown>>(
  options: ProcessManagerOptions<TState, Events>,
): ProcessManager {
  const { definition, store } = options;
  const bus = options.bus as unknown as PmBus;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const lock = new KeyedTasks();
  const instanceId = (key: string): string => `${definition.name}:${key}`;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  /** Runs one reaction and persists its outcome. */
  const react = async (
    instance: SagaInstance,
    commandIdPrefix: string,
    run: (state: TState, actions: ProcessManagerActions) => TState | void | Promise<TState | void>,
  ): Promise<void> => {
    const commands: { type: string; data: unknown }[] = [];
    const timers = new Map<string, number>(instance.timers.map((t) => [t.name, t.dueAt]));
    let completed = false;
    const key = String(instance.input);
    const actions: ProcessManagerActions = {
      key,
      send: (type, data) => void commands.push({ type, data }),
      schedule: (name, delayMs) => void timers.set(name, now() + delayMs),
      cancel: (name) => void timers.delete(name),
      complete: () => {
        completed = true;
      },
    };
    const next = await run(instance.context as TState, actions);
    if (next !== undefined) instance.context = next as Record<string, unknown>;
    for (const [index, command] of commands.entries()) {
      await bus.publish(command.type, command.data, { id: `${commandIdPrefix}:${index}`, key });
      instance.history.push({ at: now(), kind: 'command.sent', detail: command.type });
    }
    const pending: SagaTimer[] = completed ? [] : [...timers].map(([name, dueAt]) => ({ name, dueAt }));
    instance.timers = pending;
    instance.dueAt = pending.length === 0 ? null : Math.min(...pending.map((t) => t.dueAt));
    if (completed) {
      instance.status = 'completed';
      instance.history.push({ at: now(), kind: 'completed' });
    }
    instance.updatedAt = now();
    await store.save(instance);
  };

  const onEvent = async (event: BusEvent): Promise<void> => {
    const key = definition.correlate[event.type]?.(event);
    const reaction = definition.on[event.type];
    if (key === undefined || reaction === undefined) return;
    const id = instanceId(key);
    await lock.run(id, async () => {
      let instance = await store.load(id);
      if (instance === undefined) {
        if (!definition.startedBy.includes(event.type)) {
          logger.debug(
            { pm: definition.name, key, type: event.type },
            'event for no running process ignored',
          );
          return;
        }
        const at = now();
        instance = await store.create({
          id,
          sagaName: definition.name,
          status: 'running',
          version: 0,
          input: key,
          context: definition.initialState(key) as Record<string, unknown>,
          stepIndex: 0,
          steps: [],
          history: [{ at, kind: 'started' }],
          handledEventIds: [],
          timers: [],
          dueAt: null,
          createdAt: at,
          updatedAt: at,
        });
      }
      if (instance.status !== 'running' || instance.handledEventIds.includes(event.id)) return;
      instance.handledEventIds = [...instance.handledEventIds, event.id].slice(-HANDLED_IDS_KEPT);
      instance.history.push({ at: now(), kind: 'event.received', detail: `${event.type} ${event.id}` });
      await react(instance, `${id}:${event.id}`, (state, actions) => reaction(state, event, actions));
    });
  };

  for (const type of Object.keys(definition.on)) {
    bus.on(type, onEvent, { name: `pm.${definition.name}.${type}`, from: 'earliest' });
  }

  const fire = (id: string): Promise<void> =>
    lock.run(id, async () => {
      const instance = await store.load(id);
      if (instance === undefined || instance.status !== 'running') return;
      const due = instance.timers.filter((t) => t.dueAt <= now()).sort((a, b) => a.dueAt - b.dueAt)[0];
      if (due === undefined) return;
      const handler = definition.timeouts?.[due.name];
      instance.history.push({ at: now(), kind: 'timer.fired', detail: due.name });
      await react(instance, `${id}:timer:${due.name}:${due.dueAt}`, async (state, actions) => {
        actions.cancel(due.name);
        return handler?.(state, actions);
      });
    });

  const poll = async (): Promise<void> => {
    for (const instance of await store.due(now(), { sagaName: definition.name })) {
      try {
        await fire(instance.id);
      } catch (error) {
        if (!(error instanceof SagaConflictError)) {
          logger.error(
            { err: error, id: instance.id },
            'process manager timer failed; the next poll retries it',
          );
        }
      }
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      polling = poll()
        .catch((error: unknown) => logger.error({ err: error, pm: definition.name }, 'timer poll failed'))
        .finally(schedule);
    }, options.pollIntervalMs ?? 200);
  };

  return {
    instanceId,
    start() {
      stopped = false;
      schedule();
      return Promise.resolve();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await polling;
      clearTimeout(timer);
    },
  };
}
