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
    signal.addEventListener(
      'abort',
      () => {
        const pending = [...set];
        set.clear();
        for (const callback of pending) callback();
      },
      { once: true },
    );
  }
  const set = callbacks;
  set.add(onAbort);
  return () => void set.delete(onAbort);
}
