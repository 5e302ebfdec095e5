import { expect, it } from 'vitest';
import { waitFor } from '../wait-for.js';
import {
  claimUntilAcquired,
  EXPIRY_DEADLINE_MS,
  LONG_MS,
  SHORT_MS,
  tally,
  uniqueName,
  type InboxHarness,
} from './harness.js';

const lease = { leaseMs: LONG_MS } as const;
const ttl = { ttlMs: LONG_MS } as const;

/** Leases and processed marks end when their time is up; purgeExpired deletes what ended. */
export function expiryTests(harness: InboxHarness): void {
  it('lets another claimer take over a lease that expired (the claimer crashed)', async () => {
    const [crashed, survivor] = await harness.openPeers(2);
    if (crashed === undefined || survivor === undefined) throw new TypeError('openPeers(2) returned too few');
    const handler = uniqueName('billing');
    const id = uniqueName('event');
    const started = Date.now();
    expect(await crashed.claim(handler, id, { leaseMs: SHORT_MS })).toBe('acquired');
    const before = await claimUntilAcquired(survivor, handler, id);
    // Turned away at least once, or "every refusal said busy" would hold for no refusal at all.
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((claim) => claim === 'busy')).toBe(true);
    // The lease was honoured for (about) its length before it was taken over.
    expect(Date.now() - started).toBeGreaterThanOrEqual(SHORT_MS - 50);
    // The new holder's lease is live: the crashed claimer coming back sees busy.
    expect(await crashed.claim(handler, id, lease)).toBe('busy');
    await survivor.complete(handler, id, ttl);
    expect(await crashed.claim(handler, id, lease)).toBe('processed');
  });

  it('has exactly one winner among 20 concurrent claims of an expired lease', async () => {
    const stores = await harness.openPeers(4);
    const handler = uniqueName('billing');
    const id = uniqueName('event');
    expect(await stores[0]!.claim(handler, id, { leaseMs: SHORT_MS })).toBe('acquired');
    // Each round either finds the lease still live (all busy) or races for the takeover.
    let winners = -1;
    await waitFor(
      async () => {
        const claims = await Promise.all(
          Array.from({ length: 20 }, (_, i) => stores[i % stores.length]!.claim(handler, id, lease)),
        );
        const counts = tally(claims);
        expect(counts.processed).toBe(0);
        winners = counts.acquired;
        return winners > 0;
      },
      { timeoutMs: EXPIRY_DEADLINE_MS, intervalMs: 20, description: 'the lease to expire' },
    );
    expect(winners).toBe(1);
  });

  it('forgets a completed event once its TTL window ends', async () => {
    const store = await harness.open();
    const handler = uniqueName('billing');
    const id = uniqueName('event');
    const kept = uniqueName('event');
    expect(await store.claim(handler, id, lease)).toBe('acquired');
    expect(await store.claim(handler, kept, lease)).toBe('acquired');
    await store.complete(handler, kept, ttl);
    const started = Date.now();
    await store.complete(handler, id, { ttlMs: SHORT_MS });
    expect(await store.claim(handler, id, lease)).toBe('processed');
    const before = await claimUntilAcquired(store, handler, id);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((claim) => claim === 'processed')).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SHORT_MS - 50);
    // complete sets the window from now: the long TTL's entry is still remembered.
    expect(await store.claim(handler, kept, lease)).toBe('processed');
  });

  it('purgeExpired deletes ended entries only and reports how many', async () => {
    const store = await harness.open();
    const handler = uniqueName('billing');
    const done = uniqueName('done');
    const running = uniqueName('running');
    const ended = uniqueName('ended');
    const crashed = uniqueName('crashed');
    expect(await store.claim(handler, done, lease)).toBe('acquired');
    await store.complete(handler, done, ttl);
    expect(await store.claim(handler, running, lease)).toBe('acquired');
    expect(await store.claim(handler, ended, lease)).toBe('acquired');
    await store.complete(handler, ended, { ttlMs: SHORT_MS });
    expect(await store.claim(handler, crashed, { leaseMs: SHORT_MS })).toBe('acquired');

    // Nothing of this test has ended yet (other tests' entries may have).
    const now = await store.purgeExpired();
    expect(Number.isInteger(now) && now >= 0).toBe(true);
    expect(await store.claim(handler, done, lease)).toBe('processed');
    expect(await store.claim(handler, running, lease)).toBe('busy');

    // A `now` past the short windows but inside the long ones.
    const removed = await store.purgeExpired(Date.now() + 10 * SHORT_MS);
    if (harness.options.expiresEntriesItself === true) {
      expect(removed).toBe(0);
    } else {
      expect(removed).toBeGreaterThanOrEqual(2);
      // Deleted, so claimable at once without waiting for the clock.
      expect(await store.claim(handler, ended, lease)).toBe('acquired');
      expect(await store.claim(handler, crashed, lease)).toBe('acquired');
      expect(await store.purgeExpired(Date.now() + 10 * SHORT_MS)).toBe(0);
    }
    expect(await store.claim(handler, done, lease)).toBe('processed');
    expect(await store.claim(handler, running, lease)).toBe('busy');
  });
}
