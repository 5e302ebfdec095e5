import { commandHandler, WrongExpectedVersionError, type Decider } from '@eddy/core/event-sourcing';
import { expect, it } from 'vitest';
import { type EventStoreHarness, uniqueCategory, uniqueStream } from './harness.js';

interface Counter {
  readonly value: number;
  readonly writers: readonly number[];
}
type Increment = { readonly type: 'Increment'; readonly writer: number };
type Incremented = {
  readonly type: 'Incremented';
  readonly data: { readonly writer: number; readonly to: number };
};

/** Each event records the value it moves to, so a lost update shows up as a repeated value. */
const counter: Decider<Counter, Increment, Incremented> = {
  initialState: () => ({ value: 0, writers: [] }),
  decide: (command, state) => ({
    type: 'Incremented',
    data: { writer: command.writer, to: state.value + 1 },
  }),
  evolve: (state, event) => ({ value: event.data.to, writers: [...state.writers, event.data.writer] }),
};

export function concurrencyTests(harness: EventStoreHarness): void {
  it('20 concurrent writers on one stream with retry-on-conflict lose no update', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    const handle = commandHandler({
      store,
      decider: counter,
      retry: { maxAttempts: 100, baseDelayMs: 2, maxDelayMs: 50 },
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, writer) => handle(streamId, { type: 'Increment', writer })),
    );
    const read = await store.readStream(streamId);
    expect(read.currentVersion).toBe(20);
    expect(read.events.map((e) => (e.data as { to: number }).to)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(read.events.map((e) => (e.data as { writer: number }).writer).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(results.map((r) => r.nextExpectedVersion).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const final = results.find((r) => r.nextExpectedVersion === 20)!;
    expect(final.state.value).toBe(20);
  });

  it('of concurrent appends expecting the same version exactly one wins', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    await store.append(streamId, [{ type: 'Created', data: {} }]);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        store.append(streamId, [{ type: 'Raced', data: { i } }], { expectedVersion: 1 }),
      ),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(7);
    for (const outcome of lost) {
      expect(outcome.reason).toBeInstanceOf(WrongExpectedVersionError);
      expect(outcome.reason).toMatchObject({ code: 'EDDY_WRONG_EXPECTED_VERSION', expected: 1, actual: 2 });
    }
    expect((await store.readStream(streamId)).currentVersion).toBe(2);
  });

  it('concurrent retries of one batch write it once and all report the same result', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    const batch = [
      { id: `${streamId}-a`, type: 'Paid', data: { amount: 5 } },
      { id: `${streamId}-b`, type: 'Shipped', data: {} },
    ];
    const results = await Promise.all(
      Array.from({ length: 6 }, () => store.append(streamId, batch, { expectedVersion: 'no_stream' })),
    );
    for (const result of results) {
      expect(result.nextExpectedVersion).toBe(2);
      expect(result.events.map((e) => e.globalPosition)).toEqual(
        results[0]!.events.map((e) => e.globalPosition),
      );
    }
    const read = await store.readStream(streamId);
    expect(read.events.map((e) => e.id)).toEqual(batch.map((e) => e.id));
  });

  it('concurrent appends to many streams all land, each at a distinct global position', async () => {
    const store = await harness.store();
    const category = uniqueCategory();
    await Promise.all(
      Array.from({ length: 10 }, (_, s) =>
        Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            store.append(`${category}-${s}`, [{ type: 'E', data: { s, i } }]),
          ),
        ),
      ),
    );
    const all = await store.readAll({ category, limit: 10_000 });
    expect(all).toHaveLength(50);
    expect(new Set(all.map((e) => e.globalPosition)).size).toBe(50);
    for (let s = 0; s < 10; s++) {
      const stream = all.filter((e) => e.streamId === `${category}-${s}`);
      expect(stream.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5]);
    }
  });
}
