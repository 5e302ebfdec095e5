import type { Aggregation } from '../aggregations.js';
import type { KeyedTimeLogic } from '../engine/keyed-time-stage.js';
import type { Sink } from '../engine/stage.js';
import type { SlidingWindow, WindowResult } from './window-types.js';

/** A kept value: event time, value, event id. Sorted by time. */
type Kept = readonly [number, unknown, string];

interface SlidingState {
  readonly values: readonly Kept[];
}

export interface SlidingWindowSettings<T> {
  readonly spec: SlidingWindow;
  readonly aggregation: Aggregation<T, unknown, unknown>;
  readonly allowedLatenessMs: number;
  readonly emit: Sink;
  readonly late: Sink;
}

/**
 * Sliding windows: each value at t gets the result over its key's values in (t - size, t]. Values
 * are kept while a value still to come could share a window with them: until the watermark passes
 * their time plus twice the size plus the allowed lateness.
 */
export function slidingWindowLogic<T>(settings: SlidingWindowSettings<T>): KeyedTimeLogic<T, SlidingState> {
  const { aggregation, allowedLatenessMs } = settings;
  const { sizeMs } = settings.spec;
  const horizon = 2 * sizeMs + allowedLatenessMs;
  const keep = (values: readonly Kept[], watermark: number): SlidingState | undefined => {
    const kept = values.filter(([time]) => time + horizon > watermark);
    return kept.length === 0 ? undefined : { values: kept };
  };
  return {
    onValue(record, key, state, watermark, scope) {
      if (record.time + sizeMs + allowedLatenessMs <= watermark) {
        settings.late(record, scope);
        return state;
      }
      const values = [...(state?.values ?? [])];
      let at = values.length;
      while (at > 0 && values[at - 1]![0] > record.time) at--;
      values.splice(at, 0, [record.time, record.value, record.eventId]);
      let acc = aggregation.init();
      for (const [time, value] of values) {
        if (time > record.time - sizeMs && time <= record.time) acc = aggregation.add(acc, value as T);
      }
      const value: WindowResult<unknown> = {
        key,
        start: record.time - sizeMs + 1,
        end: record.time + 1,
        value: aggregation.result(acc),
        final: true,
      };
      settings.emit({ ...record, key, value, resultId: `${key}|${record.eventId}` }, scope);
      return keep(values, watermark);
    },
    onDue: (_key, state, watermark) => keep(state.values, watermark),
    dueAt: (state) => (state.values[0] === undefined ? undefined : state.values[0][0] + horizon),
  };
}
