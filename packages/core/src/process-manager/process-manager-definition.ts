import type { BusEvent } from '../bus/handler-types.js';
import { SagaDefinitionError } from '../saga/saga-errors.js';

/** What a process manager's reaction may do besides returning the new state. */
export interface ProcessManagerActions {
  /** The instance key (e.g. the order id). */
  readonly key: string;
  /** Sends a command event once the reaction succeeded. */
  send(type: string, data: unknown): void;
  /** Starts (or restarts) the durable timer `name`; it fires after `delayMs`, also across restarts. */
  schedule(name: string, delayMs: number): void;
  /** Cancels the timer `name` if pending. */
  cancel(name: string): void;
  /** Ends the process: later events for this key are ignored and timers are dropped. */
  complete(): void;
}

/** Returns the next state, or nothing to keep the current one. */
export type ProcessManagerReaction<TState> = (
  state: TState,
  event: BusEvent,
  actions: ProcessManagerActions,
) => TState | void | Promise<TState | void>;

export type ProcessManagerTimeout<TState> = (
  state: TState,
  actions: ProcessManagerActions,
) => TState | void | Promise<TState | void>;

/** A long-running, event-driven process keyed by a correlation property. */
export interface ProcessManagerDefinition<TState> {
  /** Unique among the sagas and process managers sharing a store; prefixes instance ids. */
  readonly name: string;
  /** For each event type handled: where its instance key is (e.g. `(e) => e.data.orderId`). */
  readonly correlate: Readonly<Record<string, (event: BusEvent) => string | undefined>>;
  /** Event types that may create an instance; others arriving for an unknown key are ignored. */
  readonly startedBy: readonly string[];
  readonly initialState: (key: string) => TState;
  /** Reaction per event type; every type here needs a `correlate` entry. */
  readonly on: Readonly<Record<string, ProcessManagerReaction<TState>>>;
  /** Reaction per timer name. */
  readonly timeouts?: Readonly<Record<string, ProcessManagerTimeout<TState>>>;
}

/** Checks that every reacted-to type can be correlated and started-by types are handled. */
export function defineProcessManager<TState>(
  definition: ProcessManagerDefinition<TState>,
): ProcessManagerDefinition<TState> {
  for (const type of Object.keys(definition.on)) {
    if (definition.correlate[type] === undefined) {
      throw new SagaDefinitionError(
        `Process manager "${definition.name}" reacts to "${type}" but cannot correlate it: add correlate["${type}"].`,
      );
    }
  }
  for (const type of definition.startedBy) {
    if (definition.on[type] === undefined) {
      throw new SagaDefinitionError(
        `Process manager "${definition.name}" is started by "${type}" without a reaction: add on["${type}"].`,
      );
    }
  }
  return definition;
}
