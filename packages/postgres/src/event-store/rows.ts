import { type AppendResult, type RecordedEvent, type StreamMetadata } from '@eddy/core/event-sourcing';
import { isRetained } from '@eddy/core/internal';

/** pg returns bigint columns as strings; positions and versions stay below 2^53. */
type Int8 = string | number;

export interface StreamRow {
  readonly current_version: Int8;
  readonly last_recorded_at: Int8 | null;
  readonly max_age_ms: Int8 | null;
  readonly max_count: Int8 | null;
  readonly truncate_before: Int8 | null;
  readonly custom: Record<string, unknown> | null;
  readonly tombstoned: boolean;
}

export interface EventRow {
  readonly global_position: Int8;
  readonly stream_id: string;
  readonly stream_version: Int8;
  readonly event_id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Record<string, unknown>;
  readonly schema_version: number;
  readonly recorded_at: Int8;
}

export const EVENT_COLUMNS = `e.global_position, e.stream_id, e.stream_version, e.event_id, e.type, e.data,
  e.metadata, e.schema_version, e.recorded_at`;

/** The three retention rules of `isRetained` in SQL; `$now` is the parameter holding the time. */
export function readableSql(now: string): string {
  return `NOT s.tombstoned
    AND (s.truncate_before IS NULL OR e.stream_version >= s.truncate_before)
    AND (s.max_count IS NULL OR e.stream_version > s.current_version - s.max_count)
    AND (s.max_age_ms IS NULL OR ${now} - e.recorded_at < s.max_age_ms)`;
}

export const toRecorded = (row: EventRow): RecordedEvent => ({
  id: row.event_id,
  type: row.type,
  data: row.data,
  metadata: row.metadata,
  schemaVersion: row.schema_version,
  streamId: row.stream_id,
  streamVersion: Number(row.stream_version),
  globalPosition: Number(row.global_position),
  recordedAt: Number(row.recorded_at),
});

const optional = (value: Int8 | null): number | undefined => (value === null ? undefined : Number(value));

export function metadataOf(row: StreamRow | undefined): StreamMetadata {
  if (row === undefined) return {};
  const maxAgeMs = optional(row.max_age_ms);
  const maxCount = optional(row.max_count);
  const truncateBefore = optional(row.truncate_before);
  return {
    ...(maxAgeMs === undefined ? {} : { maxAgeMs }),
    ...(maxCount === undefined ? {} : { maxCount }),
    ...(truncateBefore === undefined ? {} : { truncateBefore }),
    ...(row.custom === null ? {} : { custom: row.custom }),
  };
}

/** Whether the stream has readable events: its last event is still retained. */
export function existsNow(row: StreamRow | undefined, now: number): boolean {
  const current = Number(row?.current_version ?? 0);
  if (row === undefined || row.tombstoned || current === 0) return false;
  return isRetained(
    { streamVersion: current, recordedAt: Number(row.last_recorded_at ?? 0) },
    metadataOf(row),
    current,
    now,
  );
}

export const resultOf = (events: readonly RecordedEvent[]): AppendResult => ({
  nextExpectedVersion: events.at(-1)!.streamVersion,
  lastGlobalPosition: events.at(-1)!.globalPosition,
  events,
});
