/**
 * A level-triggered wake-up: `wake()` before `wait()` is not lost, so a notification that arrives
 * while the waiter is busy still ends its next wait at once.
 */
export class WakeSignal {
  private pending = false;
  private resolveWaiter: (() => void) | undefined;

  wake(): void {
    this.pending = true;
    const resolve = this.resolveWaiter;
    this.resolveWaiter = undefined;
    resolve?.();
  }

  /** Resolves on the next `wake()` (or at once if one came since the last wait), or after `timeoutMs`. */
  async wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.resolveWaiter = resolve;
      timer = setTimeout(resolve, Math.max(0, timeoutMs));
    });
    clearTimeout(timer);
    this.resolveWaiter = undefined;
    this.pending = false;
  }
}
