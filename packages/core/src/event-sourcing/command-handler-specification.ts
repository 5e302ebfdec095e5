import { deepStrictEqual } from 'node:assert/strict';
import { acceptedInstead, assertExpectedError, type ExpectedError } from './expected-error.js';
import { commandHandler, type CommandResult } from './command-handler.js';
import type { Decider, DomainEvent } from './decider.js';
import type { EventStore } from './event-store.js';
import { createMemoryEventStore } from '../memory/memory-event-store.js';

export interface CommandHandlerSpecificationOptions<TState, TCommand, TEvent extends DomainEvent> {
  readonly decider: Decider<TState, TCommand, TEvent>;
  /** A fresh store per case. Default: a new memory event store. */
  readonly createStore?: () => EventStore | Promise<EventStore>;
  /** Stream the history is written to and the command runs against. Default `'spec-1'`. */
  readonly streamId?: string;
}

/** The outcome checks of one `given(...).when(...)` case; each runs the case and resolves or throws. */
export interface CommandHandlerThen<TState, TEvent> {
  /** The command appended exactly these events (`type` and `data` compared, in order). */
  then(expected: TEvent | readonly TEvent[]): Promise<void>;
  /** The command left the stream in this state. */
  thenState(expected: TState): Promise<void>;
  /** The command appended nothing. */
  thenNothingHappened(): Promise<void>;
  /** The command was rejected (optionally with an instance of the class, or matching the predicate). */
  thenThrows(expected?: ExpectedError): Promise<void>;
}

/**
 * Given/when/then tests through a real event store and `commandHandler`: the history is appended
 * first, the command then runs exactly as in production (load, decide, append with the expected
 * version). Failures throw Node's `AssertionError`.
 *
 * ```ts
 * const spec = commandHandlerSpecification({ decider: cart });
 * await spec.given([{ type: 'Added', data: { sku: 'a' } }]).when({ type: 'CheckOut' })
 *   .then({ type: 'CheckedOut', data: {} });
 * ```
 */
export function commandHandlerSpecification<TState, TCommand, TEvent extends DomainEvent>(
  options: CommandHandlerSpecificationOptions<TState, TCommand, TEvent>,
): { given(history: readonly TEvent[]): { when(command: TCommand): CommandHandlerThen<TState, TEvent> } } {
  const streamId = options.streamId ?? 'spec-1';
  const run = async (history: readonly TEvent[], command: TCommand): Promise<CommandResult<TState>> => {
    const store = await (options.createStore ?? createMemoryEventStore)();
    try {
      if (history.length > 0) await store.append(streamId, history);
      return await commandHandler({ store, decider: options.decider })(streamId, command);
    } finally {
      await store.close();
    }
  };
  const shape = (events: readonly DomainEvent[]) =>
    events.map((event) => ({ type: event.type, data: event.data }));

  return {
    given: (history) => ({
      when: (command) => ({
        async then(expected) {
          const result = await run(history, command);
          deepStrictEqual(shape(result.newEvents), shape(Array.isArray(expected) ? expected : [expected]));
        },
        async thenState(expected) {
          deepStrictEqual((await run(history, command)).state, expected);
        },
        async thenNothingHappened() {
          deepStrictEqual(shape((await run(history, command)).newEvents), []);
        },
        async thenThrows(expected) {
          let result: CommandResult<TState>;
          try {
            result = await run(history, command);
          } catch (error) {
            assertExpectedError(error, expected);
            return;
          }
          throw acceptedInstead(shape(result.newEvents));
        },
      }),
    }),
  };
}
