/** `wal_autocheckpoint` while commits are large, and what a log connection opens with. */
export const LARGE_COMMITS_THRESHOLD_PAGES = 16_384;
/** `wal_autocheckpoint` while commits are small (SQLite's own default). */
export const SMALL_COMMITS_THRESHOLD_PAGES = 1_000;

/** Below this average commit, in bytes of messages, commits count as small. */
const SMALL_BELOW_BYTES = 32 * 1024;
/** At or above this average they count as large again; the gap keeps a mix from flipping it. */
const LARGE_FROM_BYTES = 128 * 1024;
/** Weight of the latest commit in the average: about the last sixteen commits count. */
const WEIGHT = 1 / 16;

/**
 * The publishing connection's auto-checkpoint threshold, by the size of recent commits, when every
 * commit waits for its own flush (`synchronous: 'full'`).
 *
 * SQLite writes its log from the start again only once a checkpoint has copied every frame back
 * into the database. The checkpoint worker's passive checkpoints never get there under a steady
 * stream of commits (one always lands while a checkpoint runs), so the log grows until the
 * committing connection checkpoints it itself at the threshold. Until then every commit appends to
 * the file, and a flush that grows a file costs more than one that overwrites it. Publishes
 * awaited one by one (three pages a commit), in turns in one process: 1,287-1,646/s with 16,384
 * pages against 1,779-2,413/s with 1,000, where the log starts over every 4 MB. With commits of
 * megabytes (1,000 concurrent publishes of 4 KiB) the low threshold has the event loop copy most
 * of each 4 MB back itself, as the worker falls behind: 18,072-21,099/s against 21,562-29,810/s.
 * So the threshold follows the commits: low while they are small, high while they are large.
 */
export class CheckpointThreshold {
  readonly #apply: (pages: number) => void;
  #pages = LARGE_COMMITS_THRESHOLD_PAGES;
  #averageBytes = LARGE_FROM_BYTES;

  /** `apply` sets the connection's threshold; called only when it changes. */
  constructor(apply: (pages: number) => void) {
    this.#apply = apply;
  }

  /** The threshold now, in pages. */
  get pages(): number {
    return this.#pages;
  }

  /** Counts a commit of `bytes` bytes of messages, and moves the threshold if the average crossed. */
  committed(bytes: number): void {
    this.#averageBytes += (bytes - this.#averageBytes) * WEIGHT;
    if (this.#pages === LARGE_COMMITS_THRESHOLD_PAGES) {
      if (this.#averageBytes < SMALL_BELOW_BYTES) this.#set(SMALL_COMMITS_THRESHOLD_PAGES);
    } else if (this.#averageBytes >= LARGE_FROM_BYTES) {
      this.#set(LARGE_COMMITS_THRESHOLD_PAGES);
    }
  }

  #set(pages: number): void {
    this.#pages = pages;
    this.#apply(pages);
  }
}
