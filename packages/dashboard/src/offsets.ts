/**
 * Offsets are opaque strings: SQLite and PostgreSQL give zero-padded numbers, Redis stream ids
 * (`1796536322298-0`). Arithmetic is only done on numeric ones; reading on from an offset is done by
 * reading it again (inclusive) and dropping it, which works for every backend.
 */
const NUMERIC = /^\d+$/;

export function isNumericOffset(offset: string): boolean {
  return NUMERIC.test(offset);
}

/** `0000000000000042` -> `42`; other offsets unchanged. */
export function offsetText(offset: string): string {
  return isNumericOffset(offset) ? BigInt(offset).toString() : offset;
}

/** True when two offsets name the same message (`0042` and `42` do). */
export function sameOffset(a: string, b: string): boolean {
  return isNumericOffset(a) && isNumericOffset(b) ? BigInt(a) === BigInt(b) : a === b;
}

/**
 * Where to start reading to show the newest `count` messages of a partition: `count` before the
 * last when offsets are numbers, else the last one only (ids cannot be counted back).
 */
export function backlogStart(firstOffset: string, lastOffset: string, count: number): string {
  if (!isNumericOffset(firstOffset) || !isNumericOffset(lastOffset)) return lastOffset;
  const first = BigInt(firstOffset);
  const from = BigInt(lastOffset) - BigInt(count) + 1n;
  return (from > first ? from : first).toString();
}

/** Reading position in one partition: read from `from` (inclusive), drop the message at `seen`. */
export interface Cursor {
  readonly from: string;
  readonly seen: string | undefined;
}
