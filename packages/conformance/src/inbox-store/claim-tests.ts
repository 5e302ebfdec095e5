import { expect, it } from 'vitest';
import { LONG_MS, tally, uniqueName, type InboxHarness } from './harness.js';

const lease = { leaseMs: LONG_MS } as const;
const ttl = { ttlMs: LONG_MS } as const;

/** First claim wins; later claims see a duplicate; handlers and ids are independent; release. */
export function claimTests(harness: InboxHarness): void {
  it('first claim wins; later claims are busy while it runs and processed after complete, on every handle', async () => {
    const [first, second] = await harness.openPeers(2);
    if (first === undefined || second === undefined) throw new TypeError('openPeers(2) returned too few');
    const handler = uniqueName('billing');
    const id = uniqueName('event');
    expect(await first.claim(handler, id, lease)).toBe('acquired');
    expect(await first.claim(handler, id, lease)).toBe('busy');
    expect(await second.claim(handler, id, lease)).toBe('busy');
    await first.complete(handler, id, ttl);
    expect(await first.claim(handler, id, lease)).toBe('processed');
    expect(await second.claim(handler, id, lease)).toBe('processed');
    // Still processed on a later look: claiming a processed entry must not turn it into a lease.
    expect(await second.claim(handler, id, lease)).toBe('processed');
  });

  it('keeps different handlers of one event independent', async () => {
    const store = await harness.open();
    const id = uniqueName('event');
    const billing = uniqueName('billing');
    const shipping = uniqueName('shipping');
    expect(await store.claim(billing, id, lease)).toBe('acquired');
    expect(await store.claim(shipping, id, lease)).toBe('acquired');
    await store.complete(billing, id, ttl);
    expect(await store.claim(billing, id, lease)).toBe('processed');
    expect(await store.claim(shipping, id, lease)).toBe('busy');
    await store.release(shipping, id);
    expect(await store.claim(shipping, id, lease)).toBe('acquired');
    expect(await store.claim(billing, id, lease)).toBe('processed');
  });

  it('keeps different event ids of one handler independent', async () => {
    const store = await harness.open();
    const handler = uniqueName('billing');
    const a = uniqueName('event');
    const b = uniqueName('event');
    expect(await store.claim(handler, a, lease)).toBe('acquired');
    await store.complete(handler, a, ttl);
    expect(await store.claim(handler, b, lease)).toBe('acquired');
    expect(await store.claim(handler, a, lease)).toBe('processed');
  });

  it('does not mix up keys whose handler and id share separator characters', async () => {
    const store = await harness.open();
    const base = uniqueName('h');
    // (base + ":x", "y") and (base, "x:y") would share a key under naive "handler:id" joining.
    expect(await store.claim(`${base}:x`, 'y', lease)).toBe('acquired');
    await store.complete(`${base}:x`, 'y', ttl);
    expect(await store.claim(base, 'x:y', lease)).toBe('acquired');
  });

  it('release lets the next claim win at once, on any handle', async () => {
    const [first, second] = await harness.openPeers(2);
    if (first === undefined || second === undefined) throw new TypeError('openPeers(2) returned too few');
    const handler = uniqueName('billing');
    const id = uniqueName('event');
    expect(await first.claim(handler, id, lease)).toBe('acquired');
    await first.release(handler, id);
    expect(await second.claim(handler, id, lease)).toBe('acquired');
    expect(await first.claim(handler, id, lease)).toBe('busy');
    await second.complete(handler, id, ttl);
    expect(await first.claim(handler, id, lease)).toBe('processed');
  });

  it('release after complete keeps the processed mark, and release of an unknown entry is a no-op', async () => {
    const store = await harness.open();
    const handler = uniqueName('billing');
    const id = uniqueName('event');
    expect(await store.claim(handler, id, lease)).toBe('acquired');
    await store.complete(handler, id, ttl);
    // A late release (e.g. from a delivery that timed out) must not forget the completed work.
    await store.release(handler, id);
    expect(await store.claim(handler, id, lease)).toBe('processed');
    const unknown = uniqueName('never-claimed');
    await expect(store.release(handler, unknown)).resolves.toBeUndefined();
    expect(await store.claim(handler, unknown, lease)).toBe('acquired');
  });

  it('has exactly one winner among 20 concurrent claims, also across handles', async () => {
    const stores = await harness.openPeers(4);
    const handler = uniqueName('billing');
    for (let round = 0; round < 5; round++) {
      const id = uniqueName(`event-${round}`);
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, i) => stores[i % stores.length]!.claim(handler, id, lease)),
      );
      expect(tally(claims)).toEqual({ acquired: 1, busy: 19, processed: 0 });
    }
  });

  it('answers processed to every one of 20 concurrent claims of a completed event', async () => {
    const stores = await harness.openPeers(4);
    const handler = uniqueName('billing');
    const id = uniqueName('event');
    expect(await stores[0]!.claim(handler, id, lease)).toBe('acquired');
    await stores[0]!.complete(handler, id, ttl);
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => stores[i % stores.length]!.claim(handler, id, lease)),
    );
    expect(tally(claims)).toEqual({ acquired: 0, busy: 0, processed: 20 });
  });

  it('handles unicode and long handler names and event ids exactly', async () => {
    const store = await harness.open();
    const handler = `${uniqueName('påyments')}-日本語-🚀`;
    const unicodeId = `${uniqueName('注文')}-ünïcödé-🎉-Ω`;
    const longId = `${uniqueName('long')}-${'x'.repeat(1_000)}`;
    // Differs from longId in its last character only.
    const longSibling = `${longId.slice(0, -1)}y`;
    for (const id of [unicodeId, longId]) {
      expect(await store.claim(handler, id, lease)).toBe('acquired');
      expect(await store.claim(handler, id, lease)).toBe('busy');
      await store.complete(handler, id, ttl);
      expect(await store.claim(handler, id, lease)).toBe('processed');
    }
    expect(await store.claim(handler, longSibling, lease)).toBe('acquired');
  });
}
