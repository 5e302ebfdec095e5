/** A stream's state saved at a version, so loading reads only the events after it. */
export interface Snapshot<TState = unknown> {
  readonly streamId: string;
  /** Stream version the state includes. */
  readonly version: number;
  readonly state: TState;
  /**
   * Version of the state's shape. Bump it when the state type changes: snapshots with another
   * version are discarded on load and the state is rebuilt from events.
   */
  readonly schemaVersion: number;
  /** When the snapshot was taken, epoch ms. */
  readonly takenAt: number;
}

/** Keeps the latest snapshot per stream. Memory here; SQLite and PostgreSQL in their packages. */
export interface SnapshotStore {
  load(streamId: string): Promise<Snapshot | undefined>;
  /** Replaces the stream's snapshot, unless the stored one has a higher version. */
  save(snapshot: Snapshot): Promise<void>;
  delete(streamId: string): Promise<void>;
}

/** What a snapshot policy sees after a command appended events. */
export interface SnapshotContext<TState> {
  readonly streamId: string;
  /** Stream version after the append. */
  readonly version: number;
  /** Events appended since the snapshot the state was loaded from (or since the stream began). */
  readonly eventsSinceSnapshot: number;
  readonly state: TState;
}

/** Decides whether to take a snapshot now. */
export type SnapshotPolicy<TState> = (context: SnapshotContext<TState>) => boolean;

/** Snapshot once at least `n` events were appended since the last one. */
export function everyNEvents(n: number): SnapshotPolicy<unknown> {
  return (context) => context.eventsSinceSnapshot >= n;
}

export interface SnapshotOptions<TState> {
  readonly store: SnapshotStore;
  /** When to take one. */
  readonly policy: SnapshotPolicy<TState>;
  /** Shape version of the state; snapshots with another one are discarded. Default 1. */
  readonly schemaVersion?: number;
  /**
   * Called when saving a snapshot fails. The command has succeeded by then, so the failure is not
   * thrown; default: ignored (the next load simply reads more events).
   */
  readonly onError?: (error: unknown) => void;
}
