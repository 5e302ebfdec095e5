import type { ConsumedInput } from '@eddy/streams';

/*
 * Pipelines remember a consumed input by its position, `<topic>/<partition>/<offset>`, with offsets
 * of digits padded to 20 so that a partition's keys sort by offset (`inputKey` in @eddy/streams).
 * A commit of a log transport's batch consumes runs of consecutive offsets, so the SQLite store
 * keeps such a run as one row, from its first key to its last (`through`), instead of a row per
 * input: 1,000 inputs of one partition are one row to write, and one range to look up.
 */

/** A position key whose offset is 20 digits: `<topic>/<partition>/` and the digits. */
const NUMBERED_POSITION = /^[^/]+\/\d+\/\d{20}$/;
const OFFSET_WIDTH = 20;
/**
 * Keys of one partition this many offsets or more apart are looked up as separate ranges, so that
 * a redelivered old input in a batch of new ones does not read every row between them.
 */
const MAX_LOOKUP_GAP = 64;

/** The offset of a numbered position key (read without making substrings: called per input). */
function offsetOf(key: string): number {
  let offset = 0;
  for (let at = key.length - OFFSET_WIDTH; at < key.length; at++)
    offset = offset * 10 + key.charCodeAt(at) - 48;
  return offset;
}

/** Whether two numbered position keys name the same partition: all but their offsets agree. */
function samePartition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let at = a.length - OFFSET_WIDTH - 1; at >= 0; at--)
    if (a.charCodeAt(at) !== b.charCodeAt(at)) return false;
  return true;
}

/** One row of the inputs table: a single key (`through` undefined) or a run of consecutive offsets. */
export interface ConsumedRow {
  readonly first: string;
  readonly through: string | undefined;
}

/** Keys of one partition near each other, sorted: looked up as the rows from `first` to `last`. */
export interface KeyRange {
  readonly first: string;
  readonly last: string;
  readonly keys: readonly string[];
}

/**
 * The rows that remember the keys of `inputs` (sorted by key): keys of consecutive offsets of one
 * partition become one run, and every other key a row of its own. A run is made of the keys alone,
 * so it covers exactly the keys the commit held, whatever else an input says.
 */
export function consumedRows(inputs: readonly ConsumedInput[]): ConsumedRow[] {
  const rows: ConsumedRow[] = [];
  let runFirst: string | undefined;
  let runLast = '';
  let runOffset = Number.NaN;
  const closeRun = (): void => {
    if (runFirst !== undefined) rows.push({ first: runFirst, through: runLast });
    runFirst = undefined;
  };
  for (const { key } of inputs) {
    // Past 2^53 a number no longer tells consecutive offsets apart: such a key takes a row.
    const offset = NUMBERED_POSITION.test(key) ? offsetOf(key) : Number.NaN;
    if (!Number.isSafeInteger(offset)) {
      closeRun();
      rows.push({ first: key, through: undefined });
      continue;
    }
    if (runFirst !== undefined && offset === runOffset + 1 && samePartition(key, runLast)) {
      runLast = key;
      runOffset = offset;
      continue;
    }
    closeRun();
    runFirst = key;
    runLast = key;
    runOffset = offset;
  }
  closeRun();
  return rows;
}

/**
 * Splits looked-up keys into ranges of numbered positions (sorted, one partition each, near each
 * other) and the other keys, which are looked up one by one.
 */
export function lookupRanges(keys: readonly string[]): { ranges: KeyRange[]; others: string[] } {
  const numbered: string[] = [];
  const others: string[] = [];
  for (const key of keys) (NUMBERED_POSITION.test(key) ? numbered : others).push(key);
  numbered.sort();
  const ranges: KeyRange[] = [];
  let current: string[] = [];
  let previousOffset = Number.NaN;
  for (const key of numbered) {
    const offset = offsetOf(key);
    const previous = current[current.length - 1];
    if (
      previous !== undefined &&
      (offset - previousOffset >= MAX_LOOKUP_GAP || !samePartition(key, previous))
    ) {
      ranges.push({ first: current[0]!, last: previous, keys: current });
      current = [];
    }
    current.push(key);
    previousOffset = offset;
  }
  if (current.length > 0)
    ranges.push({ first: current[0]!, last: current[current.length - 1]!, keys: current });
  return { ranges, others };
}

/**
 * Adds to `into` the keys of `range` that `rows` cover. The rows, sorted by first key, are those that
 * could: the last one at or before the range's first key, and every one after it up to its last
 * key. A run spans keys of one partition only, whose offsets all have 20 digits, so comparing keys
 * as text compares offsets.
 */
export function addCoveredKeys(range: KeyRange, rows: readonly ConsumedRow[], into: Set<string>): void {
  // A key is covered when some row starting at or before it ends at or after it.
  let next = 0;
  let reach = '';
  for (const key of range.keys) {
    for (; next < rows.length && rows[next]!.first <= key; next++) {
      const last = rows[next]!.through ?? rows[next]!.first;
      if (last > reach) reach = last;
    }
    if (reach >= key) into.add(key);
  }
}
