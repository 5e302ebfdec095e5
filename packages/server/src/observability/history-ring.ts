/**
 * Samples of many series taken at the same moments, in a fixed amount of memory: one ring of sample
 * times and, per series, one ring of values (NaN where the series had no value at that moment).
 * Oldest samples are overwritten once the ring is full; a series with no value left in the ring is
 * dropped, and at most `maxSeries` series are kept (new ones beyond are not recorded).
 */
export class HistoryRing {
  private readonly times: Float64Array;
  private readonly values = new Map<string, Float64Array>();
  /** Slot of the next sample. */
  private next = 0;
  private size = 0;

  constructor(
    readonly capacity: number,
    readonly maxSeries: number,
  ) {
    this.times = new Float64Array(capacity);
  }

  /** Records one sample: `at` (epoch ms) and the value of each series present then. */
  record(at: number, sample: ReadonlyMap<string, number>): void {
    const slot = this.next;
    this.times[slot] = at;
    for (const [key, ring] of this.values) {
      ring[slot] = sample.get(key) ?? Number.NaN;
      if (!sample.has(key) && ring.every(Number.isNaN)) this.values.delete(key);
    }
    for (const [key, value] of sample) {
      if (this.values.has(key) || this.values.size >= this.maxSeries) continue;
      const ring = new Float64Array(this.capacity).fill(Number.NaN);
      ring[slot] = value;
      this.values.set(key, ring);
    }
    this.next = (slot + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** Samples taken at or after `since`, oldest first; each series aligned with `times` (null: no value). */
  read(since = Number.NEGATIVE_INFINITY): {
    times: number[];
    series: Map<string, (number | null)[]>;
  } {
    const slots: number[] = [];
    for (let index = 0; index < this.size; index += 1) {
      const slot = (this.next - this.size + index + this.capacity) % this.capacity;
      if ((this.times[slot] ?? 0) >= since) slots.push(slot);
    }
    const series = new Map<string, (number | null)[]>();
    for (const [key, ring] of this.values) {
      const column = slots.map((slot) => {
        const value = ring[slot] ?? Number.NaN;
        return Number.isNaN(value) ? null : value;
      });
      if (column.some((value) => value !== null)) series.set(key, column);
    }
    return { times: slots.map((slot) => this.times[slot] ?? 0), series };
  }

  get seriesCount(): number {
    return this.values.size;
  }
}
