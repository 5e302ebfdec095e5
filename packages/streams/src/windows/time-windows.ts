import type { Aggregation } from '../aggregations.js';
import type { KeyedTimeLogic } from '../engine/keyed-time-stage.js';
import type { Scope } from '../engine/scope.js';
import type { Sink } from '../engine/stage.js';
import type { StreamRecord } from '../record.js';
import type { HoppingWindow, TumblingWindow, WindowResult } from './window-types.js';

/** One open window of a key. */
interface Slot {
  readonly end: number;
  readonly acc: unknown;
  /** Whether its closing result was emitted. */
  readonly fired: boolean;
  /** Results emitted so far, part of each result's identity. */
  readonly revision: number;
  /** The last input added: the result's causation and correlation. */
  readonly eventId: string;
  readonly correlationId: string;
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

/** Whether `slots` holds any window. */
function hasSlots(slots: Slots): boolean {
  for (const start in slots) if (Object.hasOwn(slots, start)) return true;
  return false;
}

/** Tumbling and hopping windows: one accumulator per key and window start. */
export function timeWindowLogic<T>(settings: TimeWindowSettings<T>): KeyedTimeLogic<T, Slots> {
  const { spec, aggregation, emitUpdates, allowedLatenessMs } = settings;
  const advance = spec.kind === 'tumbling' ? spec.sizeMs : spec.advanceMs;
  const result = (key: string, start: number, slot: Slot, final: boolean, scope: Scope): void => {
    const value: WindowResult<unknown> = {
      key,
      start,
      end: slot.end,
      value: aggregation.result(slot.acc),
      final,
    };
    settings.emit(
      {
        value,
        key,
        time: slot.end,
        eventId: slot.eventId,
        correlationId: slot.correlationId,
        resultId: `${key}|${start}|${slot.revision}`,
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
        let slot: Slot = {
          end,
          acc: aggregation.add(before === undefined ? aggregation.init() : before.acc, record.value),
          fired: before?.fired ?? false,
          revision: before?.revision ?? 0,
          eventId: record.eventId,
          correlationId: record.correlationId,
        };
        // A value within the allowed lateness revises a result already out; `update` shows every change.
        if (slot.fired || emitUpdates) {
          result(key, start, slot, slot.fired, scope);
          slot = { ...slot, revision: slot.revision + 1 };
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
        if (!current.fired && current.end <= watermark) {
          result(key, Number(start), current, true, scope);
          current = { ...current, fired: true, revision: current.revision + 1 };
        }
        if (current.end + allowedLatenessMs > watermark) slots[start] = current;
      }
      return hasSlots(slots) ? slots : undefined;
    },
    dueAt(state) {
      let due: number | undefined;
      for (const slot of Object.values(state)) {
        const at = slot.fired ? slot.end + allowedLatenessMs : slot.end;
        if (due === undefined || at < due) due = at;
      }
      return due;
    },
  };
}
