import { Deque } from './deque.js';

export interface KeyedQueueOptions<T> {
  /**
   * Most items started and not yet `done` at once. Default unlimited (keys alone serialise).
   */
  readonly concurrency?: number;
  /** The key an item is serialised under, or undefined when it has none. Default: no keys. */
  readonly keyOf?: (item: T) => string | undefined;
  /** Starts an item. The owner calls `done(item)` once it has finished, however it ended. */
  readonly start: (item: T) => void;
  /**
   * Asked when a waiting item's turn comes; false drops it without starting it (a message that
   * was settled or handed over while it waited). Default: every item is live.
   */
  readonly isLive?: (item: T) => boolean;
}

/**
 * Keyed concurrency, the one copy every transport and runner shares: at most `concurrency` items
 * run at once, at most one per key, and each key's items start in the order they were pushed.
 * Items without a key are only bound by `concurrency`. Items waiting for a free slot start in
 * push order once their key is free.
 *
 * It hands the caller's own items to `start` instead of running closures, so a transport's hot
 * path allocates nothing per message here beyond a slot in a queue.
 */
export class KeyedQueue<T> {
  readonly #concurrency: number;
  // The callbacks are called as methods of the options object: an owner that passes itself (a
  // class instance) makes every queue call the same methods, which V8 optimises once for all
  // queues. Closures made per queue are inlined as constants and optimised again for each queue
  // once an earlier queue's closures are collected.
  readonly #options: KeyedQueueOptions<T>;
  readonly #running = new Set<T>();
  /** Items free to start (their key, if any, is held by them), oldest first. */
  readonly #ready = new Deque<T>();
  /** Items behind an earlier item of the same key. A key is held while it has an entry here. */
  readonly #blocked = new Map<string, Deque<T>>();
  #roomWaiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];

  constructor(options: KeyedQueueOptions<T>) {
    this.#concurrency = options.concurrency ?? Number.POSITIVE_INFINITY;
    this.#options = options;
  }

  /** Items started and not done. */
  get running(): number {
    return this.#running.size;
  }

  /** Items pushed and not started yet. */
  get waiting(): number {
    let count = this.#ready.size;
    for (const queue of this.#blocked.values()) count += queue.size;
    return count;
  }

  /** True while another item pushed now would start at once (ignoring keys). */
  get hasRoom(): boolean {
    return this.#running.size + this.#ready.size < this.#concurrency;
  }

  /** Starts `item` now if its key and a slot are free, else queues it. */
  push(item: T): void {
    const key = this.#options.keyOf?.(item);
    if (key !== undefined) {
      const behind = this.#blocked.get(key);
      if (behind !== undefined) {
        behind.push(item);
        return;
      }
      // Hold the key from now on, whether the item starts at once or waits for a slot.
      this.#blocked.set(key, new Deque());
    }
    if (this.#ready.size === 0 && this.#running.size < this.#concurrency) this.#run(item);
    else this.#ready.push(item);
  }

  /**
   * Ends a started item: frees its slot and its key, and starts what waited for them. Calling it
   * for an item that is not running (twice, or never started) does nothing.
   */
  done(item: T): void {
    if (!this.#running.delete(item)) return;
    this.#releaseKey(item);
    this.#pump();
  }

  /** Removes waiting items that `predicate` selects (they are never started) and returns them. */
  drop(predicate: (item: T) => boolean): T[] {
    const dropped = this.#ready.removeWhere(predicate);
    for (const [key, behind] of this.#blocked) {
      dropped.push(...behind.removeWhere(predicate));
      if (behind.size === 0 && !this.#holds(key)) this.#blocked.delete(key);
    }
    // A dropped ready item held its key: pass the key to the next item of that key, if any.
    for (const item of dropped) this.#releaseKey(item, true);
    this.#pump();
    return dropped;
  }

  /** Resolves once another item would start at once (see `hasRoom`), or when `wake()` is called. */
  whenRoom(): Promise<void> {
    if (this.hasRoom) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  /** Resolves once nothing runs and nothing waits. */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Resolves every `whenRoom` waiter now, e.g. so that loops parked on it can see a close. */
  wake(): void {
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #run(item: T): void {
    this.#running.add(item);
    this.#options.start(item);
  }

  /** True when a running or ready item holds `key`. */
  #holds(key: string): boolean {
    for (const item of this.#running) if (this.#options.keyOf?.(item) === key) return true;
    for (const item of this.#ready) if (this.#options.keyOf?.(item) === key) return true;
    return false;
  }

  #releaseKey(item: T, onlyIfHeld = false): void {
    const key = this.#options.keyOf?.(item);
    if (key === undefined) return;
    const behind = this.#blocked.get(key);
    if (behind === undefined) return;
    if (onlyIfHeld && this.#holds(key)) return;
    const next = behind.shift();
    if (next === undefined) this.#blocked.delete(key);
    else this.#ready.push(next);
  }

  #pump(): void {
    while (this.#running.size < this.#concurrency && this.#ready.size > 0) {
      const next = this.#ready.shift()!;
      if (this.#options.isLive !== undefined && !this.#options.isLive(next)) {
        this.#releaseKey(next);
        continue;
      }
      this.#run(next);
    }
    if (this.#roomWaiters.length > 0 && this.hasRoom) this.wake();
    if (this.#idleWaiters.length > 0 && this.#isIdle()) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  #isIdle(): boolean {
    return this.#running.size === 0 && this.#ready.size === 0 && this.#blocked.size === 0;
  }
}
