import type { Aggregation } from '../aggregations.js';
import { InvalidWindowError } from '../errors.js';

/** Fixed, non-overlapping windows of `sizeMs`, aligned to the epoch. */
export interface TumblingWindow {
  readonly kind: 'tumbling';
  readonly sizeMs: number;
}

/** Windows of `sizeMs` starting every `advanceMs` (overlapping when `advanceMs < sizeMs`). */
export interface HoppingWindow {
  readonly kind: 'hopping';
  readonly sizeMs: number;
  readonly advanceMs: number;
}

/**
 * For each value at time t, the window (t - sizeMs, t] of its key: a result per value, over the
 * values of the last `sizeMs` of event time (values are kept in state until they leave it).
 */
export interface SlidingWindow {
  readonly kind: 'sliding';
  readonly sizeMs: number;
}

/** Per key, values closer than `gapMs` to each other form one session; sessions merge as gaps fill. */
export interface SessionWindow {
  readonly kind: 'session';
  readonly gapMs: number;
}

export type WindowSpec = TumblingWindow | HoppingWindow | SlidingWindow | SessionWindow;

/** Options of `stream.window`. */
export interface WindowOptions<T, A, R> {
  /** What to compute per key and window, e.g. `count()`. */
  readonly aggregate: Aggregation<T, A, R>;
  /**
   * `'close'`: one result when the watermark passes the window's end. `'update'`: a result after
   * every value as well (`final: false`), then the closing one. Default `'close'`. Sliding windows
   * always emit one result per value.
   */
  readonly emit?: 'close' | 'update';
  /**
   * How far event time may go backwards: the watermark is the largest event time seen minus this.
   * Default 0 (values must arrive in time order to count before their window closes).
   */
  readonly maxOutOfOrderMs?: number;
  /**
   * How long after its end a window still takes values: each one re-emits the window's result
   * (`final: true`, a later revision). After that, values for it go to `.late`. Default 0.
   */
  readonly allowedLatenessMs?: number;
  /** Stage name, the prefix of its state keys: keep it when the pipeline changes. Default `window-<n>`. */
  readonly name?: string;
}

/** One result of a window stage. */
export interface WindowResult<R> {
  readonly key: string;
  /** Window start, epoch ms (inclusive). */
  readonly start: number;
  /** Window end, epoch ms (exclusive). */
  readonly end: number;
  readonly value: R;
  /** True once the watermark passed `end`; false for early results of `emit: 'update'`. */
  readonly final: boolean;
}

function positive(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidWindowError(`${field} must be a whole number of ms above 0, got ${String(value)}.`);
  }
  return value;
}

/** Tumbling windows of `sizeMs`. */
export function tumbling(options: { readonly sizeMs: number }): TumblingWindow {
  return { kind: 'tumbling', sizeMs: positive(options.sizeMs, 'tumbling sizeMs') };
}

/** Hopping windows of `sizeMs` every `advanceMs` (at most `sizeMs`). */
export function hopping(options: { readonly sizeMs: number; readonly advanceMs: number }): HoppingWindow {
  const sizeMs = positive(options.sizeMs, 'hopping sizeMs');
  const advanceMs = positive(options.advanceMs, 'hopping advanceMs');
  if (advanceMs > sizeMs) {
    throw new InvalidWindowError(
      `hopping advanceMs (${advanceMs}) must not exceed sizeMs (${sizeMs}): values between windows would be lost.`,
    );
  }
  return { kind: 'hopping', sizeMs, advanceMs };
}

/** Sliding windows: for each value, the last `sizeMs` of its key. */
export function sliding(options: { readonly sizeMs: number }): SlidingWindow {
  return { kind: 'sliding', sizeMs: positive(options.sizeMs, 'sliding sizeMs') };
}

/** Session windows closed by a gap of `gapMs` without values. */
export function session(options: { readonly gapMs: number }): SessionWindow {
  return { kind: 'session', gapMs: positive(options.gapMs, 'session gapMs') };
}

/** Checks a duration option that may be 0. */
export function nonNegative(value: number | undefined, field: string): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidWindowError(`${field} must be a whole number of ms, 0 or more, got ${String(value)}.`);
  }
  return value;
}
