import { randomUUID } from 'node:crypto';
import {
  categoryOf,
  EventIdConflictError,
  StreamDeletedError,
  type AppendResult,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type ReadStreamResult,
  type RecordedEvent,
} from '@eddy/core/event-sourcing';
import {
  assertExpectedVersion,
  assertStreamId,
  assertStreamMetadata,
  checkExpectedVersion,
  ClosedError,
  assertDeleteMode,
  assertNewEvents,
  assertReadCount,
  inlineProjectionEvents,
  inlineProjectionFailed,
} from '@eddy/core/internal';
import type pg from 'pg';
import { toEddyError } from '../errors.js';
import { createAppendWakeup } from './append-wakeup.js';
import { openPool, type PoolSource } from '../connection.js';
import { migrateEventStore, NOW_MS, tablesFor } from './schema.js';
import type { PostgresInlineProjection } from './inline-projection.js';
import {
  EVENT_COLUMNS,
  existsNow,
  metadataOf,
  resultOf,
  readableSql,
  toRecorded,
  type EventRow,
  type StreamRow,
} from './rows.js';

export interface PostgresEventStoreOptions extends PoolSource {
  /** Read models written inside each append's transaction. Default none. */
  readonly inlineProjections?: readonly PostgresInlineProjection[];
  /**
   * Wake subscriptions in other processes at once: appends NOTIFY, and a store with `onAppended`
   * listeners (a running subscription, projection or relay) holds one dedicated LISTEN connection.
   * Default true; with false, other processes find new events by polling (`pollIntervalMs`).
   */
  readonly listen?: boolean;
}

/** The PostgreSQL `EventStore` and the pool it uses. */
export interface PostgresEventStore extends EventStore {
  readonly pool: pg.Pool;
  /** Schema holding the `es_*` tables. */
  readonly schema: string;
}

type LockedStream = StreamRow & { readonly now: string };

/**
 * `EventStore` on PostgreSQL. An append locks its stream's row (optimistic concurrency is checked
 * under that lock), then takes its global positions from a single-row counter whose lock it holds
 * until COMMIT: appends commit in position order, so a reader never sees position p while a lower
 * one can still commit. Creates its tables on first use (idempotent migration).
 */
export async function createPostgresEventStore(
  options: PostgresEventStoreOptions,
): Promise<PostgresEventStore> {
  const t = tablesFor(options.schema);
  const connection = openPool(options, 'createPostgresEventStore', { applicationName: 'eddy-event-store' });
  const { pool, where } = connection;
  const projections = options.inlineProjections ?? [];
  try {
    await migrateEventStore(pool, t, where);
  } catch (error) {
    await connection.close();
    throw error;
  }
  let closed = false;
  const wakeup = createAppendWakeup(pool, t.schema, options.listen !== false);
  const channel = wakeup.channel;

  const assertOpen = (): void => {
    if (closed) throw new ClosedError('This PostgreSQL event store');
  };

  async function query<R extends pg.QueryResultRow>(
    client: pg.ClientBase | pg.Pool,
    text: string,
    values: unknown[],
  ): Promise<R[]> {
    return (await client.query<R>(text, values)).rows;
  }

  /** Runs `work` in a transaction; any failure rolls back and surfaces as an EddyError. */
  async function transaction<T>(doing: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    assertOpen();
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw toEddyError(error, doing, where);
    } finally {
      client.release(broken);
    }
  }

  /** Locks the stream's row, creating it, and returns it with the database time. */
  const lockStream = async (client: pg.ClientBase, streamId: string): Promise<LockedStream> => {
    const rows = await query<LockedStream>(
      client,
      `INSERT INTO ${t.streams} AS s (stream_id) VALUES ($1)
       ON CONFLICT (stream_id) DO UPDATE SET stream_id = excluded.stream_id
       RETURNING s.*, ${NOW_MS} AS now`,
      [streamId],
    );
    return rows[0]!;
  };

  /** The original result when `events` exactly retries an earlier append, else undefined. */
  const retried = async (
    client: pg.ClientBase,
    streamId: string,
    events: readonly NewEvent[],
  ): Promise<AppendResult | undefined> => {
    const ids = events.flatMap((event) => (event.id === undefined ? [] : [event.id]));
    if (ids.length === 0) return undefined;
    const found = await query<{ event_id: string; stream_version: string }>(
      client,
      `SELECT event_id, stream_version FROM ${t.events} WHERE stream_id = $1 AND event_id = ANY($2::text[])`,
      [streamId, ids],
    );
    if (found.length === 0) return undefined;
    const start = found.find((row) => row.event_id === events[0]?.id)?.stream_version;
    if (found.length !== events.length || start === undefined) {
      throw new EventIdConflictError(streamId, found[0]!.event_id);
    }
    const originals = (
      await query<EventRow>(
        client,
        `SELECT ${EVENT_COLUMNS} FROM ${t.events} e WHERE stream_id = $1 AND stream_version >= $2
         ORDER BY stream_version LIMIT $3`,
        [streamId, start, events.length],
      )
    ).map(toRecorded);
    events.forEach((event, i) => {
      const original = originals[i];
      if (original === undefined || original.id !== event.id || original.type !== event.type) {
        throw new EventIdConflictError(streamId, event.id!);
      }
    });
    return resultOf(originals);
  };

  const insertEvents = async (
    client: pg.ClientBase,
    streamId: string,
    currentVersion: number,
    at: number,
    events: readonly NewEvent[],
  ): Promise<RecordedEvent[]> => {
    const ids = events.map((event) => event.id ?? randomUUID());
    const data = events.map((event) => JSON.stringify(event.data));
    // The counter update comes last in the transaction's writes, so its lock is held only briefly.
    const rows = await query<{ last: string }>(
      client,
      `WITH pos AS (UPDATE ${t.position} SET last = last + $2 RETURNING last),
       ins AS (
         INSERT INTO ${t.events}
           (global_position, stream_id, stream_version, category, event_id, type, data, metadata, schema_version, recorded_at)
         SELECT pos.last - $2 + e.ord, $1, $3 + e.ord, $4, e.id, e.type, e.data::jsonb, e.metadata::jsonb, e.sv, $5
         FROM pos, unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::int[])
           WITH ORDINALITY AS e(id, type, data, metadata, sv, ord)
       ),
       upd AS (UPDATE ${t.streams} SET current_version = $3 + $2, last_recorded_at = $5 WHERE stream_id = $1)
       SELECT last, ${options.listen === false ? 'NULL' : "pg_notify($11, '')"} FROM pos`,
      [
        streamId,
        events.length,
        currentVersion,
        categoryOf(streamId),
        at,
        ids,
        events.map((event) => event.type),
        data,
        events.map((event) => JSON.stringify(event.metadata ?? {})),
        events.map((event) => event.schemaVersion ?? 1),
        ...(options.listen === false ? [] : [channel]),
      ],
    );
    const first = Number(rows[0]!.last) - events.length + 1;
    return events.map((event, i) => ({
      id: ids[i]!,
      type: event.type,
      data: JSON.parse(data[i]!) as unknown,
      metadata: structuredClone(event.metadata ?? {}),
      schemaVersion: event.schemaVersion ?? 1,
      streamId,
      streamVersion: currentVersion + i + 1,
      globalPosition: first + i,
      recordedAt: at,
    }));
  };

  const append = async (
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedVersion,
  ): Promise<{ result: AppendResult; fresh: boolean }> =>
    transaction(`appending to stream "${streamId}"`, async (client) => {
      const stream = await lockStream(client, streamId);
      if (stream.tombstoned) throw new StreamDeletedError(streamId);
      const original = await retried(client, streamId, events);
      if (original !== undefined) return { result: original, fresh: false };
      const at = Number(stream.now);
      const currentVersion = Number(stream.current_version);
      checkExpectedVersion(streamId, expected, { currentVersion, exists: existsNow(stream, at) });
      const recorded = await insertEvents(client, streamId, currentVersion, at, events);
      const category = categoryOf(streamId);
      for (const projection of projections) {
        const selected = inlineProjectionEvents(projection, category, recorded);
        if (selected.length === 0) continue;
        try {
          await projection.handle(selected, client);
        } catch (error) {
          throw inlineProjectionFailed(projection.name, streamId, error);
        }
      }
      return { result: resultOf(recorded), fresh: true };
    });

  const readStreamRow = async (streamId: string): Promise<{ row: StreamRow | undefined; now: number }> => {
    const rows = await query<StreamRow & { now: string; found: boolean }>(
      pool,
      `SELECT s.*, s.stream_id IS NOT NULL AS found, ${NOW_MS} AS now
       FROM (SELECT 1) one LEFT JOIN ${t.streams} s ON s.stream_id = $1`,
      [streamId],
    );
    const row = rows[0]!;
    return { row: row.found ? row : undefined, now: Number(row.now) };
  };

  const wrap = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    assertOpen();
    try {
      return await work();
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
  };

  return {
    pool,
    schema: t.schema,

    async append(streamId, events, appendOptions = {}) {
      assertOpen();
      assertStreamId(streamId);
      assertNewEvents(events);
      const expected = appendOptions.expectedVersion ?? 'any';
      assertExpectedVersion(expected);
      const { result, fresh } = await append(streamId, events, expected);
      if (fresh) wakeup.appended();
      return result;
    },

    readStream(streamId, readOptions = {}): Promise<ReadStreamResult> {
      return wrap(`reading stream "${streamId}"`, async () => {
        assertStreamId(streamId);
        assertReadCount('limit', readOptions.limit);
        assertReadCount('fromVersion', readOptions.fromVersion);
        const { row, now } = await readStreamRow(streamId);
        if (row?.tombstoned === true) throw new StreamDeletedError(streamId);
        const currentVersion = Number(row?.current_version ?? 0);
        const exists = existsNow(row, now);
        if (row === undefined) return { events: [], currentVersion, exists };
        const backward = readOptions.direction === 'backward';
        const rows = await query<EventRow>(
          pool,
          `SELECT ${EVENT_COLUMNS} FROM ${t.events} e JOIN ${t.streams} s ON s.stream_id = e.stream_id
           WHERE e.stream_id = $1 AND e.stream_version ${backward ? '<=' : '>='} $2 AND ${readableSql('$3')}
           ORDER BY e.stream_version ${backward ? 'DESC' : 'ASC'} LIMIT $4`,
          [
            streamId,
            readOptions.fromVersion ?? (backward ? currentVersion : 1),
            now,
            readOptions.limit ?? null,
          ],
        );
        return { events: rows.map(toRecorded), currentVersion, exists };
      });
    },

    readAll(readOptions = {}) {
      return wrap('reading all events', async () => {
        assertReadCount('limit', readOptions.limit);
        assertReadCount('fromPosition', readOptions.fromPosition);
        const category = readOptions.category;
        const rows = await query<EventRow>(
          pool,
          `SELECT ${EVENT_COLUMNS} FROM ${t.events} e JOIN ${t.streams} s ON s.stream_id = e.stream_id
           WHERE e.global_position >= $1 ${category === undefined ? '' : 'AND e.category = $3'}
             AND ${readableSql(NOW_MS)}
           ORDER BY e.global_position LIMIT $2`,
          [
            readOptions.fromPosition ?? 0,
            readOptions.limit ?? 1000,
            ...(category === undefined ? [] : [category]),
          ],
        );
        return rows.map(toRecorded);
      });
    },

    getStreamMetadata(streamId) {
      return wrap(`reading metadata of "${streamId}"`, async () => {
        assertStreamId(streamId);
        return metadataOf((await readStreamRow(streamId)).row);
      });
    },

    async setStreamMetadata(streamId, metadata) {
      assertOpen();
      assertStreamId(streamId);
      assertStreamMetadata(metadata);
      await transaction(`setting metadata of "${streamId}"`, async (client) => {
        const stream = await lockStream(client, streamId);
        if (stream.tombstoned) throw new StreamDeletedError(streamId);
        await client.query(
          `UPDATE ${t.streams} SET max_age_ms = $2, max_count = $3, truncate_before = $4, custom = $5::jsonb
           WHERE stream_id = $1`,
          [
            streamId,
            metadata.maxAgeMs ?? null,
            metadata.maxCount ?? null,
            metadata.truncateBefore ?? null,
            metadata.custom === undefined ? null : JSON.stringify(metadata.custom),
          ],
        );
      });
    },

    async deleteStream(streamId, deleteOptions = {}) {
      assertOpen();
      assertStreamId(streamId);
      const expected = deleteOptions.expectedVersion ?? 'any';
      assertExpectedVersion(expected);
      const mode = deleteOptions.mode ?? 'soft';
      assertDeleteMode(mode);
      await transaction(`deleting stream "${streamId}"`, async (client) => {
        const stream = await lockStream(client, streamId);
        if (stream.tombstoned) return;
        const currentVersion = Number(stream.current_version);
        checkExpectedVersion(streamId, expected, {
          currentVersion,
          exists: existsNow(stream, Number(stream.now)),
        });
        await client.query(
          mode === 'tombstone'
            ? `UPDATE ${t.streams} SET tombstoned = true WHERE stream_id = $1`
            : `UPDATE ${t.streams} SET truncate_before = $2 WHERE stream_id = $1`,
          mode === 'tombstone' ? [streamId] : [streamId, currentVersion + 1],
        );
      });
    },

    onAppended(callback) {
      return closed ? () => false : wakeup.add(callback);
    },

    async close() {
      if (closed) return;
      closed = true;
      await wakeup.close();
      await connection.close();
    },
  };
}
