import { afterEach } from 'vitest';
import { type Transport } from '@eddy/core';
import { decodeCloudEvent } from '@eddy/core/cloudevents';
import { type OutboxRelay } from '@eddy/core/outbox';

/** What the relay tests read back from a topic: one entry per delivered event, in delivery order. */
export interface SeenEvent {
  readonly key: string;
  readonly seq: number;
  readonly id: string;
}

export const suffix = (): string => Math.random().toString(36).slice(2, 8);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs `cleanup` after the test (in reverse order of registration). */
export function afterTest(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

/** Stops `relay` after the test. */
export function started(relay: OutboxRelay): OutboxRelay {
  cleanups.push(() => relay.stop());
  return relay;
}

/** Subscribes to `topic` until the test ends; the array fills as events arrive. */
export async function collect(transport: Transport, topic: string): Promise<SeenEvent[]> {
  const seen: SeenEvent[] = [];
  const subscription = await transport.subscribe(topic, { group: 'check', from: 'earliest' }, (message) => {
    const event = decodeCloudEvent(message);
    const data = event.data as { seq: number };
    seen.push({ key: String(event.partitionkey), seq: data.seq, id: event.id });
  });
  cleanups.push(() => subscription.close());
  return seen;
}
