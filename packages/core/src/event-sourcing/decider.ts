/** What a decider emits and folds: an event's type and data, plus what `NewEvent` allows. */
export interface DomainEvent<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly data: TData;
  readonly id?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly schemaVersion?: number;
}

/**
 * The decider pattern: business rules as three pure functions.
 * - `decide` turns a command and the current state into new events (or throws to reject it).
 * - `evolve` folds one event into the state.
 * - `initialState` is the state of a stream with no events.
 * `evolve` also receives events read back from the store, which carry more fields
 * (`streamVersion`, `recordedAt`...); it should read `type` and `data` only.
 */
export interface Decider<TState, TCommand, TEvent extends DomainEvent> {
  readonly decide: (command: TCommand, state: TState) => TEvent | readonly TEvent[];
  readonly evolve: (state: TState, event: TEvent) => TState;
  readonly initialState: () => TState;
}

/** `decide`'s result as an array. */
export function decidedEvents<TEvent>(result: TEvent | readonly TEvent[]): readonly TEvent[] {
  return Array.isArray(result) ? (result as readonly TEvent[]) : [result as TEvent];
}
