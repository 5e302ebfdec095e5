import { MinHeap } from '@eddy/core/internal';

/**
 * Which keys of a stage need attention at what time (a window to close, a pattern to time out),
 * so advancing the watermark visits only those keys. Entries are hints: a popped key is looked up
 * in state again, and a key whose time changed is pushed again under the new time.
 */
export class DueIndex {
  #heap = new MinHeap<string>();
  readonly #times = new Map<string, number>();

  /** Records that `key` needs attention at `at` (or never, for `undefined`). */
  set(key: string, at: number | undefined): void {
    if (at === undefined) {
      this.#times.delete(key);
      return;
    }
    if (this.#times.get(key) === at) return;
    this.#times.set(key, at);
    this.#heap.push(at, key);
  }

  /** The earliest recorded time, if any. */
  peek(): number | undefined {
    for (;;) {
      const at = this.#heap.peekAt();
      if (at === undefined) return undefined;
      // Drop entries superseded by a later `set` of the same key.
      if (this.#times.get(this.#heap.peek()!) === at) return at;
      this.#heap.pop();
    }
  }

  /** Removes and returns the keys due at or before `at`. */
  takeDue(at: number): string[] {
    const due: string[] = [];
    for (let next = this.peek(); next !== undefined && next <= at; next = this.peek()) {
      const key = this.#heap.pop()!;
      this.#times.delete(key);
      due.push(key);
    }
    return due;
  }

  clear(): void {
    this.#heap = new MinHeap<string>();
    this.#times.clear();
  }
}
