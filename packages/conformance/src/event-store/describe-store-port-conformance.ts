import { randomBytes } from 'node:crypto';
import type { CheckpointStore, SnapshotStore } from '@eddy/core/event-sourcing';
import { afterAll, describe, expect, it } from 'vitest';

/** How the checkpoint and snapshot suites reach the store under test. */
export interface StorePortConformanceOptions<TStore> {
  /** Backend name shown in the test names. */
  readonly name: string;
  /** Returns a store on the backend; may be called more than once and share one database (ids are random). */
  readonly createStore: () => TStore | Promise<TStore>;
  /** Runs once after all tests. */
  readonly teardown?: () => Promise<void>;
}

const uniqueId = (prefix: string): string => `${prefix}-${randomBytes(6).toString('hex')}`;

/** The `CheckpointStore` contract: load what was saved, overwrite, forget, survive a new instance. */
export function describeCheckpointStoreConformance(
  options: StorePortConformanceOptions<CheckpointStore>,
): void {
  describe(`checkpoint store conformance: ${options.name}`, () => {
    if (options.teardown !== undefined) afterAll(options.teardown);

    it('loads undefined for a subscription that never saved', async () => {
      const store = await options.createStore();
      expect(await store.load(uniqueId('never'))).toBeUndefined();
    });

    it('loads the last saved position, also from another instance', async () => {
      const id = uniqueId('sub');
      const store = await options.createStore();
      await store.save(id, 5);
      await store.save(id, 42);
      expect(await store.load(id)).toBe(42);
      const other = await options.createStore();
      expect(await other.load(id)).toBe(42);
    });

    it('keeps subscriptions apart and forgets a deleted one', async () => {
      const store = await options.createStore();
      const a = uniqueId('a');
      const b = uniqueId('b');
      await store.save(a, 1);
      await store.save(b, 2);
      await store.delete(a);
      expect(await store.load(a)).toBeUndefined();
      expect(await store.load(b)).toBe(2);
      await store.delete(uniqueId('missing'));
    });

    it('stores positions beyond 32 bits exactly', async () => {
      const store = await options.createStore();
      const id = uniqueId('big');
      await store.save(id, 2 ** 40 + 3);
      expect(await store.load(id)).toBe(2 ** 40 + 3);
    });
  });
}

/** The `SnapshotStore` contract: latest snapshot per stream, never replaced by an older one. */
export function describeSnapshotStoreConformance(options: StorePortConformanceOptions<SnapshotStore>): void {
  describe(`snapshot store conformance: ${options.name}`, () => {
    if (options.teardown !== undefined) afterAll(options.teardown);

    const snapshot = (streamId: string, version: number, state: unknown = { version }) => ({
      streamId,
      version,
      state,
      schemaVersion: 2,
      takenAt: 1_700_000_000_000 + version,
    });

    it('loads undefined when none was saved', async () => {
      const store = await options.createStore();
      expect(await store.load(uniqueId('none'))).toBeUndefined();
    });

    it('round-trips a snapshot exactly, also from another instance', async () => {
      const store = await options.createStore();
      const streamId = uniqueId('order');
      const saved = snapshot(streamId, 7, {
        items: [{ sku: 'a', qty: 2 }],
        note: 'Zürich 🚀',
        paid: false,
        total: 12.5,
      });
      await store.save(saved);
      expect(await store.load(streamId)).toEqual(saved);
      expect(await (await options.createStore()).load(streamId)).toEqual(saved);
    });

    it('replaces with a newer version, never with an older one', async () => {
      const store = await options.createStore();
      const streamId = uniqueId('order');
      await store.save(snapshot(streamId, 5));
      await store.save(snapshot(streamId, 10));
      await store.save(snapshot(streamId, 8));
      expect((await store.load(streamId))?.version).toBe(10);
    });

    it('deletes a stream snapshot', async () => {
      const store = await options.createStore();
      const streamId = uniqueId('order');
      await store.save(snapshot(streamId, 1));
      await store.delete(streamId);
      expect(await store.load(streamId)).toBeUndefined();
    });
  });
}
