import { InvalidOptionError } from '../errors/errors.js';
import type { DomainEvent } from './decider.js';
import type { EventStore } from './event-store.js';
import type { SnapshotOptions } from './snapshot-store.js';

/** A point in a stream's history: a version (inclusive) or a time (events recorded at or before it). */
export type AsOf = { readonly version: number } | { readonly time: number | Date };

export interface AggregateStreamOptions<TState, TEvent extends DomainEvent> {
  readonly evolve: (state: TState, event: TEvent) => TState;
  readonly initialState: () => TState;
  /** Fold only up to this point: "what was the state at version N / at time T". Default: all events. */
  readonly asOf?: AsOf;
  /** Start from the latest snapshot when one matches (ignored with `asOf`). */
  readonly snapshots?: SnapshotOptions<TState>;
  /** Events read per round trip. Default 500. */
  readonly pageSize?: number;
}

export interface AggregateStreamResult<TState> {
  readonly state: TState;
  /**
   * The stream's current version (without `asOf`), to pass as `expectedVersion`; with `asOf`, the
   * version of the last event folded (0 when none).
   */
  readonly version: number;
  /** Whether any event was folded (snapshot included). */
  readonly exists: boolean;
  /** Version of the snapshot the state started from, 0 when none. */
  readonly snapshotVersion: number;
}

function asOfTime(asOf: AsOf | undefined): number | undefined {
  if (asOf === undefined || !('time' in asOf)) return undefined;
  const time = asOf.time instanceof Date ? asOf.time.getTime() : asOf.time;
  if (!Number.isFinite(time)) throw new InvalidOptionError('asOf.time must be a Date or epoch milliseconds.');
  return time;
}

/**
 * Loads a stream's state by folding its events with `evolve`, starting from the latest snapshot
 * when configured; or, with `asOf`, the state it had at a version or a point in time.
 */
export async function aggregateStream<TState, TEvent extends DomainEvent>(
  store: EventStore,
  streamId: string,
  options: AggregateStreamOptions<TState, TEvent>,
): Promise<AggregateStreamResult<TState>> {
  const pageSize = options.pageSize ?? 500;
  const untilVersion =
    options.asOf !== undefined && 'version' in options.asOf ? options.asOf.version : undefined;
  if (untilVersion !== undefined && (!Number.isSafeInteger(untilVersion) || untilVersion < 0)) {
    throw new InvalidOptionError(`asOf.version must be an integer >= 0, got ${untilVersion}.`);
  }
  const untilTime = asOfTime(options.asOf);

  let state = options.initialState();
  let snapshotVersion = 0;
  let exists = false;
  if (options.snapshots !== undefined && options.asOf === undefined) {
    const wanted = options.snapshots.schemaVersion ?? 1;
    const snapshot = await options.snapshots.store.load(streamId);
    // A snapshot below the stream's truncation point holds events a soft delete removed.
    const truncateBefore =
      snapshot === undefined ? undefined : (await store.getStreamMetadata(streamId)).truncateBefore;
    const stale = snapshot !== undefined && truncateBefore !== undefined && snapshot.version < truncateBefore;
    if (snapshot !== undefined && snapshot.schemaVersion === wanted && !stale) {
      state = snapshot.state as TState;
      snapshotVersion = snapshot.version;
      exists = true;
    } else if (snapshot !== undefined) {
      // The state's shape changed, or the stream was soft-deleted, since this snapshot was taken.
      await options.snapshots.store.delete(streamId);
    }
  }

  let lastFolded = snapshotVersion;
  let currentVersion = snapshotVersion;
  let from = snapshotVersion + 1;
  for (;;) {
    const limit = untilVersion === undefined ? pageSize : Math.min(pageSize, untilVersion - from + 1);
    if (limit <= 0) break;
    const page = await store.readStream(streamId, { fromVersion: from, limit });
    currentVersion = page.currentVersion;
    let reachedTime = false;
    for (const event of page.events) {
      if (untilTime !== undefined && event.recordedAt > untilTime) {
        reachedTime = true;
        break;
      }
      state = options.evolve(state, event as unknown as TEvent);
      lastFolded = event.streamVersion;
      exists = true;
    }
    if (reachedTime || page.events.length < limit) break;
    from = page.events.at(-1)!.streamVersion + 1;
  }
  return {
    state,
    version: options.asOf === undefined ? Math.max(currentVersion, lastFolded) : lastFolded,
    exists,
    snapshotVersion,
  };
}
