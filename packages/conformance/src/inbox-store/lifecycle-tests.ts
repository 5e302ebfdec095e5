import { ErrorCodes, isEddyError } from '@eddy/core';
import { expect, it } from 'vitest';
import { itUnless } from '../skip.js';
import { LONG_MS, uniqueName, type InboxHarness } from './harness.js';

/** Settles `call`, reporting a synchronous throw apart from a rejection. */
async function outcome(call: () => Promise<unknown>): Promise<{ sync: boolean; error: unknown }> {
  let pending: Promise<unknown>;
  try {
    pending = call();
  } catch (error) {
    return { sync: true, error };
  }
  try {
    await pending;
    return { sync: false, error: undefined };
  } catch (error) {
    return { sync: false, error };
  }
}

/** close is idempotent and a closed store refuses work with a typed error. */
export function lifecycleTests(harness: InboxHarness): void {
  it('close is idempotent, and every method of a closed store rejects with EDDY_CLOSED', async () => {
    const store = await harness.open();
    const handler = uniqueName('billing');
    const id = uniqueName('event');
    expect(await store.claim(handler, id, { leaseMs: LONG_MS })).toBe('acquired');
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
    const calls: Record<string, () => Promise<unknown>> = {
      claim: () => store.claim(handler, id, { leaseMs: LONG_MS }),
      complete: () => store.complete(handler, id, { ttlMs: LONG_MS }),
      release: () => store.release(handler, id),
      purgeExpired: () => store.purgeExpired(),
    };
    for (const [method, call] of Object.entries(calls)) {
      const { sync, error } = await outcome(call);
      expect({ method, sync, closed: isEddyError(error, ErrorCodes.Closed) }).toEqual({
        method,
        sync: false,
        closed: true,
      });
    }
  });

  // A memory store's entries end with the store, so only backends whose handles share entries run this.
  const notShared = harness.shared
    ? undefined
    : `${harness.options.name} handles do not share entries (sharedByInstances is false), so closing one ends them`;
  itUnless(notShared, 'keeps entries on the backend when one handle closes', async () => {
    const [first, second] = await harness.openPeers(2);
    if (first === undefined || second === undefined) throw new TypeError('openPeers(2) returned too few');
    const handler = uniqueName('billing');
    const id = uniqueName('event');
    expect(await first.claim(handler, id, { leaseMs: LONG_MS })).toBe('acquired');
    await first.complete(handler, id, { ttlMs: LONG_MS });
    await first.close();
    expect(await second.claim(handler, id, { leaseMs: LONG_MS })).toBe('processed');
    const reopened = await harness.open();
    expect(await reopened.claim(handler, id, { leaseMs: LONG_MS })).toBe('processed');
  });
}
