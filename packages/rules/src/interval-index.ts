import type { TargetSink } from './target-sink.js';

interface Interval<K, T> {
  readonly lo: K;
  readonly loOpen: boolean;
  readonly hi: K;
  readonly hiOpen: boolean;
  readonly target: T;
}

/** Below this many intervals a scan beats the tree. */
const SCAN_LIMIT = 8;

/**
 * The intervals that hold a value (numeric ranges; CIDR blocks as address ranges), found in
 * O(log n + matches).
 *
 * The distinct bounds cut the line into slots (each bound, and the open stretch between two), so
 * every interval covers a run of whole slots; a segment tree over the slots stores each interval
 * in O(log n) nodes, and a value's slot, found by binary search, collects the intervals on its way
 * to the root. Sorting the intervals instead would still leave every overlapping one to test.
 * Bounds compare with `<`, so keys are numbers, or strings of equal length (IPv6 as hex).
 * `-Infinity` and `Infinity` stand for open ends.
 */
export class IntervalIndex<K extends number | string, T> {
  readonly #intervals: Interval<K, T>[] = [];
  #bounds: K[] = [];
  #size = 0;
  #nodes: (T[] | undefined)[] = [];
  #built = false;

  add(lo: K, loOpen: boolean, hi: K, hiOpen: boolean, target: T): void {
    this.#intervals.push({ lo, loOpen, hi, hiOpen, target });
    this.#built = false;
  }

  /** Sends the target of every interval holding `value` to `sink`. */
  collect(value: K, sink: TargetSink<T>): void {
    const intervals = this.#intervals;
    if (intervals.length <= SCAN_LIMIT) {
      for (const interval of intervals) {
        if (
          (interval.loOpen ? value > interval.lo : value >= interval.lo) &&
          (interval.hiOpen ? value < interval.hi : value <= interval.hi)
        ) {
          sink.receive(interval.target);
        }
      }
      return;
    }
    if (!this.#built) this.#build();
    for (let node = this.#slotOf(value) + this.#size; node >= 1; node >>= 1) {
      const targets = this.#nodes[node];
      if (targets !== undefined) for (const target of targets) sink.receive(target);
    }
  }

  /** Slot 2k+1 is the k-th bound itself, slot 2k the open stretch just below it. */
  #slotOf(value: K): number {
    const bounds = this.#bounds;
    let low = 0;
    let high = bounds.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (bounds[middle]! < value) low = middle + 1;
      else high = middle;
    }
    return low < bounds.length && bounds[low] === value ? 2 * low + 1 : 2 * low;
  }

  #build(): void {
    const finite = new Set<K>();
    for (const { lo, hi } of this.#intervals) {
      if (lo !== -Infinity) finite.add(lo);
      if (hi !== Infinity) finite.add(hi);
    }
    this.#bounds = [...finite].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const slots = 2 * this.#bounds.length + 1;
    let size = 1;
    while (size < slots) size <<= 1;
    this.#size = size;
    this.#nodes = new Array<T[] | undefined>(2 * size);
    for (const interval of this.#intervals) {
      const first = interval.lo === -Infinity ? 0 : this.#slotOf(interval.lo) + (interval.loOpen ? 1 : 0);
      const last =
        interval.hi === Infinity ? slots - 1 : this.#slotOf(interval.hi) - (interval.hiOpen ? 1 : 0);
      let left = first + size;
      let right = last + size + 1;
      while (left < right) {
        if (left & 1) (this.#nodes[left++] ??= []).push(interval.target);
        if (right & 1) (this.#nodes[--right] ??= []).push(interval.target);
        left >>= 1;
        right >>= 1;
      }
    }
    this.#built = true;
  }
}
