import type { OutboxStore } from '@eddy/core/outbox';
import { expect, it } from 'vitest';
import { allPending, entry, LONG_LEASE_MS, seqOf, suffix, type OutboxHarness } from './harness.js';

function discardOf(store: OutboxStore): (ids: readonly number[]) => Promise<number> {
  const discard = store.discardFailed?.bind(store);
  // The suite runs these cases only for stores that declare discardFailed.
  if (discard === undefined) throw new Error('The store under test has no discardFailed.');
  return discard;
}

/** `discardFailed`: deletes failed rows for good, and nothing else. */
export function discardTests(harness: OutboxHarness): void {
  it('deletes only failed rows: pending, published and unknown ids are ignored', async () => {
    const { store, add } = await harness.open(1);
    await add([1, 2, 3, 4].map((seq) => entry(`orders-${suffix()}`, 'k', seq)));
    await store.claimLanes({ owner: 'relay-a', leaseMs: LONG_LEASE_MS });
    const [first, second, third, fourth] = await store.fetchPending(0, 10);
    for (const row of [first!, second!]) {
      expect(await store.markFailed({ owner: 'relay-a', lane: 0, id: row.id, error: 'bad' })).toBe(true);
    }
    expect(await store.markPublished({ owner: 'relay-a', lane: 0, ids: [third!.id], delete: false })).toBe(
      true,
    );
    const discard = discardOf(store);

    expect(await discard([first!.id, third!.id, fourth!.id, first!.id + 1_000_000])).toBe(1);
    expect(await discard([])).toBe(0);
    expect((await store.failedRows()).map((row) => row.id)).toEqual([second!.id]);
    expect((await allPending(store)).map(seqOf)).toEqual([4]);
    expect(await store.stats()).toMatchObject({ pending: 1, failed: 1 });
    // A discarded row is gone: it cannot be put back, and the published row is still purged.
    expect(await store.retryFailed([first!.id])).toBe(0);
    expect(await store.purgePublished(Date.now() + 3_600_000)).toBe(1);
    expect(await discard([second!.id, second!.id])).toBe(1);
    expect(await store.stats()).toMatchObject({ pending: 1, failed: 0 });
    expect(await store.failedRows()).toEqual([]);
  });

  it('refuses ids that are not integers with EDDY_INVALID_OPTION', async () => {
    const { store } = await harness.open(1);
    const discard = discardOf(store);
    await expect(discard([1.5])).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
    await expect(discard(['1'] as unknown as number[])).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
  });
}
