import type { Aggregation } from '../aggregations.js';
import type { KeyedTimeLogic } from '../engine/keyed-time-stage.js';
import type { Scope } from '../engine/scope.js';
import type { Sink } from '../engine/stage.js';
import type { SessionWindow, WindowResult } from './window-types.js';

/** One session of a key: [start, last + gap). */
interface Session {
  readonly start: number;
  readonly last: number;
  readonly acc: unknown;
  readonly fired: boolean;
  readonly revision: number;
  readonly eventId: string;
  readonly correlationId: string;
}

type Sessions = readonly Session[];

export interface SessionWindowSettings<T> {
  readonly spec: SessionWindow;
  readonly aggregation: Aggregation<T, unknown, unknown>;
  readonly merge: (a: unknown, b: unknown) => unknown;
  readonly emitUpdates: boolean;
  readonly allowedLatenessMs: number;
  readonly emit: Sink;
  readonly late: Sink;
}

/** Session windows: a value joins (and may bridge) the sessions within `gapMs` of it. */
export function sessionWindowLogic<T>(settings: SessionWindowSettings<T>): KeyedTimeLogic<T, Sessions> {
  const { aggregation, allowedLatenessMs, emitUpdates } = settings;
  const { gapMs } = settings.spec;
  const result = (key: string, session: Session, final: boolean, scope: Scope): Session => {
    const end = session.last + gapMs;
    const value: WindowResult<unknown> = {
      key,
      start: session.start,
      end,
      value: aggregation.result(session.acc),
      final,
    };
    settings.emit(
      {
        value,
        key,
        time: end,
        eventId: session.eventId,
        correlationId: session.correlationId,
        resultId: `${key}|${session.start}|${session.revision}`,
      },
      scope,
    );
    return { ...session, revision: session.revision + 1, fired: session.fired || final };
  };
  const live = (sessions: readonly Session[], watermark: number): Sessions | undefined => {
    const kept = sessions.filter((s) => s.last + gapMs + allowedLatenessMs > watermark);
    return kept.length === 0 ? undefined : kept;
  };

  return {
    onValue(record, key, state, watermark, scope) {
      const sessions = state ?? [];
      const joined = sessions.filter((s) => record.time >= s.start - gapMs && record.time < s.last + gapMs);
      if (joined.length === 0 && record.time + gapMs + allowedLatenessMs <= watermark) {
        settings.late(record, scope);
        return state;
      }
      let acc = aggregation.init();
      for (const s of joined) acc = settings.merge(acc, s.acc);
      let merged: Session = {
        start: Math.min(record.time, ...joined.map((s) => s.start)),
        last: Math.max(record.time, ...joined.map((s) => s.last)),
        acc: aggregation.add(acc, record.value),
        fired: false,
        revision: joined.reduce((total, s) => total + s.revision, 0),
        eventId: record.eventId,
        correlationId: record.correlationId,
      };
      if (merged.last + gapMs <= watermark) merged = result(key, merged, true, scope);
      else if (emitUpdates) merged = result(key, merged, false, scope);
      const rest = sessions.filter((s) => !joined.includes(s));
      return [...rest, merged].sort((a, b) => a.start - b.start);
    },
    onDue(key, state, watermark, _now, scope) {
      const sessions = state.map((s) =>
        !s.fired && s.last + gapMs <= watermark ? result(key, s, true, scope) : s,
      );
      return live(sessions, watermark);
    },
    dueAt(state) {
      let due: number | undefined;
      for (const s of state) {
        const at = s.fired ? s.last + gapMs + allowedLatenessMs : s.last + gapMs;
        if (due === undefined || at < due) due = at;
      }
      return due;
    },
  };
}
