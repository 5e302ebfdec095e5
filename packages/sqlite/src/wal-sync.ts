import { close, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import { SyncPlacement } from './sync-placement.js';

/**
 * Flushes the write-ahead log to disk. A publish batch commits with `synchronous = NORMAL` (no
 * fsync, microseconds) and resolves after `sync()`: the batch is as durable as with `FULL`. While a
 * flush runs on libuv's thread pool the event loop keeps serving requests, and batches committed
 * meanwhile share the next flush. A flush with nothing else in flight runs where it has lately been
 * faster, on the event loop or the pool (see `SyncPlacement`).
 *
 * The descriptor stays valid for the life of the transport: SQLite deletes the `-wal` file only
 * when the last connection to the database closes, and the transport's own connection is open
 * until `close()`. Checkpoints reset or truncate the file in place, which keeps the inode. SQLite's
 * own `FULL` commit is no substitute for the event-loop site: better-sqlite3 builds it with `fsync`,
 * which also journals file times.
 */
export class WalSync {
  readonly #path: string;
  readonly #placement: SyncPlacement;
  #fd: number | undefined;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(databasePath: string, placement: SyncPlacement = new SyncPlacement()) {
    this.#path = `${databasePath}-wal`;
    this.#placement = placement;
  }

  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void> {
    if (this.#running === undefined) {
      return this.#placement.choose() === 'event-loop' ? this.#flushOnLoop() : this.#begin();
    }
    // The running flush may have started before the caller's commit: it needs the next one, which
    // every caller arriving meanwhile shares.
    this.#queued ??= this.#running.then(
      () => this.#next(),
      () => this.#next(),
    );
    return this.#queued;
  }

  /** Waits for flushes under way, then closes the descriptor. */
  async close(): Promise<void> {
    await (this.#queued ?? this.#running)?.catch(() => undefined);
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) await new Promise<void>((resolve) => close(fd, () => resolve()));
  }

  /** Opened once, on the event loop: a few microseconds, once per transport. */
  #descriptor(): number {
    this.#fd ??= openSync(this.#path, 'r');
    return this.#fd;
  }

  #flushOnLoop(): Promise<void> {
    try {
      const started = performance.now();
      fdatasyncSync(this.#descriptor());
      this.#placement.record('event-loop', performance.now() - started);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * The flush for the callers that arrived during one on the thread pool: where the placement says,
   * like a lone flush. A probe of the pool would otherwise hand every commit made during it to
   * another flush there, and those to the next.
   */
  #next(): Promise<void> {
    this.#queued = undefined;
    return this.#placement.choose() === 'event-loop' ? this.#flushOnLoop() : this.#begin();
  }

  #begin(): Promise<void> {
    const run = this.#flush().finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async #flush(): Promise<void> {
    const fd = this.#descriptor();
    const started = performance.now();
    await new Promise<void>((resolve, reject) =>
      fdatasync(fd, (error) => (error === null ? resolve() : reject(error))),
    );
    this.#placement.record('thread-pool', performance.now() - started);
  }
}
