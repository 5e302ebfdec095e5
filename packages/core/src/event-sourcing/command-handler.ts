import { setTimeout as delay } from 'node:timers/promises';
import { backoffDelayMs } from '../shared/backoff.js';
import { InvalidOptionError } from '../errors/errors.js';
import { aggregateStream } from './aggregate-stream.js';
import { decidedEvents, type Decider, type DomainEvent } from './decider.js';
import { WrongExpectedVersionError } from './errors.js';
import type { EventStore, ExpectedVersion, NewEvent, RecordedEvent } from './event-store.js';
import type { SnapshotOptions } from './snapshot-store.js';

export interface CommandRetryOptions {
  /** Attempts in total, the first included. Default 10. */
  readonly maxAttempts?: number;
  /** Backoff base: attempt n waits a random time up to `baseDelayMs * 2^n` (full jitter). Default 5 ms. */
  readonly baseDelayMs?: number;
  /** Cap of one wait. Default 200 ms. */
  readonly maxDelayMs?: number;
}

export interface CommandHandlerOptions<TState, TCommand, TEvent extends DomainEvent> {
  readonly store: EventStore;
  readonly decider: Decider<TState, TCommand, TEvent>;
  /** Load from and take snapshots. Default: none. */
  readonly snapshots?: SnapshotOptions<TState>;
  /**
   * On `WrongExpectedVersionError`, reload the stream, decide again and append again. Default: no
   * retry, the error is thrown. `true` means the defaults of `CommandRetryOptions`.
   */
  readonly retry?: boolean | CommandRetryOptions;
}

export interface HandleOptions {
  /**
   * Check against this version instead of the loaded one (e.g. the version a client saw). A
   * conflict is then never retried: the client's view is stale.
   */
  readonly expectedVersion?: ExpectedVersion;
  /** Merged into every new event's metadata (event metadata wins). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface CommandResult<TState> {
  /** State after the new events. */
  readonly state: TState;
  readonly newEvents: readonly RecordedEvent[];
  /** Stream version after the command: the `expectedVersion` of the next one. */
  readonly nextExpectedVersion: number;
  /** How many attempts it took (1 without conflicts). */
  readonly attempts: number;
}

export type CommandHandler<TState, TCommand> = (
  streamId: string,
  command: TCommand,
  options?: HandleOptions,
) => Promise<CommandResult<TState>>;

function retrySettings(retry: boolean | CommandRetryOptions | undefined): Required<CommandRetryOptions> {
  if (retry === undefined || retry === false) return { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
  const options = retry === true ? {} : retry;
  const settings = {
    maxAttempts: options.maxAttempts ?? 10,
    baseDelayMs: options.baseDelayMs ?? 5,
    maxDelayMs: options.maxDelayMs ?? 200,
  };
  if (!Number.isSafeInteger(settings.maxAttempts) || settings.maxAttempts < 1) {
    throw new InvalidOptionError(`retry.maxAttempts must be an integer >= 1, got ${settings.maxAttempts}.`);
  }
  return settings;
}

/**
 * Wires a decider to a store: load the stream (from a snapshot when configured), decide, append
 * with the loaded version as `expectedVersion`, evolve the new events, and take a snapshot when
 * the policy says so. With `retry`, a concurrent writer's conflict reloads and decides again, so no
 * update is lost; errors thrown by `decide` are never retried.
 */
export function commandHandler<TState, TCommand, TEvent extends DomainEvent>(
  options: CommandHandlerOptions<TState, TCommand, TEvent>,
): CommandHandler<TState, TCommand> {
  const { store, decider, snapshots } = options;
  const retry = retrySettings(options.retry);

  const attempt = async (
    streamId: string,
    command: TCommand,
    handleOptions: HandleOptions,
  ): Promise<Omit<CommandResult<TState>, 'attempts'>> => {
    const loaded = await aggregateStream(store, streamId, {
      evolve: decider.evolve,
      initialState: decider.initialState,
      ...(snapshots === undefined ? {} : { snapshots }),
    });
    const decided = decidedEvents(decider.decide(command, loaded.state));
    if (decided.length === 0) {
      return { state: loaded.state, newEvents: [], nextExpectedVersion: loaded.version };
    }
    const events: NewEvent[] = decided.map((event) => ({
      ...event,
      metadata: { ...handleOptions.metadata, ...event.metadata },
    }));
    const appended = await store.append(streamId, events, {
      expectedVersion: handleOptions.expectedVersion ?? loaded.version,
    });
    let state = loaded.state;
    for (const event of appended.events) state = decider.evolve(state, event as unknown as TEvent);
    if (snapshots !== undefined) {
      const context = {
        streamId,
        version: appended.nextExpectedVersion,
        eventsSinceSnapshot: appended.nextExpectedVersion - loaded.snapshotVersion,
        state,
      };
      if (snapshots.policy(context)) {
        try {
          await snapshots.store.save({
            streamId,
            version: appended.nextExpectedVersion,
            state,
            schemaVersion: snapshots.schemaVersion ?? 1,
            takenAt: Date.now(),
          });
        } catch (error) {
          snapshots.onError?.(error);
        }
      }
    }
    return { state, newEvents: appended.events, nextExpectedVersion: appended.nextExpectedVersion };
  };

  return async (streamId, command, handleOptions = {}) => {
    const maxAttempts = handleOptions.expectedVersion === undefined ? retry.maxAttempts : 1;
    for (let attempts = 1; ; attempts++) {
      try {
        return { ...(await attempt(streamId, command, handleOptions)), attempts };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempts >= maxAttempts) throw error;
        await delay(backoffDelayMs(attempts + 1, retry));
      }
    }
  };
}
