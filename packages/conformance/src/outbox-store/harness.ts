import { decodeCloudEvent } from '@eddy/core/cloudevents';
import { type OutboxEntry, type OutboxRecord, type OutboxStore } from '@eddy/core/outbox';
import { afterEach } from 'vitest';
import type { OutboxStoreConformanceOptions, OutboxUnderTest } from './options.js';

/** Long enough that a lease never runs out by accident on a loaded machine. */
export const LONG_LEASE_MS = 60_000;

export interface OutboxHarness {
  /** Opens an outbox that is closed after the current test. */
  open(lanes: number): Promise<OutboxUnderTest>;
}

/** Registers the per-test cleanup; call inside the suite's `describe`. */
export function createOutboxHarness(options: OutboxStoreConformanceOptions): OutboxHarness {
  const opened: OutboxUnderTest[] = [];
  afterEach(async () => {
    for (const outbox of opened.splice(0).reverse()) {
      await outbox.store.close();
      await outbox.close?.();
    }
  });
  return {
    async open(lanes) {
      const outbox = await options.createOutbox(lanes);
      opened.push(outbox);
      return outbox;
    },
  };
}

/** An event of key `key` whose data carries `seq` (and `extra`, e.g. padding). */
export function entry(
  topic: string,
  key: string,
  seq: number,
  extra: Readonly<Record<string, unknown>> = {},
): OutboxEntry {
  return {
    topic,
    event: { source: 'conformance', type: 'order.placed', partitionkey: key, data: { seq, ...extra } },
  };
}

/** The `seq` a row's event carries. */
export function seqOf(row: OutboxRecord): number {
  return (decodeCloudEvent(row).data as { seq: number }).seq;
}

/** Every pending row of every lane, lane by lane. */
export async function allPending(store: OutboxStore): Promise<OutboxRecord[]> {
  const lanes = Array.from({ length: store.lanes }, (_, lane) => lane);
  return (await Promise.all(lanes.map((lane) => store.fetchPending(lane, 1_000)))).flat();
}

export const suffix = (): string => Math.random().toString(36).slice(2, 8);
