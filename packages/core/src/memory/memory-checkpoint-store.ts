import type { CheckpointStore } from '../event-sourcing/checkpoint-store.js';

/** Checkpoints in a Map, for tests and single-process tools. */
export function createMemoryCheckpointStore(): CheckpointStore {
  const positions = new Map<string, number>();
  return {
    async load(subscriptionId) {
      await Promise.resolve();
      return positions.get(subscriptionId);
    },
    async save(subscriptionId, position) {
      await Promise.resolve();
      positions.set(subscriptionId, position);
    },
    async delete(subscriptionId) {
      await Promise.resolve();
      positions.delete(subscriptionId);
    },
  };
}
