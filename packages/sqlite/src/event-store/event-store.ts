import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import {
  categoryOf,
  EventIdConflictError,
  StreamDeletedError,
  type AppendOptions,
  type AppendResult,
  type DeleteStreamOptions,
  type EventStore,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ReadStreamResult,
  type RecordedEvent,
  type StreamMetadata,
} from '@eddy/core/event-sourcing';
import {
  assertExpectedVersion,
  assertStreamId,
  assertStreamMetadata,
  checkExpectedVersion,
  isRetained,
  assertDeleteMode,
  assertNewEvents,
  assertReadCount,
  inlineProjectionEvents,
  inlineProjectionFailed,
} from '@eddy/core/internal';
import { describeTarget, resolveStoreDatabase } from '../connection.js';
import { guardedCalls } from '../errors.js';
import { migrateEventStore, tablesFor } from './schema.js';
import type { SqliteInlineProjection } from './inline-projection.js';

export interface SqliteEventStoreOptions {
  /**
   * An open better-sqlite3 database (shared with your read models, so inline projections write in
   * the append's transaction), or a file path to open in WAL mode.
   */
  readonly database: Database | string;
  /** Prefix of the store's tables. Default `eddy_es_`. */
  readonly tablePrefix?: string;
  /** How long a write waits for another process's lock, ms (path only). Default 5 000. */
  readonly busyTimeoutMs?: number;
  /** Read models written inside each append's transaction. Default none. */
  readonly inlineProjections?: readonly SqliteInlineProjection[];
  /** Clock for `recordedAt` and `maxAgeMs`, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** The SQLite `EventStore` and the database it writes to. */
export interface SqliteEventStore extends EventStore {
  readonly database: Database;
}

interface StreamRow {
  readonly current_version: number;
  readonly last_recorded_at: number | null;
  readonly max_age_ms: number | null;
  readonly max_count: number | null;
  readonly truncate_before: number | null;
  readonly custom: string | null;
  readonly tombstoned: number;
}

interface EventRow {
  readonly global_position: number;
  readonly stream_id: string;
  readonly stream_version: number;
  readonly event_id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  readonly schema_version: number;
  readonly recorded_at: number;
}

const toRecorded = (row: EventRow): RecordedEvent => ({
  id: row.event_id,
  type: row.type,
  data: JSON.parse(row.data) as unknown,
  metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  schemaVersion: row.schema_version,
  streamId: row.stream_id,
  streamVersion: row.stream_version,
  globalPosition: row.global_position,
  recordedAt: row.recorded_at,
});

function metadataOf(row: StreamRow | undefined): StreamMetadata {
  if (row === undefined) return {};
  return {
    ...(row.max_age_ms === null ? {} : { maxAgeMs: row.max_age_ms }),
    ...(row.max_count === null ? {} : { maxCount: row.max_count }),
    ...(row.truncate_before === null ? {} : { truncateBefore: row.truncate_before }),
    ...(row.custom === null ? {} : { custom: JSON.parse(row.custom) as Record<string, unknown> }),
  };
}

/** Whether the stream has readable events: its last event is still retained. */
function existsNow(row: StreamRow | undefined, now: number): boolean {
  if (row === undefined || row.tombstoned === 1 || row.current_version === 0) return false;
  return isRetained(
    { streamVersion: row.current_version, recordedAt: row.last_recorded_at ?? 0 },
    metadataOf(row),
    row.current_version,
    now,
  );
}

const resultOf = (events: readonly RecordedEvent[]): AppendResult => ({
  nextExpectedVersion: events.at(-1)!.streamVersion,
  lastGlobalPosition: events.at(-1)!.globalPosition,
  events,
});

/**
 * `EventStore` on SQLite. Appends run in `BEGIN IMMEDIATE` transactions: SQLite has one writer at
 * a time, so global positions commit in order and a reader never sees position p before a lower
 * one (no event is skipped by a subscription). Retention rules are applied in SQL on every read.
 */
export function createSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  const { db, owned } = resolveStoreDatabase(options.database, { busyTimeoutMs: options.busyTimeoutMs });
  const t = tablesFor(options.tablePrefix);
  const now = options.now ?? Date.now;
  const projections = options.inlineProjections ?? [];
  migrateEventStore(db, t);

  // The three retention rules of isRetained, in SQL; `?` is the current time.
  const readable = `s.tombstoned = 0
    AND (s.truncate_before IS NULL OR e.stream_version >= s.truncate_before)
    AND (s.max_count IS NULL OR e.stream_version > s.current_version - s.max_count)
    AND (s.max_age_ms IS NULL OR ? - e.recorded_at < s.max_age_ms)`;
  const columns = `e.global_position, e.stream_id, e.stream_version, e.event_id, e.type, e.data, e.metadata,
    e.schema_version, e.recorded_at`;
  const selectStream = db.prepare<[string], StreamRow>(`SELECT * FROM ${t.streams} WHERE stream_id = ?`);
  const selectVersionOfId = db.prepare<[string, string], { stream_version: number }>(
    `SELECT stream_version FROM ${t.events} WHERE stream_id = ? AND event_id = ?`,
  );
  const selectRange = db.prepare<[string, number, number], EventRow>(
    `SELECT ${columns} FROM ${t.events} e WHERE stream_id = ? AND stream_version BETWEEN ? AND ? ORDER BY stream_version`,
  );
  const insertEvent = db.prepare<[string, number, string, string, string, string, string, number, number]>(
    `INSERT INTO ${t.events} (stream_id, stream_version, category, event_id, type, data, metadata, schema_version, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const upsertVersion = db.prepare<[string, number, number]>(
    `INSERT INTO ${t.streams} (stream_id, current_version, last_recorded_at) VALUES (?, ?, ?)
     ON CONFLICT (stream_id) DO UPDATE SET current_version = excluded.current_version, last_recorded_at = excluded.last_recorded_at`,
  );
  const upsertMetadata = db.prepare<[string, number | null, number | null, number | null, string | null]>(
    `INSERT INTO ${t.streams} (stream_id, max_age_ms, max_count, truncate_before, custom) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (stream_id) DO UPDATE SET max_age_ms = excluded.max_age_ms, max_count = excluded.max_count,
       truncate_before = excluded.truncate_before, custom = excluded.custom`,
  );
  const tombstone = db.prepare<[string]>(
    `INSERT INTO ${t.streams} (stream_id, tombstoned) VALUES (?, 1)
     ON CONFLICT (stream_id) DO UPDATE SET tombstoned = 1`,
  );
  const readForward = db.prepare<[string, number, number, number], EventRow>(
    `SELECT ${columns} FROM ${t.events} e JOIN ${t.streams} s ON s.stream_id = e.stream_id
     WHERE e.stream_id = ? AND e.stream_version >= ? AND ${readable} ORDER BY e.stream_version LIMIT ?`,
  );
  const readBackward = db.prepare<[string, number, number, number], EventRow>(
    `SELECT ${columns} FROM ${t.events} e JOIN ${t.streams} s ON s.stream_id = e.stream_id
     WHERE e.stream_id = ? AND e.stream_version <= ? AND ${readable} ORDER BY e.stream_version DESC LIMIT ?`,
  );
  const readAllRows = db.prepare<[number, number, number], EventRow>(
    `SELECT ${columns} FROM ${t.events} e JOIN ${t.streams} s ON s.stream_id = e.stream_id
     WHERE e.global_position >= ? AND ${readable} ORDER BY e.global_position LIMIT ?`,
  );
  const readCategoryRows = db.prepare<[string, number, number, number], EventRow>(
    `SELECT ${columns} FROM ${t.events} e JOIN ${t.streams} s ON s.stream_id = e.stream_id
     WHERE e.category = ? AND e.global_position >= ? AND ${readable} ORDER BY e.global_position LIMIT ?`,
  );

  /** The original result when `events` exactly retries an earlier append, else undefined. */
  const retried = (streamId: string, events: readonly NewEvent[]): AppendResult | undefined => {
    const known = events.filter(
      (event) => event.id !== undefined && selectVersionOfId.get(streamId, event.id) !== undefined,
    );
    if (known.length === 0) return undefined;
    const start = selectVersionOfId.get(streamId, events[0]?.id ?? '')?.stream_version;
    if (known.length !== events.length || start === undefined) {
      throw new EventIdConflictError(streamId, known[0]!.id!);
    }
    const originals = selectRange.all(streamId, start, start + events.length - 1).map(toRecorded);
    events.forEach((event, i) => {
      const original = originals[i];
      if (original === undefined || original.id !== event.id || original.type !== event.type) {
        throw new EventIdConflictError(streamId, event.id!);
      }
    });
    return resultOf(originals);
  };

  const appendTx = db.transaction(
    (streamId: string, events: readonly NewEvent[], expected: AppendOptions['expectedVersion']) => {
      const stream = selectStream.get(streamId);
      if (stream?.tombstoned === 1) throw new StreamDeletedError(streamId);
      const original = retried(streamId, events);
      if (original !== undefined) return { result: original, fresh: false };
      const at = now();
      checkExpectedVersion(streamId, expected ?? 'any', {
        currentVersion: stream?.current_version ?? 0,
        exists: existsNow(stream, at),
      });
      const category = categoryOf(streamId);
      let version = stream?.current_version ?? 0;
      const recorded = events.map((event): RecordedEvent => {
        const id = event.id ?? randomUUID();
        const metadata = event.metadata ?? {};
        const schemaVersion = event.schemaVersion ?? 1;
        const data = JSON.stringify(event.data);
        const info = insertEvent.run(
          streamId,
          ++version,
          category,
          id,
          event.type,
          data,
          JSON.stringify(metadata),
          schemaVersion,
          at,
        );
        return {
          id,
          type: event.type,
          data: JSON.parse(data) as unknown,
          metadata: structuredClone(metadata),
          schemaVersion,
          streamId,
          streamVersion: version,
          globalPosition: Number(info.lastInsertRowid),
          recordedAt: at,
        };
      });
      upsertVersion.run(streamId, version, at);
      for (const projection of projections) {
        const selected = inlineProjectionEvents(projection, category, recorded);
        if (selected.length === 0) continue;
        try {
          projection.handle(selected, db);
        } catch (error) {
          throw inlineProjectionFailed(projection.name, streamId, error);
        }
      }
      return { result: resultOf(recorded), fresh: true };
    },
  );

  const deleteTx = db.transaction((streamId: string, options: DeleteStreamOptions) => {
    const stream = selectStream.get(streamId);
    if (stream?.tombstoned === 1) return;
    const currentVersion = stream?.current_version ?? 0;
    checkExpectedVersion(streamId, options.expectedVersion ?? 'any', {
      currentVersion,
      exists: existsNow(stream, now()),
    });
    if (options.mode === 'tombstone') {
      tombstone.run(streamId);
      return;
    }
    const metadata = metadataOf(stream);
    upsertMetadata.run(
      streamId,
      metadata.maxAgeMs ?? null,
      metadata.maxCount ?? null,
      currentVersion + 1,
      stream?.custom ?? null,
    );
  });

  const listeners = new Set<() => void>();
  let closed = false;
  const guarded = guardedCalls('event store', describeTarget(db.name), () => closed);

  return {
    database: db,

    append(streamId, events, appendOptions = {}) {
      return guarded(() => {
        assertStreamId(streamId);
        assertNewEvents(events);
        const expected = appendOptions.expectedVersion ?? 'any';
        assertExpectedVersion(expected);
        const { result, fresh } = appendTx.immediate(streamId, events, expected);
        if (fresh) for (const listener of listeners) queueMicrotask(listener);
        return result;
      });
    },

    readStream(streamId, readOptions: ReadStreamOptions = {}): Promise<ReadStreamResult> {
      return guarded(() => {
        assertStreamId(streamId);
        assertReadCount('limit', readOptions.limit);
        assertReadCount('fromVersion', readOptions.fromVersion);
        const stream = selectStream.get(streamId);
        if (stream?.tombstoned === 1) throw new StreamDeletedError(streamId);
        const currentVersion = stream?.current_version ?? 0;
        const at = now();
        const limit = readOptions.limit ?? -1;
        const rows =
          readOptions.direction === 'backward'
            ? readBackward.all(streamId, readOptions.fromVersion ?? currentVersion, at, limit)
            : readForward.all(streamId, readOptions.fromVersion ?? 1, at, limit);
        return { events: rows.map(toRecorded), currentVersion, exists: existsNow(stream, at) };
      });
    },

    readAll(readOptions: ReadAllOptions = {}) {
      return guarded(() => {
        assertReadCount('limit', readOptions.limit);
        assertReadCount('fromPosition', readOptions.fromPosition);
        const from = readOptions.fromPosition ?? 0;
        const limit = readOptions.limit ?? 1000;
        const rows =
          readOptions.category === undefined
            ? readAllRows.all(from, now(), limit)
            : readCategoryRows.all(readOptions.category, from, now(), limit);
        return rows.map(toRecorded);
      });
    },

    getStreamMetadata(streamId) {
      return guarded(() => {
        assertStreamId(streamId);
        return metadataOf(selectStream.get(streamId));
      });
    },

    setStreamMetadata(streamId, metadata) {
      return guarded(() => {
        assertStreamId(streamId);
        assertStreamMetadata(metadata);
        db.transaction(() => {
          if (selectStream.get(streamId)?.tombstoned === 1) throw new StreamDeletedError(streamId);
          upsertMetadata.run(
            streamId,
            metadata.maxAgeMs ?? null,
            metadata.maxCount ?? null,
            metadata.truncateBefore ?? null,
            metadata.custom === undefined ? null : JSON.stringify(metadata.custom),
          );
        }).immediate();
      });
    },

    deleteStream(streamId, deleteOptions = {}) {
      return guarded(() => {
        assertStreamId(streamId);
        assertExpectedVersion(deleteOptions.expectedVersion ?? 'any');
        assertDeleteMode(deleteOptions.mode ?? 'soft');
        deleteTx.immediate(streamId, deleteOptions);
      });
    },

    onAppended(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    close() {
      if (!closed) {
        closed = true;
        listeners.clear();
        if (owned) db.close();
      }
      return Promise.resolve();
    },
  };
}
