import { subscribeToEventStore, type EventStore, type RecordedEvent } from '@eddy/core/event-sourcing';
import { createMemoryCheckpointStore } from '@eddy/core/testing';
import { expect, it } from 'vitest';
import { type EventStoreHarness, uniqueCategory } from './harness.js';

function collect(
  store: EventStore,
  category: string,
  checkpoints = createMemoryCheckpointStore(),
  id = category,
) {
  const handled: RecordedEvent[] = [];
  const subscription = subscribeToEventStore(store, {
    subscriptionId: id,
    checkpoints,
    category,
    batchSize: 7,
    pollIntervalMs: 50,
    handler: (event) => void handled.push(event),
  });
  return { handled, subscription, checkpoints };
}

const numbers = (events: readonly RecordedEvent[]): number[] =>
  events.map((e) => (e.data as { n: number }).n);

export function subscriptionTests(harness: EventStoreHarness): void {
  it('catches up, then goes live, without gaps or duplicates at the seam', async () => {
    const store = await harness.store();
    const category = uniqueCategory();
    for (let n = 1; n <= 20; n++) await store.append(`${category}-${n % 3}`, [{ type: 'N', data: { n } }]);
    const { handled, subscription } = collect(store, category);
    try {
      // Writers keep appending while the subscription works through the backlog.
      const writers = Promise.all(
        [0, 1, 2].map(async (w) => {
          for (let k = 0; k < 10; k++)
            await store.append(`${category}-${w}`, [{ type: 'N', data: { n: 100 + w * 10 + k } }]);
        }),
      );
      await writers;
      await subscription.whenCaughtUp();
      const expected = await store.readAll({ category, limit: 10_000 });
      expect(handled.map((e) => e.id)).toEqual(expected.map((e) => e.id));
      expect(handled).toHaveLength(50);
      expect(numbers(handled).slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(subscription.position).toBe(expected.at(-1)!.globalPosition);
    } finally {
      await subscription.close();
    }
  });

  it('resumes from its checkpoint after a restart', async () => {
    const store = await harness.store();
    const category = uniqueCategory();
    await store.append(
      `${category}-1`,
      [1, 2, 3].map((n) => ({ type: 'N', data: { n } })),
    );
    const first = collect(store, category);
    await first.subscription.whenCaughtUp();
    await first.subscription.close();
    expect(numbers(first.handled)).toEqual([1, 2, 3]);

    await store.append(
      `${category}-2`,
      [4, 5].map((n) => ({ type: 'N', data: { n } })),
    );
    const second = collect(store, category, first.checkpoints);
    try {
      await second.subscription.whenCaughtUp();
      expect(numbers(second.handled)).toEqual([4, 5]);
    } finally {
      await second.subscription.close();
    }
  });
}
