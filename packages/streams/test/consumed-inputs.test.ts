import { describe, expect, it } from 'vitest';
import type { BatchContext, Bus, BusEvent, ReceivedMessage } from '@eddy/core';
import { count, createMemoryStateStore, pipeline, type StateStore } from '@eddy/streams';
import { inputKey } from '../src/engine/input-key.js';

interface Events {
  reading: { sensor: string };
  'reading.count': { key: string; value: number };
}

/** A pipeline counting readings per sensor, fed batches of events at given positions of topic `readings`. */
async function countingPipeline(store = createMemoryStateStore()) {
  let handler: ((events: readonly BusEvent[], ctx: BatchContext) => Promise<void> | void) | undefined;
  const counts: { key: string; value: number }[] = [];
  const bus = {
    onBatch: (type: string, batchHandler: typeof handler) => {
      handler = batchHandler;
      return { name: type, type, topic: 'readings', group: `direct.${type}`, emits: [] };
    },
    publishBatch: (items: readonly { data: { key: string; value: number } }[]) => {
      for (const { data } of items) counts.push(data);
      return Promise.resolve([]);
    },
  } as unknown as Bus<Events>;
  const p = pipeline(bus, { name: 'counting', store });
  p.from('reading')
    .keyBy((event) => event.data.sensor)
    .aggregate(count(), { name: 'per-sensor' })
    .to('reading.count');
  await p.start();
  /** Feeds events, each `[id, sensor, offset]`, as one batch read from partition 0. */
  const feed = async (...events: (readonly [string, string, string])[]): Promise<void> => {
    const messages = new Map<string, ReceivedMessage>();
    const batch = events.map(([id, sensor, offset]): BusEvent => {
      const event = {
        specversion: '1.0',
        id,
        source: '/test',
        type: 'reading',
        data: { sensor },
      } as BusEvent;
      messages.set(id, {
        topic: 'readings',
        partition: 0,
        offset,
        headers: {},
        payload: new Uint8Array(),
        publishedAt: 0,
        deliveryCount: 1,
      } as unknown as ReceivedMessage);
      return event;
    });
    const ctx = {
      fail: (_event: BusEvent, error: unknown) => {
        throw error;
      },
      message: (event: BusEvent) => messages.get(event.id),
    } as unknown as BatchContext;
    await handler!(batch, ctx);
  };
  const latest = (sensor: string): number | undefined => counts.filter((c) => c.key === sensor).at(-1)?.value;
  return { p, feed, latest, store };
}

/**
 * A memory store whose commits wait until the test releases or fails them, as a store that commits
 * off the event loop (a worker thread, a database server) keeps them in flight. Counts the lookups
 * of consumed inputs made while a commit was held: a unit of work running its stages meanwhile.
 */
function heldCommitsStore() {
  const inner = createMemoryStateStore();
  const held: { release: () => void; fail: (error: Error) => void }[] = [];
  let lookupsWhileHeld = 0;
  let holding = true;
  const store: StateStore = {
    atomicCommit: true,
    get: (namespace, key) => inner.get(namespace, key),
    put: (namespace, key, value) => inner.put(namespace, key, value),
    delete: (namespace, key) => inner.delete(namespace, key),
    entries: (namespace) => inner.entries(namespace),
    pendingOutputs: (namespace) => inner.pendingOutputs(namespace),
    positions: (namespace) => inner.positions(namespace),
    close: () => inner.close(),
    consumed(namespace, keys) {
      if (held.length > 0) lookupsWhileHeld++;
      return inner.consumed(namespace, keys);
    },
    async commit(namespace, commit) {
      if (holding)
        await new Promise<void>((resolve, reject) => held.push({ release: resolve, fail: reject }));
      await inner.commit(namespace, commit);
    },
  };
  return {
    store,
    lookupsWhileHeld: () => lookupsWhileHeld,
    /** Waits until `n` commits are held. */
    async held(n: number): Promise<void> {
      while (held.length < n) await new Promise((resolve) => setImmediate(resolve));
    },
    /** Waits for the next commit to be held, then lets it through. */
    async releaseNext(): Promise<void> {
      await this.held(1);
      held.shift()!.release();
    },
    /** Commits go through from now on (the pipeline's stop marks its published outputs). */
    stopHolding: () => void (holding = false),
    fail: (error: Error) => held.shift()!.fail(error),
  };
}

/** Settles `promise` into what it resolved or rejected with, for asserting after the fact. */
const outcome = (promise: Promise<unknown>): Promise<{ ok: boolean; error?: unknown }> =>
  promise.then(
    () => ({ ok: true }),
    (error: unknown) => ({ ok: false, error }),
  );

describe('units of work with a commit in flight', () => {
  it("runs the next batch while a commit is in flight, reading that batch's changes", async () => {
    const held = heldCommitsStore();
    const { p, feed, latest } = await countingPipeline(held.store);
    const first = feed(['e-1', 'a', '1'], ['e-2', 'a', '2']);
    await held.held(1);
    const second = feed(['e-3', 'a', '3']);
    // The second batch ran its stages with the first commit held; its own commit waits its turn.
    await new Promise((resolve) => setImmediate(resolve));
    expect(held.lookupsWhileHeld()).toBe(1);
    await held.releaseNext();
    await first;
    await held.releaseNext();
    await second;
    expect(latest('a')).toBe(3);
    expect(p.stats()).toMatchObject({ processed: 3, duplicates: 0 });
    held.stopHolding();
    await p.stop();
  });

  it('fails the batch that read the changes of a commit that failed, and counts both once when redelivered', async () => {
    const held = heldCommitsStore();
    const { p, feed, latest } = await countingPipeline(held.store);
    const first = outcome(feed(['e-1', 'a', '1'], ['e-2', 'a', '2']));
    await held.held(1);
    const second = outcome(feed(['e-3', 'a', '3']));
    await new Promise((resolve) => setImmediate(resolve));
    held.fail(new Error('disk full'));
    const [a, b] = await Promise.all([first, second]);
    expect(a).toMatchObject({ ok: false, error: { message: 'disk full' } });
    // Never committed: it counted on the failed batch's changes.
    expect(b).toMatchObject({ ok: false, error: { message: 'disk full' } });
    expect(p.stats().processed).toBe(0);
    expect(latest('a')).toBeUndefined();
    // The bus delivers both again.
    const again = feed(['e-1', 'a', '1'], ['e-2', 'a', '2']);
    await held.releaseNext();
    await again;
    const last = feed(['e-3', 'a', '3']);
    await held.releaseNext();
    await last;
    expect(latest('a')).toBe(3);
    expect(p.stats()).toMatchObject({ processed: 3, duplicates: 0 });
    held.stopHolding();
    await p.stop();
  });

  it('waits for the commit in flight before deciding on a redelivery of one of its inputs', async () => {
    const held = heldCommitsStore();
    const { p, feed, latest } = await countingPipeline(held.store);
    const first = feed(['e-1', 'a', '1'], ['e-2', 'a', '2']);
    await held.held(1);
    // Its acknowledgement timed out, so the transport delivered it again.
    const redelivered = feed(['e-2', 'a', '2']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(held.lookupsWhileHeld()).toBe(0);
    await held.releaseNext();
    await first;
    // Its commit writes no input, only that the first batch's outputs were published.
    await held.releaseNext();
    await redelivered;
    expect(latest('a')).toBe(2);
    expect(p.stats()).toMatchObject({ processed: 2, duplicates: 1 });
    held.stopHolding();
    await p.stop();
  });
});

describe('consumed inputs', () => {
  it('skips a redelivered message by its position and counts a copy published at a new one', async () => {
    const { p, feed, latest } = await countingPipeline();
    await feed(['e-1', 'a', '5'], ['e-2', 'b', '6']);
    // The same messages again, as after a crash between the commit and the acknowledgements.
    await feed(['e-1', 'a', '5'], ['e-2', 'b', '6']);
    expect(p.stats().duplicates).toBe(2);
    expect(latest('a')).toBe(1);
    // The same event published once more is another message of the log: it counts.
    await feed(['e-1', 'a', '7']);
    expect(latest('a')).toBe(2);
    expect(p.stats()).toMatchObject({ processed: 3, duplicates: 2 });
    await p.stop();
  });

  it('skips a message that a store remembered by its event id', async () => {
    const store = createMemoryStateStore();
    // What a commit of an earlier version left: the input under its event id.
    await store.commit('counting', {
      inputs: [{ key: 'e-1', topic: 'readings', partition: 0, offset: '5' }],
    });
    const { p, feed, latest } = await countingPipeline(store);
    await feed(['e-1', 'a', '5'], ['e-2', 'a', '6']);
    expect(p.stats()).toMatchObject({ processed: 1, duplicates: 1 });
    expect(latest('a')).toBe(1);
    await p.stop();
  });

  it('keys inputs by position, in offset order within a partition', () => {
    const at = (offset: string, partition = 0): string => inputKey({ topic: 'readings', partition, offset });
    expect(at('9') < at('10')).toBe(true);
    expect(at('99999') < at('100000')).toBe(true);
    expect(at('5')).not.toBe(at('5', 1));
    // Offsets that are not plain numbers (Redis entry ids, broker message ids) are kept as they are.
    expect(at('1700000000000-3')).toBe('readings/0/1700000000000-3');
  });
});
