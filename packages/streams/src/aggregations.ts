/**
 * How a keyed aggregation folds values into an accumulator and reads its result. Accumulators are
 * state: JSON values, replaced (never changed in place) by `add` and `merge`.
 */
export interface Aggregation<T, A, R> {
  /** Shown in results and errors. */
  readonly name: string;
  /** The accumulator of an empty group. */
  init(): A;
  /** A new accumulator with `value` folded in. */
  add(accumulator: A, value: T): A;
  /** Two accumulators as one. Needed by session windows, which merge sessions. */
  readonly merge?: (a: A, b: A) => A;
  /** The result an accumulator stands for. */
  result(accumulator: A): R;
}

/** Counts values. */
export function count<T = unknown>(): Aggregation<T, number, number> {
  return {
    name: 'count',
    init: () => 0,
    add: (n) => n + 1,
    merge: (a, b) => a + b,
    result: (n) => n,
  };
}

/** Sums `of(value)`. */
export function sum<T>(of: (value: T) => number): Aggregation<T, number, number> {
  return {
    name: 'sum',
    init: () => 0,
    add: (total, value) => total + of(value),
    merge: (a, b) => a + b,
    result: (total) => total,
  };
}

/** The smallest `of(value)`; `null` for an empty group. */
export function min<T>(of: (value: T) => number): Aggregation<T, number | null, number | null> {
  return extreme('min', of, Math.min);
}

/** The largest `of(value)`; `null` for an empty group. */
export function max<T>(of: (value: T) => number): Aggregation<T, number | null, number | null> {
  return extreme('max', of, Math.max);
}

function extreme<T>(
  name: string,
  of: (value: T) => number,
  pick: (a: number, b: number) => number,
): Aggregation<T, number | null, number | null> {
  const both = (a: number | null, b: number | null): number | null =>
    a === null ? b : b === null ? a : pick(a, b);
  return {
    name,
    init: () => null,
    add: (acc, value) => both(acc, of(value)),
    merge: both,
    result: (acc) => acc,
  };
}

/** Sum and count behind an average. */
export interface AverageAccumulator {
  readonly sum: number;
  readonly count: number;
}

/** The mean of `of(value)`; `null` for an empty group. */
export function average<T>(of: (value: T) => number): Aggregation<T, AverageAccumulator, number | null> {
  return {
    name: 'average',
    init: () => ({ sum: 0, count: 0 }),
    add: (acc, value) => ({ sum: acc.sum + of(value), count: acc.count + 1 }),
    merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
    result: (acc) => (acc.count === 0 ? null : acc.sum / acc.count),
  };
}

/**
 * A custom fold: `fn(accumulator, value)` returns the next accumulator (a new JSON value). Give
 * `merge` to use it in session windows.
 */
export function reduce<T, A>(
  fn: (accumulator: A, value: T) => A,
  initial: A,
  merge?: (a: A, b: A) => A,
): Aggregation<T, A, A> {
  // A deep copy per group, so no two groups ever share (and could alter) one initial object.
  const json = JSON.stringify(initial);
  return {
    name: 'reduce',
    init: () => JSON.parse(json) as A,
    add: fn,
    ...(merge === undefined ? {} : { merge }),
    result: (acc) => acc,
  };
}
