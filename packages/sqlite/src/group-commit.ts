import { type Position } from '@eddy/core';
import { commitFailed, syncFailed } from './errors.js';
import type { AppendRequest } from './log-store.js';

interface Pending {
  readonly request: AppendRequest;
  readonly resolve: (positions: Position[]) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  readonly windowMs: number;
  readonly maxBatchMessages: number;
  /** The database, as error messages name it (`describeTarget`). */
  readonly where: string;
  /** Writes the batch in one transaction and returns positions per request. Throws to fail the batch. */
  readonly commit: (requests: readonly AppendRequest[]) => Position[][];
  /**
   * Makes what was committed durable, when the commit itself did not (`synchronous = NORMAL` and a
   * flush off the event loop). Publishes resolve, and `afterCommit` runs, once it resolves.
   */
  readonly sync?: (() => Promise<void>) | undefined;
  /** Called after each successful (and synced) commit with its requests and their positions. */
  readonly afterCommit: (requests: readonly AppendRequest[], results: readonly Position[][]) => void;
}

/**
 * Collects publishes that arrive close together and writes them in one transaction, so that a
 * thousand concurrent small publishes cost one commit (one fsync) instead of a thousand. A publish
 * resolves only after the commit that holds it.
 */
export class GroupCommit {
  readonly #options: GroupCommitOptions;
  #queue: Pending[] = [];
  #scheduled = false;
  #idle: (() => void)[] = [];
  /** Commits waiting for their flush. */
  #syncing = 0;

  constructor(options: GroupCommitOptions) {
    this.#options = options;
  }

  enqueue(request: AppendRequest): Promise<Position[]> {
    return new Promise<Position[]>((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves once everything queued so far is committed (or failed). */
  drained(): Promise<void> {
    if (this.#queue.length === 0 && !this.#scheduled && this.#syncing === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    if (this.#options.windowMs > 0) setTimeout(() => this.#flush(), this.#options.windowMs);
    else setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    let count = 0;
    let take = 0;
    while (take < this.#queue.length && (take === 0 || count < this.#options.maxBatchMessages)) {
      count += this.#queue[take]!.request.messages.length;
      take += 1;
    }
    let batch: Pending[];
    if (take === this.#queue.length) {
      batch = this.#queue;
      this.#queue = [];
    } else {
      batch = this.#queue.slice(0, take);
      this.#queue = this.#queue.slice(take);
    }
    if (batch.length > 0) {
      const requests = batch.map((pending) => pending.request);
      let results: Position[][] | undefined;
      try {
        results = this.#options.commit(requests);
      } catch (error) {
        const failure = commitFailed(error, this.#options.where);
        for (const pending of batch) pending.reject(failure);
      }
      if (results !== undefined) {
        if (this.#options.sync === undefined) this.#settle(batch, requests, results);
        else {
          this.#syncing += 1;
          this.#options.sync().then(
            () => {
              this.#syncing -= 1;
              this.#settle(batch, requests, results);
              this.#wakeIdle();
            },
            (error: unknown) => {
              this.#syncing -= 1;
              const failure = syncFailed(error, this.#options.where);
              for (const pending of batch) pending.reject(failure);
              this.#wakeIdle();
            },
          );
        }
      }
    }
    if (this.#queue.length > 0) this.#schedule();
    else this.#wakeIdle();
  }

  #settle(batch: readonly Pending[], requests: readonly AppendRequest[], results: Position[][]): void {
    batch.forEach((pending, index) => pending.resolve(results[index]!));
    this.#options.afterCommit(requests, results);
  }

  #wakeIdle(): void {
    if (this.#queue.length > 0 || this.#scheduled || this.#syncing > 0) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}
