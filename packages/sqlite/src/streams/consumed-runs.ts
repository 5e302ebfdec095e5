import type { ConsumedInput } from '@eddy/streams';

/*
 * Pipelines remember a consumed input by its position, `<topic>/<partition>/<offset>`, with offsets
 * of digits padded to 20 so that a partition's keys sort by offset (`inputKey` in @eddy/streams).
 * A commit of a log transport's batch consumes runs of consecutive offsets, so the SQLite store
 * keeps such a run as one row, from its first key to its last (`through`), instead of a row per
 * input: 1,000 inputs of one partition are one row to write, and one range to look up.
 */

const OFFSET_WIDTH = 20;
const SLASH = 47;

/** Whether the character at `at` is an ASCII digit. */
function isDigitAt(key: string, at: number): boolean {
  const code = key.charCodeAt(at);
  return code >= 48 && code <= 57;
}

/** Whether the last 20 characters of `key` are digits. */
function hasDigitOffset(key: string): boolean {
  for (let at = key.length - OFFSET_WIDTH; at < key.length; at++) if (!isDigitAt(key, at)) return false;
  return true;
}

/**
 * Whether `key` is a position whose offset is 20 digits: `<topic>/<partition>/` and the digits,
 * the topic one or more characters other than `/`, the partition digits. Read character by
 * character from the end, because every looked-up key is classified: a batch of 1,000 events looks
 * up 2,000 keys (positions, and event ids for stores written before), and the equivalent regex
 * (`^[^/]+\/\d+\/\d{20}$`) took 70 ns a key, backtracking through every UUID.
 */
export function isNumberedPosition(key: string): boolean {
  const offsetSlash = key.length - OFFSET_WIDTH - 1;
  if (offsetSlash < 3 || key.charCodeAt(offsetSlash) !== SLASH) return false;
  if (!hasDigitOffset(key)) return false;
  let at = offsetSlash - 1;
  if (!isDigitAt(key, at)) return false;
  while (at > 0 && isDigitAt(key, at - 1)) at--;
  // `at` is the partition's first digit: a slash before it, and a topic before that.
  const topicSlash = at - 1;
  if (topicSlash < 1 || key.charCodeAt(topicSlash) !== SLASH) return false;
  for (let i = 0; i < topicSlash; i++) if (key.charCodeAt(i) === SLASH) return false;
  return true;
}
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

/** Whether `keys` are in ascending text order. */
function ascending(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

/**
 * `keys` split into numbered positions, in text order, and other keys, as they came. Numbered
 * positions are sorted partition by partition: a partition's keys arrive in offset order from a log
 * transport, so each partition needs only a check, where sorting the batch's keys of several
 * partitions interleaved compared each key with about ten others. Keys of two partitions differ
 * within their `<topic>/<partition>/` (each holds exactly two slashes, so neither is the start of
 * the other): in text order every key of the smaller one comes first, and joining the partitions in
 * order sorts the whole.
 */
export function sortedKeys(keys: readonly string[]): { numbered: string[]; others: string[] } {
  const partitions = new Map<string, string[]>();
  const others: string[] = [];
  // The keys of the partition met last: most batches hold one partition, so most keys join these
  // without making their partition's name as a substring to look up.
  let last: string | undefined;
  let lastHeld: string[] = [];
  for (const key of keys) {
    // A key that shares the last one's `<topic>/<partition>/` and ends in digits is a numbered
    // position too: its prefix was checked with that key. Only a new partition is read whole.
    if (last !== undefined && samePartition(key, last) && hasDigitOffset(key)) {
      lastHeld.push(key);
      last = key;
      continue;
    }
    if (!isNumberedPosition(key)) {
      others.push(key);
      continue;
    }
    const partition = key.slice(0, key.length - OFFSET_WIDTH);
    const held = partitions.get(partition);
    if (held === undefined) partitions.set(partition, (lastHeld = [key]));
    else (lastHeld = held).push(key);
    last = key;
  }
  for (const held of partitions.values()) if (!ascending(held)) held.sort();
  if (partitions.size === 1) return { numbered: partitions.values().next().value!, others };
  const numbered: string[] = [];
  for (const partition of [...partitions.keys()].sort()) {
    for (const key of partitions.get(partition)!) numbered.push(key);
  }
  return { numbered, others };
}

/**
 * The rows that remember the keys of `inputs`, sorted by key: keys of consecutive offsets of one
 * partition become one run, and every other key a row of its own. A run is made of the keys alone,
 * so it covers exactly the keys the commit held, whatever else an input says.
 */
export function consumedRows(inputs: readonly ConsumedInput[]): ConsumedRow[] {
  const { numbered, others } = sortedKeys(inputs.map((input) => input.key));
  const rows: ConsumedRow[] = [];
  let runFirst: string | undefined;
  let runLast = '';
  let runOffset = Number.NaN;
  const closeRun = (): void => {
    if (runFirst !== undefined) rows.push({ first: runFirst, through: runLast });
    runFirst = undefined;
  };
  for (const key of numbered) {
    // Past 2^53 a number no longer tells consecutive offsets apart: such a key takes a row.
    const offset = offsetOf(key);
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
  for (const key of others) rows.push({ first: key, through: undefined });
  return rows.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
}

/**
 * Splits looked-up keys into ranges of numbered positions (sorted, one partition each, near each
 * other) and the other keys, which are looked up one by one.
 */
export function lookupRanges(keys: readonly string[]): { ranges: KeyRange[]; others: string[] } {
  const { numbered, others } = sortedKeys(keys);
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
