import { describe, expect, it } from 'vitest';
import { WatchedAbortController, watchAbort } from '../src/shared/abort-watch.js';

describe('WatchedAbortController', () => {
  it('aborts its signal, then calls the watchers still watching, once', () => {
    const controller = new WatchedAbortController();
    const seen: string[] = [];
    controller.signal.addEventListener('abort', () => seen.push('listener'));
    watchAbort(controller.signal, () => seen.push(`watcher ${String(controller.signal.reason)}`));
    const unwatch = watchAbort(controller.signal, () => seen.push('stopped watcher'));
    unwatch();

    controller.abort('first');
    controller.abort('second');

    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toBe('first');
    expect(seen).toEqual(['listener', 'watcher first']);
  });

  it('calls nothing before it aborts', () => {
    const controller = new WatchedAbortController();
    const seen: string[] = [];
    watchAbort(controller.signal, () => seen.push('watcher'));
    expect(seen).toEqual([]);
    expect(controller.signal.aborted).toBe(false);
  });
});

describe('watchAbort on a plain signal', () => {
  it('calls the watchers still watching when the signal aborts', () => {
    const controller = new AbortController();
    const seen: string[] = [];
    watchAbort(controller.signal, () => seen.push('a'));
    const unwatch = watchAbort(controller.signal, () => seen.push('b'));
    unwatch();
    controller.abort();
    expect(seen).toEqual(['a']);
  });
});
