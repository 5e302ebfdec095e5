import { Deque } from '../shared/deque.js';

interface Waiter {
  readonly since: number;
  readonly grant: () => void;
}

/**
 * Handler slots shared by the priority lanes of one handler. A free slot goes to the waiting
 * delivery of the highest level, except that a delivery waiting longer than `agingMs` goes first
 * whatever its level (oldest first): under a steady flood of urgent events the low levels still
 * move, at least one delivery per `agingMs` per free slot, instead of starving until their leases
 * run out and they are redelivered in a loop.
 */
export class PriorityGate {
  readonly #waiting: Deque<Waiter>[];
  readonly #agingMs: number;
  #free: number;

  constructor(options: { readonly slots: number; readonly levels: number; readonly agingMs: number }) {
    this.#free = options.slots;
    this.#agingMs = options.agingMs;
    this.#waiting = Array.from({ length: options.levels }, () => new Deque<Waiter>());
  }

  /** Resolves when the delivery may run; call `release` once it has settled. */
  acquire(level: number): Promise<void> {
    if (this.#free > 0 && this.#nobodyWaiting()) {
      this.#free -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((grant) => {
      (this.#waiting[level] as Deque<Waiter>).push({ since: Date.now(), grant });
      this.#dispatch();
    });
  }

  release(): void {
    this.#free += 1;
    this.#dispatch();
  }

  /** Deliveries waiting for a slot, per level. */
  get waiting(): number[] {
    return this.#waiting.map((queue) => queue.size);
  }

  #dispatch(): void {
    while (this.#free > 0) {
      const next = this.#next();
      if (next === undefined) return;
      this.#free -= 1;
      next.grant();
    }
  }

  #next(): Waiter | undefined {
    const agedBefore = Date.now() - this.#agingMs;
    let oldest: Deque<Waiter> | undefined;
    for (const queue of this.#waiting) {
      const head = queue.peek();
      if (
        head !== undefined &&
        head.since <= agedBefore &&
        (oldest === undefined || head.since < (oldest.peek() as Waiter).since)
      ) {
        oldest = queue;
      }
    }
    if (oldest !== undefined) return oldest.shift();
    for (let level = this.#waiting.length - 1; level >= 0; level--) {
      const queue = this.#waiting[level] as Deque<Waiter>;
      if (queue.size > 0) return queue.shift();
    }
    return undefined;
  }

  #nobodyWaiting(): boolean {
    return this.#waiting.every((queue) => queue.size === 0);
  }
}
