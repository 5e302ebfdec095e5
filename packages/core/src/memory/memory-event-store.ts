import { randomUUID } from 'node:crypto';
import { ClosedError } from '../errors/errors.js';
import { EventIdConflictError, StreamDeletedError } from '../event-sourcing/errors.js';
import { assertDeleteMode, assertNewEvents, assertReadCount } from '../event-sourcing/event-store-input.js';
import type {
  AppendOptions,
  AppendResult,
  DeleteStreamOptions,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  ReadStreamResult,
  RecordedEvent,
  StreamMetadata,
} from '../event-sourcing/event-store.js';
import { assertExpectedVersion, checkExpectedVersion } from '../event-sourcing/expected-version.js';
import { assertStreamId, categoryOf } from '../event-sourcing/stream-name.js';
import { assertStreamMetadata, isRetained } from '../event-sourcing/stream-metadata.js';

export interface MemoryEventStoreOptions {
  /** Clock for `recordedAt` and `maxAgeMs`, epoch ms. Default `Date.now`. Tests pass a fake one. */
  readonly now?: () => number;
}

interface StreamState {
  readonly events: RecordedEvent[];
  readonly indexById: Map<string, number>;
  metadata: StreamMetadata;
  tombstoned: boolean;
}

export const DEFAULT_READ_ALL_LIMIT = 1000;

/** Index of the first event at or after `position` in a list sorted by global position. */
function firstAtOrAfter(events: readonly RecordedEvent[], position: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (events[middle]!.globalPosition < position) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The in-memory event store: the reference implementation of the `EventStore` port, for tests,
 * examples and `eddy dev`. Data is copied in and out (`structuredClone`) so callers cannot change
 * what is stored. Every operation is atomic; nothing survives the process.
 */
export function createMemoryEventStore(options: MemoryEventStoreOptions = {}): EventStore {
  const now = options.now ?? Date.now;
  const streams = new Map<string, StreamState>();
  const log: RecordedEvent[] = [];
  // Per-category logs, so a category subscription does not scan every other category's events.
  const categories = new Map<string, RecordedEvent[]>();
  const listeners = new Set<() => void>();
  let closed = false;

  const open = (): void => {
    if (closed) throw new ClosedError('This memory event store');
  };
  const currentVersionOf = (stream: StreamState | undefined): number =>
    stream?.events.at(-1)?.streamVersion ?? 0;
  const readable = (stream: StreamState, event: RecordedEvent, at: number): boolean =>
    !stream.tombstoned && isRetained(event, stream.metadata, currentVersionOf(stream), at);
  const existsNow = (stream: StreamState | undefined, at: number): boolean => {
    const last = stream?.events.at(-1);
    return stream !== undefined && last !== undefined && readable(stream, last, at);
  };
  const stateOf = (streamId: string): StreamState => {
    let stream = streams.get(streamId);
    if (stream === undefined) {
      stream = { events: [], indexById: new Map(), metadata: {}, tombstoned: false };
      streams.set(streamId, stream);
    }
    return stream;
  };
  const resultOf = (events: readonly RecordedEvent[]): AppendResult => {
    const last = events.at(-1)!;
    return {
      nextExpectedVersion: last.streamVersion,
      lastGlobalPosition: last.globalPosition,
      events: structuredClone(events),
    };
  };

  /** The original result when `events` exactly retries an earlier append, else undefined. */
  const retried = (
    streamId: string,
    stream: StreamState,
    events: readonly NewEvent[],
  ): AppendResult | undefined => {
    const withIds = events.filter((event) => event.id !== undefined && stream.indexById.has(event.id));
    if (withIds.length === 0) return undefined;
    const start = stream.indexById.get(events[0]?.id ?? '');
    if (withIds.length !== events.length || start === undefined) {
      throw new EventIdConflictError(streamId, withIds[0]!.id!);
    }
    const originals = stream.events.slice(start, start + events.length);
    events.forEach((event, i) => {
      const original = originals[i];
      if (original === undefined || original.id !== event.id || original.type !== event.type) {
        throw new EventIdConflictError(streamId, event.id!);
      }
    });
    return resultOf(originals);
  };

  return {
    async append(streamId: string, events: readonly NewEvent[], appendOptions: AppendOptions = {}) {
      await Promise.resolve();
      open();
      assertStreamId(streamId);
      assertNewEvents(events);
      const expected = appendOptions.expectedVersion ?? 'any';
      assertExpectedVersion(expected);
      const stream = streams.get(streamId);
      if (stream?.tombstoned === true) throw new StreamDeletedError(streamId);
      if (stream !== undefined) {
        const original = retried(streamId, stream, events);
        if (original !== undefined) return original;
      }
      const at = now();
      checkExpectedVersion(streamId, expected, {
        currentVersion: currentVersionOf(stream),
        exists: existsNow(stream, at),
      });
      const target = stateOf(streamId);
      let version = currentVersionOf(target);
      const recorded = events.map((event, i): RecordedEvent => ({
        id: event.id ?? randomUUID(),
        type: event.type,
        data: structuredClone(event.data),
        metadata: structuredClone(event.metadata ?? {}),
        schemaVersion: event.schemaVersion ?? 1,
        streamId,
        streamVersion: ++version,
        globalPosition: log.length + 1 + i,
        recordedAt: at,
      }));
      for (const event of recorded) {
        target.indexById.set(event.id, target.events.length);
        target.events.push(event);
        log.push(event);
        const category = categoryOf(streamId);
        let categoryLog = categories.get(category);
        if (categoryLog === undefined) categories.set(category, (categoryLog = []));
        categoryLog.push(event);
      }
      for (const listener of listeners) queueMicrotask(listener);
      return resultOf(recorded);
    },

    async readStream(streamId: string, readOptions: ReadStreamOptions = {}): Promise<ReadStreamResult> {
      await Promise.resolve();
      open();
      assertStreamId(streamId);
      assertReadCount('limit', readOptions.limit);
      assertReadCount('fromVersion', readOptions.fromVersion);
      const stream = streams.get(streamId);
      if (stream?.tombstoned === true) throw new StreamDeletedError(streamId);
      const currentVersion = currentVersionOf(stream);
      const at = now();
      const limit = readOptions.limit ?? Number.MAX_SAFE_INTEGER;
      const selected: RecordedEvent[] = [];
      if (stream !== undefined) {
        const backward = readOptions.direction === 'backward';
        const requested = readOptions.fromVersion ?? (backward ? currentVersion : 1);
        // Forward from 0 means from the start; backward from past the end means from the end.
        const from = backward ? Math.min(requested, currentVersion) : Math.max(requested, 1);
        // Versions are dense from 1, so version v sits at index v - 1.
        for (
          let index = from - 1;
          index >= 0 && index < stream.events.length && selected.length < limit;
          index += backward ? -1 : 1
        ) {
          const event = stream.events[index]!;
          if (readable(stream, event, at)) selected.push(event);
        }
      }
      return { events: structuredClone(selected), currentVersion, exists: existsNow(stream, at) };
    },

    async readAll(readOptions: ReadAllOptions = {}): Promise<RecordedEvent[]> {
      await Promise.resolve();
      open();
      assertReadCount('limit', readOptions.limit);
      assertReadCount('fromPosition', readOptions.fromPosition);
      const limit = readOptions.limit ?? DEFAULT_READ_ALL_LIMIT;
      const at = now();
      const fromPosition = readOptions.fromPosition ?? 0;
      const source = readOptions.category === undefined ? log : (categories.get(readOptions.category) ?? []);
      const selected: RecordedEvent[] = [];
      for (let index = firstAtOrAfter(source, fromPosition); index < source.length; index++) {
        if (selected.length >= limit) break;
        const event = source[index]!;
        if (readable(streams.get(event.streamId)!, event, at)) selected.push(event);
      }
      return structuredClone(selected);
    },

    async getStreamMetadata(streamId: string): Promise<StreamMetadata> {
      await Promise.resolve();
      open();
      assertStreamId(streamId);
      return structuredClone(streams.get(streamId)?.metadata ?? {});
    },

    async setStreamMetadata(streamId: string, metadata: StreamMetadata): Promise<void> {
      await Promise.resolve();
      open();
      assertStreamId(streamId);
      assertStreamMetadata(metadata);
      const stream = stateOf(streamId);
      if (stream.tombstoned) throw new StreamDeletedError(streamId);
      stream.metadata = structuredClone(metadata);
    },

    async deleteStream(streamId: string, deleteOptions: DeleteStreamOptions = {}): Promise<void> {
      await Promise.resolve();
      open();
      assertStreamId(streamId);
      const expected = deleteOptions.expectedVersion ?? 'any';
      assertExpectedVersion(expected);
      const mode = deleteOptions.mode ?? 'soft';
      assertDeleteMode(mode);
      const existing = streams.get(streamId);
      if (existing?.tombstoned === true) return;
      const currentVersion = currentVersionOf(existing);
      checkExpectedVersion(streamId, expected, { currentVersion, exists: existsNow(existing, now()) });
      const stream = stateOf(streamId);
      if (mode === 'tombstone') stream.tombstoned = true;
      else stream.metadata = { ...stream.metadata, truncateBefore: currentVersion + 1 };
    },

    onAppended(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async close(): Promise<void> {
      closed = true;
      listeners.clear();
      await Promise.resolve();
    },
  };
}
