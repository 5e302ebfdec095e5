import { describe, expect, it } from 'vitest';
import {
  aggregateStream,
  commandHandler,
  everyNEvents,
  type Decider,
  type EventStore,
  type ReadStreamOptions,
} from '@eddy/core/event-sourcing';
import { createMemoryEventStore, createMemorySnapshotStore } from '@eddy/core/testing';

type Tally = { readonly total: number; readonly count: number };
type Add = { readonly type: 'Add'; readonly by: number };
type Added = { readonly type: 'Added'; readonly data: { readonly by: number } };

const tally: Decider<Tally, Add, Added> = {
  initialState: () => ({ total: 0, count: 0 }),
  decide: (command) => ({ type: 'Added', data: { by: command.by } }),
  evolve: (state, event) => ({ total: state.total + event.data.by, count: state.count + 1 }),
};

/** Counts how many events each load reads, to prove snapshots shorten it. */
function countingStore(store: EventStore): { store: EventStore; readEvents: () => number } {
  let read = 0;
  return {
    store: {
      ...store,
      readStream: async (streamId: string, options?: ReadStreamOptions) => {
        const result = await store.readStream(streamId, options);
        read += result.events.length;
        return result;
      },
    },
    readEvents: () => read,
  };
}

describe('snapshots', () => {
  it('are taken every N events, and loading reads the snapshot plus the tail only', async () => {
    const counted = countingStore(createMemoryEventStore());
    const snapshots = createMemorySnapshotStore();
    const handle = commandHandler({
      store: counted.store,
      decider: tally,
      snapshots: { store: snapshots, policy: everyNEvents(5) },
    });
    for (let i = 1; i <= 12; i++) await handle('tally-1', { type: 'Add', by: i });
    const snapshot = await snapshots.load('tally-1');
    expect(snapshot).toMatchObject({
      streamId: 'tally-1',
      version: 10,
      state: { total: 55, count: 10 },
      schemaVersion: 1,
    });

    const before = counted.readEvents();
    const loaded = await aggregateStream(counted.store, 'tally-1', {
      evolve: tally.evolve,
      initialState: tally.initialState,
      snapshots: { store: snapshots, policy: everyNEvents(5) },
    });
    expect(loaded).toMatchObject({ state: { total: 78, count: 12 }, version: 12, snapshotVersion: 10 });
    expect(counted.readEvents() - before).toBe(2);
  });

  it('are discarded when the state shape version changes', async () => {
    const store = createMemoryEventStore();
    const snapshots = createMemorySnapshotStore();
    const v1 = commandHandler({
      store,
      decider: tally,
      snapshots: { store: snapshots, policy: everyNEvents(2) },
    });
    for (let i = 1; i <= 4; i++) await v1('tally-2', { type: 'Add', by: 1 });
    expect((await snapshots.load('tally-2'))?.schemaVersion).toBe(1);

    const loaded = await aggregateStream(store, 'tally-2', {
      evolve: tally.evolve,
      initialState: tally.initialState,
      snapshots: { store: snapshots, policy: everyNEvents(2), schemaVersion: 2 },
    });
    expect(loaded).toMatchObject({ state: { total: 4, count: 4 }, snapshotVersion: 0 });
    expect(await snapshots.load('tally-2')).toBeUndefined();
  });

  it('are discarded when the stream was soft-deleted after they were taken', async () => {
    const store = createMemoryEventStore();
    const snapshots = createMemorySnapshotStore();
    const options = { store: snapshots, policy: everyNEvents(1) };
    const handle = commandHandler({ store, decider: tally, snapshots: options });
    await handle('tally-d', { type: 'Add', by: 5 });
    await handle('tally-d', { type: 'Add', by: 5 });
    await store.deleteStream('tally-d');
    const restarted = await handle('tally-d', { type: 'Add', by: 1 });
    expect(restarted.state).toEqual({ total: 1, count: 1 });
    expect(restarted.nextExpectedVersion).toBe(3);
    // The snapshot taken after the delete is valid and used.
    const loaded = await aggregateStream(store, 'tally-d', {
      evolve: tally.evolve,
      initialState: tally.initialState,
      snapshots: options,
    });
    expect(loaded).toMatchObject({ state: { total: 1, count: 1 }, snapshotVersion: 3, version: 3 });
  });

  it('a failing snapshot save does not fail the command', async () => {
    const store = createMemoryEventStore();
    const errors: unknown[] = [];
    const handle = commandHandler({
      store,
      decider: tally,
      snapshots: {
        store: { ...createMemorySnapshotStore(), save: () => Promise.reject(new Error('disk full')) },
        policy: () => true,
        onError: (error) => errors.push(error),
      },
    });
    const result = await handle('tally-3', { type: 'Add', by: 2 });
    expect(result.state.total).toBe(2);
    expect(errors).toEqual([new Error('disk full')]);
  });
});

describe('history queries', () => {
  it('return the state as of a version', async () => {
    const store = createMemoryEventStore();
    await store.append(
      'tally-h',
      [1, 2, 3, 4].map((by) => ({ type: 'Added', data: { by } })),
    );
    const at = (version: number) =>
      aggregateStream(store, 'tally-h', {
        evolve: tally.evolve,
        initialState: tally.initialState,
        asOf: { version },
      });
    expect(await at(0)).toMatchObject({ state: { total: 0 }, version: 0, exists: false });
    expect(await at(2)).toMatchObject({ state: { total: 3, count: 2 }, version: 2, exists: true });
    expect(await at(99)).toMatchObject({ state: { total: 10 }, version: 4 });
  });

  it('return the state as of a point in time', async () => {
    let clock = Date.UTC(2024, 0, 1);
    const store = createMemoryEventStore({ now: () => clock });
    for (const by of [1, 2, 3]) {
      await store.append('tally-t', [{ type: 'Added', data: { by } }]);
      clock += 60_000;
    }
    const at = (time: number | Date) =>
      aggregateStream(store, 'tally-t', {
        evolve: tally.evolve,
        initialState: tally.initialState,
        asOf: { time },
      });
    expect((await at(Date.UTC(2023, 11, 31))).state.total).toBe(0);
    expect((await at(new Date(Date.UTC(2024, 0, 1, 0, 1)))).state.total).toBe(3);
    expect(await at(Date.UTC(2024, 0, 1, 0, 1, 30))).toMatchObject({ state: { total: 3 }, version: 2 });
    expect((await at(Date.UTC(2025, 0, 1))).state.total).toBe(6);
  });

  it('read in pages', async () => {
    const store = createMemoryEventStore();
    await store.append(
      'tally-p',
      Array.from({ length: 25 }, () => ({ type: 'Added', data: { by: 1 } })),
    );
    const loaded = await aggregateStream(store, 'tally-p', {
      evolve: tally.evolve,
      initialState: tally.initialState,
      pageSize: 4,
    });
    expect(loaded).toMatchObject({ state: { count: 25 }, version: 25 });
    const partial = await aggregateStream(store, 'tally-p', {
      evolve: tally.evolve,
      initialState: tally.initialState,
      pageSize: 4,
      asOf: { version: 9 },
    });
    expect(partial.state.count).toBe(9);
  });
});

describe('memory event store clock', () => {
  it('applies maxAgeMs against the injected clock', async () => {
    let clock = 1_000_000;
    const store = createMemoryEventStore({ now: () => clock });
    await store.setStreamMetadata('aged-1', { maxAgeMs: 1000 });
    await store.append('aged-1', [{ type: 'A', data: 1 }]);
    clock += 999;
    expect((await store.readStream('aged-1')).events).toHaveLength(1);
    clock += 1;
    expect((await store.readStream('aged-1')).events).toHaveLength(0);
  });
});
