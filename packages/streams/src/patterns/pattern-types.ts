import { InvalidEventPatternError } from '../errors.js';
import type { Condition } from '../record.js';

/** One step of a pattern: a name for the match and the condition a value must meet. */
export interface PatternStep<T> {
  readonly name: string;
  readonly where: Condition<T>;
}

interface PatternBase {
  /** Pattern name: in every match, and the prefix of the stage's state keys (unique per pipeline). */
  readonly name: string;
  /** Event time from the first to the last event of a match, ms. */
  readonly withinMs: number;
  /** How far event time may go backwards (the watermark lags the largest time seen by this). Default 0. */
  readonly maxOutOfOrderMs?: number;
}

/** The steps in order, each event after the previous one, all within `withinMs` of the first. */
export interface SequencePattern<T> extends PatternBase {
  readonly kind: 'sequence';
  readonly steps: readonly PatternStep<T>[];
  /** Most partial matches kept per key; the oldest is dropped beyond it. Default 100. */
  readonly maxPartialMatches?: number;
}

/**
 * `first`, then no `missing` within `withinMs`: the match is the timeout, emitted when the
 * watermark passes the deadline, or when the wall clock passes it by `maxOutOfOrderMs` (so a quiet
 * key still times out; pending deadlines are state, so this holds across restarts).
 */
export interface AbsencePattern<T> extends PatternBase {
  readonly kind: 'absence';
  readonly first: PatternStep<T>;
  readonly missing: PatternStep<T>;
}

/** `times` events meeting `step` within `withinMs`; the events of a match do not count again. */
export interface RepetitionPattern<T> extends PatternBase {
  readonly kind: 'repetition';
  readonly step: PatternStep<T>;
  readonly times: number;
}

export type EventPattern<T> = SequencePattern<T> | AbsencePattern<T> | RepetitionPattern<T>;

/** One event of a match. */
export interface MatchedEvent<T> {
  /** The step it met. */
  readonly step: string;
  readonly eventId: string;
  /** Event time, epoch ms. */
  readonly time: number;
  readonly value: T;
}

/** What `detect` emits. */
export interface PatternMatch<T> {
  readonly pattern: string;
  readonly kind: EventPattern<T>['kind'];
  readonly key: string;
  /** The events that formed the match, in order (for an absence, the event that was not followed). */
  readonly events: readonly MatchedEvent<T>[];
  /** For an absence: the deadline that passed, epoch ms. */
  readonly deadline?: number;
}

function assertBase(base: PatternBase, kind: string): void {
  if (typeof base.name !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(base.name)) {
    throw new InvalidEventPatternError(
      `A ${kind} pattern needs a name of 1-100 letters, digits, '.', '_' or '-', got ${JSON.stringify(base.name)}.`,
    );
  }
  if (!Number.isSafeInteger(base.withinMs) || base.withinMs <= 0) {
    throw new InvalidEventPatternError(
      `Pattern "${base.name}": withinMs must be a whole number of ms above 0, got ${String(base.withinMs)}.`,
    );
  }
  const delay = base.maxOutOfOrderMs;
  if (delay !== undefined && (!Number.isSafeInteger(delay) || delay < 0)) {
    throw new InvalidEventPatternError(
      `Pattern "${base.name}": maxOutOfOrderMs must be a whole number of ms, 0 or more, got ${String(delay)}.`,
    );
  }
}

function assertStep<T>(pattern: string, step: PatternStep<T> | undefined, field: string): PatternStep<T> {
  if (typeof step?.name !== 'string' || step.name.length === 0 || typeof step.where !== 'function') {
    throw new InvalidEventPatternError(
      `Pattern "${pattern}": ${field} must be { name, where }, e.g. { name: 'login', where: (e) => e.type === 'login' }.`,
    );
  }
  return step;
}

/** A sequence: "A then B (then C...) within T". */
export function sequence<T>(pattern: Omit<SequencePattern<T>, 'kind'>): SequencePattern<T> {
  assertBase(pattern, 'sequence');
  const steps: readonly PatternStep<T>[] | undefined = Array.isArray(pattern.steps)
    ? pattern.steps
    : undefined;
  if (steps === undefined || steps.length < 2) {
    throw new InvalidEventPatternError(`Sequence "${pattern.name}" needs at least two steps.`);
  }
  steps.forEach((step, i) => assertStep(pattern.name, step, `steps[${i}]`));
  const cap = pattern.maxPartialMatches;
  if (cap !== undefined && (!Number.isSafeInteger(cap) || cap < 1)) {
    throw new InvalidEventPatternError(`Sequence "${pattern.name}": maxPartialMatches must be 1 or more.`);
  }
  return { ...pattern, kind: 'sequence' };
}

/** An absence: "A not followed by B within T" emits a timeout match. */
export function absence<T>(pattern: Omit<AbsencePattern<T>, 'kind'>): AbsencePattern<T> {
  assertBase(pattern, 'absence');
  assertStep(pattern.name, pattern.first, 'first');
  assertStep(pattern.name, pattern.missing, 'missing');
  return { ...pattern, kind: 'absence' };
}

/** A repetition: "N times within T". */
export function repetition<T>(pattern: Omit<RepetitionPattern<T>, 'kind'>): RepetitionPattern<T> {
  assertBase(pattern, 'repetition');
  assertStep(pattern.name, pattern.step, 'step');
  if (!Number.isSafeInteger(pattern.times) || pattern.times < 2) {
    throw new InvalidEventPatternError(
      `Repetition "${pattern.name}": times must be a whole number of 2 or more, got ${String(pattern.times)}.`,
    );
  }
  return { ...pattern, kind: 'repetition' };
}
