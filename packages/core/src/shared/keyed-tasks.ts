import { KeyedQueue } from './keyed-queue.js';

interface Task {
  readonly key: string | undefined;
  execute(): void;
}

/**
 * `KeyedQueue` for promise-returning work: `run(key, task)` starts `task` when its key and a slot
 * are free and settles with it. For paths where a closure per task costs nothing that matters
 * (saga steps, a partition's batch); transports' per-message paths use `KeyedQueue` directly.
 */
export class KeyedTasks {
  readonly #queue: KeyedQueue<Task>;

  /** `concurrency`: most tasks running at once. Default unlimited (one per key still holds). */
  constructor(concurrency?: number) {
    this.#queue = new KeyedQueue<Task>({
      ...(concurrency === undefined ? {} : { concurrency }),
      keyOf: (task) => task.key,
      start: (task) => task.execute(),
    });
  }

  /** Tasks started and not settled. */
  get running(): number {
    return this.#queue.running;
  }

  run<T>(key: string | undefined, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Task = {
        key,
        execute: () => {
          // The async wrapper turns a synchronous throw into a rejection, like a returned one.
          void (async () => task())()
            .then(resolve, reject)
            .finally(() => this.#queue.done(entry));
        },
      };
      this.#queue.push(entry);
    });
  }

  /** Resolves once no task runs or waits. */
  whenIdle(): Promise<void> {
    return this.#queue.whenIdle();
  }
}
