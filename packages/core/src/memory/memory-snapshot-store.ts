import type { Snapshot, SnapshotStore } from '../event-sourcing/snapshot-store.js';

/** The latest snapshot per stream in a Map, for tests and single-process tools. */
export function createMemorySnapshotStore(): SnapshotStore {
  const snapshots = new Map<string, Snapshot>();
  return {
    async load(streamId) {
      await Promise.resolve();
      const snapshot = snapshots.get(streamId);
      return snapshot === undefined ? undefined : structuredClone(snapshot);
    },
    async save(snapshot) {
      await Promise.resolve();
      const existing = snapshots.get(snapshot.streamId);
      if (existing === undefined || existing.version <= snapshot.version) {
        snapshots.set(snapshot.streamId, structuredClone(snapshot));
      }
    },
    async delete(streamId) {
      await Promise.resolve();
      snapshots.delete(streamId);
    },
  };
}
