import { close, fdatasync, open } from 'node:fs';

/**
 * Flushes the write-ahead log to disk on libuv's thread pool. A publish batch commits with
 * `synchronous = NORMAL` (no fsync, microseconds) and resolves after `sync()`: the batch is as
 * durable as with `FULL`, but the event loop keeps serving requests during the flush instead of
 * blocking on it, and batches committed meanwhile share the next flush.
 *
 * The descriptor stays valid for the life of the transport: SQLite deletes the `-wal` file only
 * when the last connection to the database closes, and the transport's own connection is open
 * until `close()`. Checkpoints reset or truncate the file in place, which keeps the inode.
 *
 * A lone publish also flushes here rather than on the event loop: once the disk is done, a thread
 * that blocked in the sync waits for a CPU again, and on a busy machine that wait dominates (2-core
 * machine at load 11-14: 1.5-2.7 ms per commit synced on the event loop, of which 2.3 ms in the
 * run queue; 0.13-0.36 ms through the pool). SQLite's own `FULL` commit is no shortcut either: it
 * blocks the same way, and better-sqlite3 builds it with `fsync`, which also journals file times.
 */
export class WalSync {
  readonly #path: string;
  #fd: Promise<number> | undefined;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(databasePath: string) {
    this.#path = `${databasePath}-wal`;
  }

  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void> {
    if (this.#running === undefined) return this.#begin();
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
    const fd = await this.#fd?.catch(() => undefined);
    this.#fd = undefined;
    if (fd !== undefined) await new Promise<void>((resolve) => close(fd, () => resolve()));
  }

  #next(): Promise<void> {
    this.#queued = undefined;
    return this.#begin();
  }

  #begin(): Promise<void> {
    const run = this.#flush().finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async #flush(): Promise<void> {
    this.#fd ??= new Promise<number>((resolve, reject) =>
      open(this.#path, 'r', (error, fd) => (error === null ? resolve(fd) : reject(error))),
    );
    let fd: number;
    try {
      fd = await this.#fd;
    } catch (error) {
      this.#fd = undefined; // opened again by the next flush
      throw error;
    }
    await new Promise<void>((resolve, reject) =>
      fdatasync(fd, (error) => (error === null ? resolve() : reject(error))),
    );
  }
}
