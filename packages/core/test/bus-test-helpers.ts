import type { Transport } from '@eddy/core';

/** Polls `check` until it returns true, failing after `timeoutMs`. Tests never sleep to synchronise. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A unique suffix for topic and group names, so runs never interfere. */
export function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Wraps a transport to count, per topic, deliveries its subscribers acknowledged and nacked, and
 * the most deliveries handed out at once, so tests can wait on settlement instead of sleeping.
 */
export function observedTransport(inner: Transport): Transport & {
  readonly acked: Map<string, number>;
  readonly nacked: Map<string, number>;
  readonly maxConcurrent: Map<string, number>;
} {
  const acked = new Map<string, number>();
  const nacked = new Map<string, number>();
  const maxConcurrent = new Map<string, number>();
  const running = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string, by = 1): number => {
    const value = (map.get(key) ?? 0) + by;
    map.set(key, value);
    return value;
  };
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    acked,
    nacked,
    maxConcurrent,
    publish: (topic, messages) => inner.publish(topic, messages),
    close: () => inner.close(),
    subscribe: (topic, options, handler) =>
      inner.subscribe(topic, options, async (message) => {
        const now = bump(running, topic);
        if (now > (maxConcurrent.get(topic) ?? 0)) maxConcurrent.set(topic, now);
        try {
          await handler(message);
          bump(acked, topic);
        } catch (error) {
          bump(nacked, topic);
          throw error;
        } finally {
          bump(running, topic, -1);
        }
      }),
  };
}
