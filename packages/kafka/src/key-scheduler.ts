/**
 * Runs tasks with at most `concurrency` at once and at most one at a time per key, in submission
 * order per key. This is what lets one partition's messages run concurrently while every key keeps
 * its order.
 */
export class KeyScheduler {
  private running = 0;
  private readonly ready: { key: string; run: () => Promise<void> }[] = [];
  private readonly queues = new Map<string, (() => Promise<void>)[]>();
  private readonly busyKeys = new Set<string>();

  constructor(private readonly concurrency: number) {}

  /** Queues `task` under `key`; the returned promise settles with the task. */
  submit<T>(key: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = (): Promise<void> => task().then(resolve, reject);
      const queue = this.queues.get(key);
      if (queue !== undefined || this.busyKeys.has(key)) {
        if (queue === undefined) this.queues.set(key, [run]);
        else queue.push(run);
      } else {
        this.busyKeys.add(key);
        this.ready.push({ key, run });
      }
      this.pump();
    });
  }

  /** Tasks started and not finished. */
  get active(): number {
    return this.running;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.ready.length > 0) {
      const { key, run } = this.ready.shift()!;
      this.running += 1;
      void run().finally(() => {
        this.running -= 1;
        const queue = this.queues.get(key);
        const next = queue?.shift();
        if (queue !== undefined && queue.length === 0) this.queues.delete(key);
        if (next === undefined) this.busyKeys.delete(key);
        else this.ready.push({ key, run: next });
        this.pump();
      });
    }
  }
}
