import type { Aggregation } from '../aggregations.js';
import type { KeyedTimeLogic } from '../engine/keyed-time-stage.js';
import type { Scope } from '../engine/scope.js';
import type { Sink } from '../engine/stage.js';
import type { StreamRecord } from '../record.js';
import type { HoppingWindow, TumblingWindow, WindowResult } from './window-types.js';

/**
 * One open window of a key, as stored: every changed window is written at each commit, so fields
 * that are known otherwise are left out (a slot of 6 fields was 178 bytes of JSON, and its
 * `JSON.stringify` the largest single cost of a SQLite commit). Slots stored by earlier versions,
 * with every field, read the same.
 */
interface Slot {
  readonly acc: unknown;
  /** Whether its closing result was emitted. Absent: false. */
  readonly fired?: true;
  /** Results emitted so far, part of each result's identity. Absent: 0. */
  readonly revision?: number;
  /** The last input added: the result's causation. */
  readonly eventId: string;
  /** That input's correlation id. Absent: the same as `eventId`, as for an input that has none. */
  readonly correlationId?: string;
  /** Stored by earlier versions; the end is the start plus the window's size. */
  readonly end?: number;
}

/** A key's open windows by start time. */
type Slots = Readonly<Record<string, Slot>>;

export interface TimeWindowSettings<T> {
  readonly spec: TumblingWindow | HoppingWindow;
  readonly aggregation: Aggregation<T, unknown, unknown>;
  readonly emitUpdates: boolean;
  readonly allowedLatenessMs: number;
  readonly emit: Sink;
  readonly late: Sink;
}

/**
 * The start of the oldest window holding time `t`; the others follow every `advance` ms up to `t`.
 * Past `t` when none does (a hopping window's gap).
 */
function firstStartOf(spec: TumblingWindow | HoppingWindow, advance: number, t: number): number {
  const last = Math.floor(t / advance) * advance;
  if (last <= t - spec.sizeMs) return last + advance;
  let first = last;
  while (first - advance > t - spec.sizeMs) first -= advance;
  return first;
}

/** A slot after one more result: its revision counted, and fired if the result was final. */
function afterResult(slot: Slot, final: boolean): Slot {
  const next: { -readonly [K in keyof Slot]: Slot[K] } = { ...slot, revision: (slot.revision ?? 0) + 1 };
  if (final) next.fired = true;
  return next;
}

/** Whether `slots` holds any window. */
function hasSlots(slots: Slots): boolean {
  for (const start in slots) if (Object.hasOwn(slots, start)) return true;
  return false;
}

/** Tumbling and hopping windows: one accumulator per key and window start. */
export function timeWindowLogic<T>(settings: TimeWindowSettings<T>): KeyedTimeLogic<T, Slots> {
  const { spec, aggregation, emitUpdates, allowedLatenessMs } = settings;
  const advance = spec.kind === 'tumbling' ? spec.sizeMs : spec.advanceMs;
  const endOf = (start: number, slot: Slot): number => slot.end ?? start + spec.sizeMs;
  const result = (key: string, start: number, slot: Slot, final: boolean, scope: Scope): void => {
    const end = endOf(start, slot);
    const value: WindowResult<unknown> = { key, start, end, value: aggregation.result(slot.acc), final };
    settings.emit(
      {
        value,
        key,
        time: end,
        eventId: slot.eventId,
        correlationId: slot.correlationId ?? slot.eventId,
        resultId: `${key}|${start}|${slot.revision ?? 0}`,
      },
      scope,
    );
  };

  return {
    onValue(record: StreamRecord<T>, key, state, watermark, scope) {
      const slots: Record<string, Slot> = { ...state };
      let taken = false;
      for (let start = firstStartOf(spec, advance, record.time); start <= record.time; start += advance) {
        const end = start + spec.sizeMs;
        if (end + allowedLatenessMs <= watermark) continue;
        taken = true;
        const before = slots[start];
        const next: { -readonly [K in keyof Slot]: Slot[K] } = {
          acc: aggregation.add(before === undefined ? aggregation.init() : before.acc, record.value),
          eventId: record.eventId,
        };
        if (record.correlationId !== record.eventId) next.correlationId = record.correlationId;
        if (before?.fired === true) next.fired = true;
        if (before?.revision !== undefined && before.revision > 0) next.revision = before.revision;
        let slot: Slot = next;
        // A value within the allowed lateness revises a result already out; `update` shows every change.
        if (slot.fired === true || emitUpdates) {
          result(key, start, slot, slot.fired === true, scope);
          slot = afterResult(slot, false);
        }
        slots[start] = slot;
      }
      if (!taken) settings.late(record, scope);
      return hasSlots(slots) ? slots : undefined;
    },
    onDue(key, state, watermark, _now, scope) {
      const slots: Record<string, Slot> = {};
      for (const [start, slot] of Object.entries(state)) {
        let current = slot;
        const end = endOf(Number(start), slot);
        if (current.fired !== true && end <= watermark) {
          result(key, Number(start), current, true, scope);
          current = afterResult(current, true);
        }
        if (end + allowedLatenessMs > watermark) slots[start] = current;
      }
      return hasSlots(slots) ? slots : undefined;
    },
    dueAt(state) {
      let due: number | undefined;
      // Called for each value: `for...in` makes no array of entries.
      for (const start in state) {
        const slot = state[start]!;
        const end = endOf(Number(start), slot);
        const at = slot.fired === true ? end + allowedLatenessMs : end;
        if (due === undefined || at < due) due = at;
      }
      return due;
    },
  };
}
