import { createBus, type BatchContext, type Bus, type BusEvent } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';

/** Polls `check` until it holds; fails after `timeoutMs` with `what` in the message. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

/** A bus on a fresh memory transport with fast retries, and a recorder for published events. */
export function memoryBus<Events>(): Bus<Events> {
  return createBus<Events>({
    transport: createMemoryTransport(),
    group: 'test',
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  });
}

/** Records every event of `types` published on `bus` (register before `bus.start()`). */
export function record<Events>(bus: Bus<Events>, ...types: string[]): BusEvent[] {
  const seen: BusEvent[] = [];
  const typed = bus as unknown as Bus<Record<string, unknown>>;
  for (const type of types) {
    typed.on(type, (event) => void seen.push(event), { name: `recorder.${type}`, from: 'earliest' });
  }
  return seen;
}

/**
 * A stand-in for the bus that offers what a pipeline uses (onBatch, publishBatch) and lets a test feed
 * batches of events straight into the pipeline's unit of work: the operators and state commits
 * without a transport, for volumes a test has to run in seconds.
 */
export function directBus<Events>(): {
  bus: Bus<Events>;
  published: { type: string; data: unknown }[];
  feed: (events: readonly BusEvent[]) => Promise<void>;
} {
  const handlers = new Map<
    string,
    (events: readonly BusEvent[], ctx: BatchContext) => Promise<void> | void
  >();
  const published: { type: string; data: unknown }[] = [];
  const bus = {
    onBatch: (type: string, handler: (events: readonly BusEvent[], ctx: BatchContext) => Promise<void>) => {
      handlers.set(type, handler);
      return { name: type, type, topic: type, group: `direct.${type}`, emits: [] };
    },
    publishBatch: (items: readonly { type: string; data: unknown }[]) => {
      for (const { type, data } of items) published.push({ type, data });
      return Promise.resolve([]);
    },
  } as unknown as Bus<Events>;
  const ctx = {
    fail: (_event: BusEvent, error: unknown) => {
      throw error;
    },
    message: () => undefined,
  } as unknown as BatchContext;
  const feed = async (events: readonly BusEvent[]): Promise<void> => {
    const type = events[0]?.type;
    const handler = type === undefined ? undefined : handlers.get(type);
    if (handler === undefined) throw new Error(`no pipeline reads ${String(type)}`);
    await handler(events, ctx);
  };
  return { bus, published, feed };
}
