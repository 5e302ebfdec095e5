/** A counting semaphore: at most `size` holders at once, waiters served in arrival order. */
export class Slots {
  private free: number;
  private readonly waiters: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  /** Takes a slot if one is free, without waiting. */
  tryAcquire(): boolean {
    if (this.free === 0) return false;
    this.free -= 1;
    return true;
  }

  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next === undefined) this.free += 1;
    else next();
  }

  /** Lets every waiter through, used on close so no loop stays parked. */
  releaseAll(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
