import { randomBytes } from 'node:crypto';
import type { InboxClaim, InboxStore } from '@eddy/core';
import { afterEach } from 'vitest';
import { waitFor } from '../wait-for.js';
import type { InboxStoreConformanceOptions } from './options.js';

/** Long enough that a lease or TTL never runs out by accident on a loaded machine. */
export const LONG_MS = 60_000;
/** Short enough that expiry tests finish fast, long enough to observe the entry before it ends. */
export const SHORT_MS = 400;
/** Deadline for anything that waits on a lease or TTL to run out. */
export const EXPIRY_DEADLINE_MS = 10_000;

/** What every test file gets: store handles that are closed after each test, and unique names. */
export interface InboxHarness {
  readonly options: InboxStoreConformanceOptions;
  /** True when separate handles share entries (see `sharedByInstances`). */
  readonly shared: boolean;
  /** Opens a handle that is closed after the current test. */
  open(): Promise<InboxStore>;
  /**
   * `count` handles on the same entries: separate handles when the backend shares them, else one
   * handle repeated (the memory store is one process).
   */
  openPeers(count: number): Promise<InboxStore[]>;
}

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(6).toString('hex')}`;

/** Registers the per-test cleanup; call inside the suite's `describe`. */
export function createInboxHarness(options: InboxStoreConformanceOptions): InboxHarness {
  const opened: InboxStore[] = [];
  const shared = options.sharedByInstances ?? true;
  afterEach(async () => {
    const closing = opened.splice(0).map((store) => store.close());
    await Promise.all(closing);
  });
  const open = async (): Promise<InboxStore> => {
    const store = await options.createStore();
    opened.push(store);
    return store;
  };
  return {
    options,
    shared,
    open,
    async openPeers(count) {
      if (!shared) {
        const store = await open();
        return Array.from({ length: count }, () => store);
      }
      const stores: InboxStore[] = [];
      for (let i = 0; i < count; i++) stores.push(await open());
      return stores;
    },
  };
}

/** Counts each outcome, so assertions print the whole picture when they fail. */
export function tally(claims: readonly InboxClaim[]): Record<InboxClaim, number> {
  const counts: Record<InboxClaim, number> = { acquired: 0, busy: 0, processed: 0 };
  for (const claim of claims) counts[claim]++;
  return counts;
}

/**
 * Claims until the answer is `'acquired'` (the lease or TTL ran out), polling with a deadline.
 * Returns the answers seen before the acquisition, for the caller to check.
 */
export async function claimUntilAcquired(
  store: InboxStore,
  handler: string,
  eventId: string,
): Promise<InboxClaim[]> {
  const before: InboxClaim[] = [];
  let acquired = false;
  await waitFor(
    async () => {
      const claim = await store.claim(handler, eventId, { leaseMs: LONG_MS });
      if (claim === 'acquired') acquired = true;
      else before.push(claim);
      return acquired;
    },
    {
      timeoutMs: EXPIRY_DEADLINE_MS,
      intervalMs: 20,
      description: () =>
        `"${eventId}" of "${handler}" to become claimable (answers so far: ${before.join(', ')})`,
    },
  );
  return before;
}
