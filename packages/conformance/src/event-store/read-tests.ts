import type { EventStore, NewEvent } from '@eddy/core/event-sourcing';
import { expect, it } from 'vitest';
import { type EventStoreHarness, uniqueCategory, uniqueStream } from './harness.js';

const events = (from: number, to: number): NewEvent[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ type: 'Numbered', data: { n: from + i } }));

const numbers = (list: readonly { readonly data: unknown }[]): number[] =>
  list.map((event) => (event.data as { n: number }).n);

async function readAllOf(store: EventStore, category: string, fromPosition = 0) {
  return store.readAll({ category, fromPosition, limit: 10_000 });
}

export function readTests(harness: EventStoreHarness): void {
  it('reads a stream forward from a version with a limit', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    await store.append(streamId, events(1, 10));
    expect(numbers((await store.readStream(streamId, { fromVersion: 4, limit: 3 })).events)).toEqual([
      4, 5, 6,
    ]);
    expect(numbers((await store.readStream(streamId, { fromVersion: 9 })).events)).toEqual([9, 10]);
    expect((await store.readStream(streamId, { fromVersion: 11 })).events).toEqual([]);
    expect(numbers((await store.readStream(streamId, { limit: 2 })).events)).toEqual([1, 2]);
    expect(numbers((await store.readStream(streamId, { fromVersion: 0, limit: 1 })).events)).toEqual([1]);
  });

  it('reads a stream backward from the end or from a version', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    await store.append(streamId, events(1, 6));
    const fromEnd = await store.readStream(streamId, { direction: 'backward', limit: 2 });
    expect(numbers(fromEnd.events)).toEqual([6, 5]);
    expect(fromEnd.currentVersion).toBe(6);
    expect(
      numbers((await store.readStream(streamId, { direction: 'backward', fromVersion: 3 })).events),
    ).toEqual([3, 2, 1]);
    expect(
      (await store.readStream(streamId, { direction: 'backward' })).events.map((e) => e.streamVersion),
    ).toEqual([6, 5, 4, 3, 2, 1]);
  });

  it('reads a stream that was never written as empty', async () => {
    const store = await harness.store();
    expect(await store.readStream(uniqueStream())).toEqual({ events: [], currentVersion: 0, exists: false });
  });

  it('reads all events in global order from a position', async () => {
    const store = await harness.store();
    const category = uniqueCategory();
    const a = `${category}-a`;
    const b = `${category}-b`;
    const first = await store.append(a, events(1, 2));
    await store.append(b, events(3, 3));
    await store.append(a, events(4, 5));
    const all = await readAllOf(store, category);
    expect(all.map((e) => [e.streamId, (e.data as { n: number }).n])).toEqual([
      [a, 1],
      [a, 2],
      [b, 3],
      [a, 4],
      [a, 5],
    ]);
    for (let i = 1; i < all.length; i++)
      expect(all[i]!.globalPosition).toBeGreaterThan(all[i - 1]!.globalPosition);

    // Without a category filter other tests' events may interleave; ours keep their order.
    const unfiltered = await store.readAll({ fromPosition: first.events[0]!.globalPosition, limit: 10_000 });
    expect(unfiltered[0]!.id).toBe(first.events[0]!.id);
    expect(unfiltered.filter((e) => e.streamId.startsWith(`${category}-`)).map((e) => e.id)).toEqual(
      all.map((e) => e.id),
    );
    for (let i = 1; i < unfiltered.length; i++) {
      expect(unfiltered[i]!.globalPosition).toBeGreaterThan(unfiltered[i - 1]!.globalPosition);
    }
  });

  it('readAll starts at fromPosition inclusive and honours limit', async () => {
    const store = await harness.store();
    const category = uniqueCategory();
    await store.append(`${category}-1`, events(1, 6));
    const all = await readAllOf(store, category);
    const third = all[2]!.globalPosition;
    expect(numbers(await store.readAll({ category, fromPosition: third, limit: 2 }))).toEqual([3, 4]);
    expect(numbers(await store.readAll({ category, fromPosition: all[5]!.globalPosition + 1 }))).toEqual([]);
    const page = await store.readAll({ fromPosition: third, limit: 1 });
    expect(page).toHaveLength(1);
    expect(page[0]!.id).toBe(all[2]!.id);
  });

  it('reads a category stream: only streams named <category>-*', async () => {
    const store = await harness.store();
    const category = uniqueCategory('order');
    const other = uniqueCategory('orderx');
    await store.append(`${category}-1`, events(1, 1));
    await store.append(`${other}-1`, events(100, 100));
    await store.append(`${category}-2`, events(2, 2));
    await store.append(`${category}-1`, events(3, 3));
    const read = await readAllOf(store, category);
    expect(read.map((e) => [e.streamId, (e.data as { n: number }).n])).toEqual([
      [`${category}-1`, 1],
      [`${category}-2`, 2],
      [`${category}-1`, 3],
    ]);
  });
}
