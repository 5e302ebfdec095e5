import { deepStrictEqual } from 'node:assert/strict';
import { acceptedInstead, assertExpectedError, type ExpectedError } from './expected-error.js';
import { decidedEvents, type Decider, type DomainEvent } from './decider.js';

/** The outcome checks of one `given(...).when(...)` case. */
export interface DeciderThen<TEvent> {
  /** The command produced exactly these events (deep equality, in order). */
  then(expected: TEvent | readonly TEvent[]): void;
  /** The command produced no events. */
  thenNothingHappened(): void;
  /**
   * The command was rejected. With an error class, the error must be an instance of it; with a
   * predicate, the predicate must return true.
   */
  thenThrows(expected?: ExpectedError): void;
}

export interface DeciderSpecification<TCommand, TEvent> {
  given(events: readonly TEvent[]): { when(command: TCommand): DeciderThen<TEvent> };
}

/**
 * Given/when/then tests for a decider, runnable with any test runner: failures throw Node's
 * `AssertionError`, which runners show with a diff.
 *
 * ```ts
 * const spec = deciderSpecification(counterDecider);
 * spec.given([{ type: 'Incremented', data: { by: 1 } }]).when({ type: 'Increment', by: 2 })
 *   .then([{ type: 'Incremented', data: { by: 2 } }]);
 * ```
 */
export function deciderSpecification<TState, TCommand, TEvent extends DomainEvent>(
  decider: Decider<TState, TCommand, TEvent>,
): DeciderSpecification<TCommand, TEvent> {
  return {
    given: (events) => ({
      when: (command) => {
        const run = (): readonly TEvent[] => {
          const state = events.reduce(decider.evolve, decider.initialState());
          return decidedEvents(decider.decide(command, state));
        };
        return {
          then(expected) {
            deepStrictEqual(run(), Array.isArray(expected) ? expected : [expected]);
          },
          thenNothingHappened() {
            deepStrictEqual(run(), []);
          },
          thenThrows(expected) {
            let produced: readonly TEvent[];
            try {
              produced = run();
            } catch (error) {
              assertExpectedError(error, expected);
              return;
            }
            throw acceptedInstead(produced);
          },
        };
      },
    }),
  };
}
