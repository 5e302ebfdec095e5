import { keyedTimeStage, type KeyedTimeLogic } from '../engine/keyed-time-stage.js';
import type { Scope } from '../engine/scope.js';
import type { Sink, StageRegistry } from '../engine/stage.js';
import { InvalidEventPatternError } from '../errors.js';
import type { StreamRecord } from '../record.js';
import type {
  AbsencePattern,
  EventPattern,
  MatchedEvent,
  PatternMatch,
  RepetitionPattern,
  SequencePattern,
} from './pattern-types.js';

/** A matched event as state keeps it, with its correlation id. */
interface Held extends MatchedEvent<unknown> {
  readonly correlationId: string;
}

interface Partial {
  readonly start: number;
  readonly events: readonly Held[];
}

interface PatternState {
  readonly held: readonly Partial[];
}

const DEFAULT_MAX_PARTIAL_MATCHES = 100;

function held(record: StreamRecord<unknown>, step: string): Held {
  return {
    step,
    eventId: record.eventId,
    time: record.time,
    value: record.value,
    correlationId: record.correlationId,
  };
}

function orNone(held: readonly Partial[]): PatternState | undefined {
  return held.length === 0 ? undefined : { held };
}

/** The stage behind `stream.detect`. */
export function patternStage<T>(
  registry: StageRegistry,
  pattern: EventPattern<T>,
  emit: Sink,
): (record: StreamRecord<T>, scope: Scope) => void {
  const kind = (pattern as { kind?: string } | undefined)?.kind;
  if (kind !== 'sequence' && kind !== 'absence' && kind !== 'repetition') {
    throw new InvalidEventPatternError('detect needs a pattern from sequence(), absence() or repetition().');
  }
  const match = (
    key: string,
    events: readonly Held[],
    time: number,
    scope: Scope,
    deadline?: number,
  ): void => {
    const last = events[events.length - 1]!;
    const value: PatternMatch<unknown> = {
      pattern: pattern.name,
      kind: pattern.kind,
      key,
      events: events.map(({ step, eventId, time: at, value: v }) => ({ step, eventId, time: at, value: v })),
      ...(deadline === undefined ? {} : { deadline }),
    };
    emit(
      {
        value,
        key,
        time,
        eventId: last.eventId,
        correlationId: events[0]!.correlationId,
        causationIds: events.map((event) => event.eventId),
        resultId: `${key}|${events.map((event) => event.eventId).join(',')}|${deadline === undefined ? 'match' : 'timeout'}`,
      },
      scope,
    );
  };
  const logic =
    pattern.kind === 'sequence'
      ? sequenceLogic(pattern, match)
      : pattern.kind === 'absence'
        ? absenceLogic(pattern, match)
        : repetitionLogic(pattern, match);
  return keyedTimeStage(registry, pattern.name, pattern.maxOutOfOrderMs ?? 0, logic);
}

type Match = (key: string, events: readonly Held[], time: number, scope: Scope, deadline?: number) => void;

function expiry(withinMs: number) {
  return {
    onDue: (_key: string, state: PatternState, watermark: number): PatternState | undefined =>
      orNone(state.held.filter((partial) => partial.start + withinMs > watermark)),
    dueAt: (state: PatternState): number | undefined =>
      state.held.length === 0
        ? undefined
        : Math.min(...state.held.map((partial) => partial.start)) + withinMs,
  };
}

function sequenceLogic<T>(pattern: SequencePattern<T>, match: Match): KeyedTimeLogic<T, PatternState> {
  const { steps, withinMs } = pattern;
  const cap = pattern.maxPartialMatches ?? DEFAULT_MAX_PARTIAL_MATCHES;
  return {
    onValue(record, key, state, _watermark, scope) {
      const next: Partial[] = [];
      for (const partial of state?.held ?? []) {
        if (record.time - partial.start > withinMs) continue;
        const previous = partial.events[partial.events.length - 1]!;
        const step = steps[partial.events.length]!;
        if (record.time >= previous.time && step.where(record.value, record)) {
          const events = [...partial.events, held(record, step.name)];
          if (events.length === steps.length) match(key, events, record.time, scope);
          else next.push({ start: partial.start, events });
        } else next.push(partial);
      }
      if (steps[0]!.where(record.value, record))
        next.push({ start: record.time, events: [held(record, steps[0]!.name)] });
      return orNone(next.slice(-cap));
    },
    ...expiry(withinMs),
  };
}

function absenceLogic<T>(pattern: AbsencePattern<T>, match: Match): KeyedTimeLogic<T, PatternState> {
  const { first, missing, withinMs } = pattern;
  const graceMs = pattern.maxOutOfOrderMs ?? 0;
  const timeOut = (key: string, state: PatternState, passed: (deadline: number) => boolean, scope: Scope) => {
    const open: Partial[] = [];
    for (const partial of state.held) {
      const deadline = partial.start + withinMs;
      if (passed(deadline)) match(key, partial.events, deadline, scope, deadline);
      else open.push(partial);
    }
    return open;
  };
  return {
    onValue(record, key, state, _watermark, scope) {
      // The key's own later event shows its deadline passed, whatever the other keys say.
      let open = timeOut(key, state ?? { held: [] }, (deadline) => deadline < record.time, scope);
      if (missing.where(record.value, record)) {
        open = open.filter(
          (partial) => !(record.time >= partial.start && record.time <= partial.start + withinMs),
        );
      }
      if (first.where(record.value, record))
        open.push({ start: record.time, events: [held(record, first.name)] });
      return orNone(open);
    },
    onDue(key, state, watermark, now, scope) {
      return orNone(
        timeOut(
          key,
          state,
          (deadline) => deadline < watermark || (now !== undefined && now >= deadline + graceMs),
          scope,
        ),
      );
    },
    dueAt: (state) => earliest(state) + withinMs + 1,
    wakeAt: (state) => earliest(state) + withinMs + graceMs,
  };
}

function earliest(state: PatternState): number {
  return Math.min(...state.held.map((partial) => partial.start));
}

function repetitionLogic<T>(pattern: RepetitionPattern<T>, match: Match): KeyedTimeLogic<T, PatternState> {
  const { step, times, withinMs } = pattern;
  return {
    onValue(record, key, state, _watermark, scope) {
      if (!step.where(record.value, record)) return state;
      const recent = (state?.held[0]?.events ?? []).filter((event) => event.time > record.time - withinMs);
      const events = [...recent, held(record, step.name)].sort((a, b) => a.time - b.time);
      if (events.length >= times) {
        match(key, events.slice(-times), record.time, scope);
        return undefined;
      }
      return { held: [{ start: events[0]!.time, events }] };
    },
    onDue(_key, state, watermark) {
      const events = state.held[0]!.events.filter((event) => event.time + withinMs > watermark);
      return events.length === 0 ? undefined : { held: [{ start: events[0]!.time, events }] };
    },
    dueAt: (state) => (state.held[0] === undefined ? undefined : state.held[0].start + withinMs),
  };
}
