/** Where a flush of the write-ahead log runs. */
export type SyncSite = 'event-loop' | 'thread-pool';

/** Every this many flushes the site not in favour runs one, so its estimate follows the machine. */
const PROBE_EVERY = 32;
/** Weight of the newest flush in a site's moving average. */
const WEIGHT = 0.25;

/**
 * Picks where a flush with nothing else in flight runs, by which site has been faster here lately.
 * Neither wins everywhere. On an idle machine the thread pool's hand-off (waking a worker, then
 * a callback back on the event loop) adds tens of microseconds to a flush of about a hundred, a
 * third of a lone publish's time. On a busy one, a thread that blocked in the flush waits for a CPU
 * again once the disk is done, and the event loop, blocked, serves nothing meanwhile (seen at load
 * 11-14 on 2 cores: 1.5-2.7 ms per flush on the event loop, 0.13-0.36 ms through the pool). Each
 * site's time is what a publisher waits: from the call until the event loop can go on.
 */
export class SyncPlacement {
  readonly #average: Record<SyncSite, number | undefined> = {
    'event-loop': undefined,
    'thread-pool': undefined,
  };
  #flushes = 0;

  /** The site for the next flush. */
  choose(): SyncSite {
    const onLoop = this.#average['event-loop'];
    const onPool = this.#average['thread-pool'];
    if (onLoop === undefined) return 'event-loop';
    if (onPool === undefined) return 'thread-pool';
    const favoured: SyncSite = onLoop <= onPool ? 'event-loop' : 'thread-pool';
    this.#flushes += 1;
    if (this.#flushes % PROBE_EVERY !== 0) return favoured;
    return favoured === 'event-loop' ? 'thread-pool' : 'event-loop';
  }

  /** Records how long a flush on `site` took, ms. */
  record(site: SyncSite, ms: number): void {
    const previous = this.#average[site];
    this.#average[site] = previous === undefined ? ms : previous + (ms - previous) * WEIGHT;
  }
}
