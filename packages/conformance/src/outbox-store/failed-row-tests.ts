import { expect, it } from 'vitest';
import { allPending, entry, LONG_LEASE_MS, seqOf, suffix, type OutboxHarness } from './harness.js';

/** `markFailed`, `failedRows` (with attempts), `retryFailed` and the failed count of `stats`. */
export function failedRowTests(harness: OutboxHarness): void {
  it('sets a row aside: the rows behind it in its lane come next, and failedRows keeps it with its error', async () => {
    const { store, add } = await harness.open(1);
    const topic = `orders-${suffix()}`;
    await add([1, 2, 3].map((seq) => entry(topic, 'k', seq)));
    await store.claimLanes({ owner: 'relay-a', leaseMs: LONG_LEASE_MS });
    const rows = await store.fetchPending(0, 10);
    expect(rows.map(seqOf)).toEqual([1, 2, 3]);
    const before = Date.now();
    const error = 'EDDY_MESSAGE_TOO_LARGE: Message of 5000 bytes exceeds the transport limit';
    expect(await store.markFailed({ owner: 'relay-a', lane: 0, id: rows[1]!.id, error })).toBe(true);

    expect((await store.fetchPending(0, 10)).map(seqOf)).toEqual([1, 3]);
    expect(await store.stats()).toMatchObject({ pending: 2, failed: 1 });
    const failed = await store.failedRows();
    expect(failed).toHaveLength(1);
    const [row] = failed;
    expect(row).toMatchObject({ id: rows[1]!.id, topic, key: 'k', lane: 0, error });
    expect(seqOf(row!)).toBe(2);
    // Database clocks may differ a little from this process's.
    expect(Math.abs(row!.failedAt - before)).toBeLessThan(60_000);
  });

  it('keeps the attempts a row had (1 when not given), and forgets them when the row is put back', async () => {
    const { store, add } = await harness.open(1);
    await add([1, 2].map((seq) => entry(`orders-${suffix()}`, 'k', seq)));
    await store.claimLanes({ owner: 'relay-a', leaseMs: LONG_LEASE_MS });
    const [first, second] = await store.fetchPending(0, 10);
    const request = { owner: 'relay-a', lane: 0, error: 'bad' };
    expect(await store.markFailed({ ...request, id: first!.id, attempts: 5 })).toBe(true);
    expect(await store.markFailed({ ...request, id: second!.id })).toBe(true);
    expect((await store.failedRows()).map((row) => [row.id, row.attempts])).toEqual([
      [first!.id, 5],
      [second!.id, 1],
    ]);

    expect(await store.retryFailed([first!.id])).toBe(1);
    expect(await store.markFailed({ ...request, id: first!.id, attempts: 2 })).toBe(true);
    expect((await store.failedRows()).map((row) => row.attempts)).toEqual([2, 1]);
    await expect(store.markFailed({ ...request, id: first!.id, attempts: 0 })).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
  });

  it('sets nothing aside without the lane lease', async () => {
    const { store, add } = await harness.open(1);
    await add([entry(`orders-${suffix()}`, 'k', 1)]);
    await store.claimLanes({ owner: 'relay-a', leaseMs: LONG_LEASE_MS });
    const [row] = await store.fetchPending(0, 10);
    const request = { lane: 0, id: row!.id, error: 'x' };
    expect(await store.markFailed({ ...request, owner: 'relay-b' })).toBe(false);
    await store.releaseLanes('relay-a', [0]);
    expect(await store.markFailed({ ...request, owner: 'relay-a' })).toBe(false);
    expect(await store.stats()).toMatchObject({ pending: 1, failed: 0 });
    expect(await store.failedRows()).toEqual([]);
  });

  it('puts failed rows back ahead of later rows, and never purges them', async () => {
    const { store, add } = await harness.open(1);
    await add([1, 2, 3].map((seq) => entry(`orders-${suffix()}`, 'k', seq)));
    await store.claimLanes({ owner: 'relay-a', leaseMs: LONG_LEASE_MS });
    const [first, second, third] = await store.fetchPending(0, 10);
    for (const row of [first!, second!]) {
      expect(await store.markFailed({ owner: 'relay-a', lane: 0, id: row.id, error: 'bad' })).toBe(true);
    }
    expect(await store.markPublished({ owner: 'relay-a', lane: 0, ids: [third!.id], delete: false })).toBe(
      true,
    );
    expect(await store.purgePublished(Date.now() + 3_600_000)).toBe(1);
    expect((await store.failedRows()).map((row) => row.id)).toEqual([first!.id, second!.id]);

    // Unknown, published or pending ids are not failed rows: only the first one counts.
    expect(await store.retryFailed([first!.id, third!.id, first!.id + 1_000_000])).toBe(1);
    expect(await store.retryFailed([])).toBe(0);
    expect((await allPending(store)).map(seqOf)).toEqual([1]);
    expect(await store.stats()).toMatchObject({ pending: 1, failed: 1 });
    expect(await store.retryFailed([second!.id, first!.id])).toBe(1);
    expect((await store.fetchPending(0, 10)).map(seqOf)).toEqual([1, 2]);
    expect(await store.stats()).toMatchObject({ pending: 2, failed: 0 });
    expect(await store.failedRows()).toEqual([]);
  });

  it('pages through failed rows in id order', async () => {
    const { store, add } = await harness.open(2);
    const topic = `orders-${suffix()}`;
    await add([1, 2, 3, 4, 5].map((seq) => entry(topic, `k${seq}`, seq)));
    await store.claimLanes({ owner: 'relay-a', leaseMs: LONG_LEASE_MS });
    const rows = await allPending(store);
    for (const row of rows) {
      expect(await store.markFailed({ owner: 'relay-a', lane: row.lane, id: row.id, error: 'bad' })).toBe(
        true,
      );
    }
    const ids = rows.map((row) => row.id).sort((a, b) => a - b);
    expect((await store.failedRows({ limit: 2 })).map((row) => row.id)).toEqual(ids.slice(0, 2));
    expect((await store.failedRows({ limit: 2, afterId: ids[1]! })).map((row) => row.id)).toEqual(
      ids.slice(2, 4),
    );
    expect(await store.failedRows({ afterId: ids[4]! })).toEqual([]);
    expect(await store.stats()).toMatchObject({ pending: 0, failed: 5, oldestPendingAt: undefined });
    await expect(store.failedRows({ limit: 0 })).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
  });
}
