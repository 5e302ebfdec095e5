// Many deliveries in flight share one signal (a consumer's shutdown). EventTarget scans its whole
// listener list on every add, so one listener per delivery made a consumer with thousands of
// deliveries in flight (batch handlers) quadratic. Here each signal gets one listener that calls
// the callbacks of a set, where adding and removing cost O(1).
const watchers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `onAbort` once when `signal` aborts; the returned function stops watching. The signal must
 * not be aborted yet.
 */
export function watchAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let callbacks = watchers.get(signal);
  if (callbacks === undefined) {
    const set = new Set<() => void>();
    watchers.set(signal, (callbacks = set));
    signal.addEventListener('abort', () => callWatchers(set), { once: true });
  }
  const set = callbacks;
  set.add(onAbort);
  return () => void set.delete(onAbort);
}

function callWatchers(set: Set<() => void>): void {
  const pending = [...set];
  set.clear();
  for (const callback of pending) callback();
}

/**
 * An abort controller whose watchers (`watchAbort` on its signal) are called by `abort` itself,
 * without an event listener on the signal: for a signal made per attempt, where adding that
 * listener cost more than the rest of the watching.
 */
export class WatchedAbortController {
  readonly signal: AbortSignal;
  readonly #controller: AbortController;
  readonly #watchers = new Set<() => void>();

  constructor() {
    this.#controller = new AbortController();
    this.signal = this.#controller.signal;
    watchers.set(this.signal, this.#watchers);
  }

  /** Aborts the signal (its own listeners run first), then calls its watchers. */
  abort(reason: unknown): void {
    if (this.signal.aborted) return;
    this.#controller.abort(reason);
    callWatchers(this.#watchers);
  }
}
