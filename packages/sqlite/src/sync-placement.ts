/** Where a flush of the write-ahead log runs. */
export type SyncSite = 'event-loop' | 'thread-pool';

/**
 * Every this many flushes the site not in favour runs one, so its estimate follows the machine.
 * Rare, because a probe is a slow flush by definition, and the publishes committed while it runs
 * wait for it: at 1 in 32, 4-10% of flushes ran on the slower site at 1,000 msg/s, enough to set the
 * publishes' p99. At 1 in 256 the other site's median of 15 still follows a change within a few
 * thousand flushes (seconds at a steady rate), and the site in favour follows at once.
 */
const PROBE_EVERY = 256;
/** Recent flushes per site whose median is that site's estimate. */
const WINDOW = 15;

/** The latest flush times of one site and their median. */
class RecentTimes {
  readonly #times = new Float64Array(WINDOW);
  #count = 0;
  #next = 0;
  median: number | undefined = undefined;

  add(ms: number): void {
    this.#times[this.#next] = ms;
    this.#next = (this.#next + 1) % WINDOW;
    if (this.#count < WINDOW) this.#count += 1;
    const sorted = this.#times.slice(0, this.#count).sort();
    this.median = sorted[this.#count >> 1];
  }
}

/**
 * Picks where a flush with nothing else in flight runs, by which site has been faster here lately.
 * Neither wins everywhere. On an idle machine the thread pool's hand-off (waking a worker, then
 * a callback back on the event loop) adds tens of microseconds to a flush of about a hundred, a
 * third of a lone publish's time. On a busy one, a thread that blocked in the flush waits for a CPU
 * again once the disk is done, and the event loop, blocked, serves nothing meanwhile (seen at load
 * 11-14 on 2 cores: 1.5-2.7 ms per flush on the event loop, 0.13-0.36 ms through the pool). Each
 * site's time is what a publisher waits: from the call until the event loop can go on.
 *
 * A site's estimate is the median of its last 15 flushes. Flush times have a long tail (one in a
 * hundred takes several times the usual), and a moving average let each slow flush of the site in
 * use push it past the other site's older estimate: a quarter of quiet lone flushes went to the
 * pool that way, and the pool's own tail came with them.
 */
export class SyncPlacement {
  readonly #recent: Record<SyncSite, RecentTimes> = {
    'event-loop': new RecentTimes(),
    'thread-pool': new RecentTimes(),
  };
  #flushes = 0;

  /** The site for the next flush. */
  choose(): SyncSite {
    const onLoop = this.#recent['event-loop'].median;
    const onPool = this.#recent['thread-pool'].median;
    if (onLoop === undefined) return 'event-loop';
    if (onPool === undefined) return 'thread-pool';
    const favoured: SyncSite = onLoop <= onPool ? 'event-loop' : 'thread-pool';
    this.#flushes += 1;
    if (this.#flushes % PROBE_EVERY !== 0) return favoured;
    return favoured === 'event-loop' ? 'thread-pool' : 'event-loop';
  }

  /** Records how long a flush on `site` took, ms. */
  record(site: SyncSite, ms: number): void {
    this.#recent[site].add(ms);
  }
}
