/**
 * An event to append. `id` makes appends idempotent: retrying an append whose event ids are
 * already in the stream returns the original result and writes nothing.
 */
export interface NewEvent<TType extends string = string, TData = unknown> {
  /** Unique within the stream. Default `crypto.randomUUID()`. Pass your own to make retries idempotent. */
  readonly id?: string;
  readonly type: TType;
  readonly data: TData;
  /** Free-form metadata (correlation, causation, user...). Default `{}`. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Version of `data`'s shape, for upcasting on read. Integer >= 1, default 1. */
  readonly schemaVersion?: number;
}

/** An event as stored and read back. */
export interface RecordedEvent<TType extends string = string, TData = unknown> {
  readonly id: string;
  readonly type: TType;
  readonly data: TData;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly schemaVersion: number;
  readonly streamId: string;
  /** Position in its stream: 1 for the first event, then 2, 3... Never reused, even after truncation. */
  readonly streamVersion: number;
  /** Position in the store's global order, >= 1 and strictly increasing in commit order; gaps are allowed. */
  readonly globalPosition: number;
  /** When the store recorded the event, epoch milliseconds. */
  readonly recordedAt: number;
}

/**
 * Optimistic concurrency for `append`:
 * - `'any'`: no check.
 * - `'no_stream'`: the stream has no readable events (never written, or soft-deleted).
 * - `'stream_exists'`: the stream has at least one readable event.
 * - a number: the stream's current version is exactly this (0 for a stream never written).
 */
export type ExpectedVersion = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendOptions {
  /** Default `'any'`. */
  readonly expectedVersion?: ExpectedVersion;
}

export interface AppendResult {
  /** The stream's version after the append: pass it as `expectedVersion` for the next one. */
  readonly nextExpectedVersion: number;
  /** Global position of the last appended event. */
  readonly lastGlobalPosition: number;
  /** The events as recorded, in order. On an idempotent retry, the originals. */
  readonly events: readonly RecordedEvent[];
}

export interface ReadStreamOptions {
  /** Default `'forward'`. */
  readonly direction?: 'forward' | 'backward';
  /**
   * First version to return (inclusive). Default: 1 forward, the current version backward.
   * Forward from 0 reads from the start; backward from beyond the current version reads from the end.
   */
  readonly fromVersion?: number;
  /** Most events to return. Default: all. */
  readonly limit?: number;
}

export interface ReadStreamResult {
  readonly events: readonly RecordedEvent[];
  /** Version of the last event ever appended (0 when never written), whether or not it is still readable. */
  readonly currentVersion: number;
  /** False when the stream has no readable events (never written, soft-deleted, or all expired). */
  readonly exists: boolean;
}

export interface ReadAllOptions {
  /** First global position to return (inclusive). Default 0: from the start. */
  readonly fromPosition?: number;
  /** Most events to return. Default 1000. */
  readonly limit?: number;
  /** Only events of streams in this category (`order` matches `order-1`, `order-2`...). */
  readonly category?: string;
}

/**
 * Per-stream settings. Events outside `maxAgeMs`/`maxCount`, or before `truncateBefore`, are no
 * longer returned by any read (the store may delete them at any time).
 */
export interface StreamMetadata {
  /** Keep events younger than this. */
  readonly maxAgeMs?: number;
  /** Keep only the latest N events. */
  readonly maxCount?: number;
  /** Versions below this are removed (what a soft delete sets). */
  readonly truncateBefore?: number;
  /** Application-defined values, stored as given. */
  readonly custom?: Readonly<Record<string, unknown>>;
}

export interface DeleteStreamOptions {
  /** Default `'any'`. */
  readonly expectedVersion?: ExpectedVersion;
  /**
   * `'soft'` (default): events become unreadable, versions continue if the stream is written again.
   * `'tombstone'`: permanent; every later read or append of the stream fails with `StreamDeletedError`.
   */
  readonly mode?: 'soft' | 'tombstone';
}

/**
 * The event store port. Small on purpose: append, two reads, and the metadata operations that
 * retention and deletion need. Semantics are proven by `describeEventStoreConformance` in
 * `@eddy/conformance`; memory (here), SQLite and PostgreSQL implement it.
 */
export interface EventStore {
  /**
   * Appends events atomically after checking `expectedVersion`; throws `WrongExpectedVersionError`
   * (`EDDY_WRONG_EXPECTED_VERSION`) carrying expected and actual on conflict, and nothing is written.
   * Retrying with event ids already in the stream at the same positions returns the original result.
   */
  append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** Reads one stream forward or backward. Throws `StreamDeletedError` for a tombstoned stream. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<ReadStreamResult>;
  /** Reads every stream's readable events in global order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Metadata of a stream, `{}` when none was set. */
  getStreamMetadata(streamId: string): Promise<StreamMetadata>;
  /** Replaces a stream's metadata. */
  setStreamMetadata(streamId: string, metadata: StreamMetadata): Promise<void>;
  /** Soft-deletes or tombstones a stream. Deleting a tombstoned stream again is a no-op. */
  deleteStream(streamId: string, options?: DeleteStreamOptions): Promise<void>;
  /**
   * Optional: calls `listener` after each append, so subscriptions wake at once instead of polling.
   * Returns a function that removes the listener.
   */
  onAppended?(listener: () => void): () => void;
  /** Releases connections or timers. Idempotent. */
  close(): Promise<void>;
}
