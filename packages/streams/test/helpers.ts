import { createBus, type Bus, type BusEvent } from '@eddy/core';
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
