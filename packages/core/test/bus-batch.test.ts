import { createBus, ErrorCodes, isEddyError, type BusEvent, type DeadLetterNotice } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchCollector } from '../src/bus/batch-collector.js';
import { waitFor } from './bus-test-helpers.js';

interface Events {
  'reading.taken': { n: number };
}

const noRetryDelay = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 };

describe('bus.onBatch', () => {
  it('hands events over in batches of at most maxSize and acknowledges them', async () => {
    const bus = createBus<Events>({ transport: createMemoryTransport() });
    const batches: number[][] = [];
    bus.onBatch(
      'reading.taken',
      (events) => {
        batches.push(events.map((event) => event.data.n));
      },
      { maxSize: 4, maxWaitMs: 50 },
    );
    await bus.start();
    for (let n = 0; n < 10; n++) await bus.publish('reading.taken', { n });
    await waitFor(() => batches.flat().length === 10);
    await bus.stop();
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(4);
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('retries and dead-letters only the events marked failed; the rest are acknowledged once', async () => {
    const deadLettered: DeadLetterNotice[] = [];
    const bus = createBus<Events>({
      transport: createMemoryTransport(),
      retry: noRetryDelay,
      onDeadLetter: (notice) => {
        deadLettered.push(notice);
      },
    });
    const handled = new Map<number, number>();
    bus.onBatch(
      'reading.taken',
      (events, ctx) => {
        for (const event of events) {
          handled.set(event.data.n, (handled.get(event.data.n) ?? 0) + 1);
          if (event.data.n === 3) ctx.fail(event, new Error('sensor 3 is broken'));
        }
      },
      { maxSize: 10, maxWaitMs: 20 },
    );
    await bus.start();
    for (let n = 0; n < 6; n++) await bus.publish('reading.taken', { n });
    await waitFor(() => deadLettered.length === 1);
    await bus.stop();
    expect(Object.fromEntries(handled)).toEqual({ 0: 1, 1: 1, 2: 1, 3: 3, 4: 1, 5: 1 });
    expect(
      deadLettered.map((notice) => ({ attempts: notice.attempts, error: String(notice.error) })),
    ).toEqual([{ attempts: 3, error: 'Error: sensor 3 is broken' }]);
  });

  it('fails every event of the batch when the handler throws', async () => {
    const bus = createBus<Events>({ transport: createMemoryTransport(), retry: noRetryDelay });
    const attempts: number[] = [];
    let thrown = false;
    bus.onBatch(
      'reading.taken',
      (events) => {
        attempts.push(...events.map((event) => event.data.n));
        if (!thrown) {
          thrown = true;
          throw new Error('database down');
        }
      },
      { maxSize: 10, maxWaitMs: 20 },
    );
    await bus.start();
    await Promise.all([0, 1, 2].map((n) => bus.publish('reading.taken', { n })));
    await waitFor(() => attempts.length === 6);
    await bus.stop();
    expect(attempts.sort((a, b) => a - b)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('keeps per-key order: a key never has two unsettled events in one batch', async () => {
    const bus = createBus<Events>({ transport: createMemoryTransport() });
    const batches: BusEvent[][] = [];
    bus.onBatch(
      'reading.taken',
      (events) => {
        batches.push([...events]);
      },
      { maxSize: 50, maxWaitMs: 10 },
    );
    await bus.start();
    for (let n = 0; n < 8; n++)
      await bus.publish('reading.taken', { n }, { key: n % 2 === 0 ? 'even' : 'odd' });
    await waitFor(() => batches.flat().length === 8);
    await bus.stop();
    for (const batch of batches) {
      const keys = batch.map((event) => event.partitionkey);
      expect(new Set(keys).size).toBe(keys.length);
    }
    const order = (key: string) =>
      batches
        .flat()
        .filter((event) => event.partitionkey === key)
        .map((event) => (event.data as { n: number }).n);
    expect(order('even')).toEqual([0, 2, 4, 6]);
    expect(order('odd')).toEqual([1, 3, 5, 7]);
  });

  it('refuses a batch size outside 1-10 000 and a negative wait with EDDY_INVALID_OPTION', () => {
    const bus = createBus<Events>({ transport: createMemoryTransport() });
    const codes = [{ maxSize: 0 }, { maxSize: 10_001 }, { maxSize: 1.5 }, { maxSize: 5, maxWaitMs: -1 }].map(
      (options) => {
        try {
          bus.onBatch('reading.taken', () => undefined, options);
          return 'accepted';
        } catch (error) {
          return isEddyError(error) ? error.code : String(error);
        }
      },
    );
    expect(codes).toEqual(Array.from({ length: 4 }, () => ErrorCodes.InvalidOption));
  });
});

describe('BatchCollector', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function collector(restartWaitOnEvent: boolean) {
    const batches: number[][] = [];
    const batchCollector = new BatchCollector({
      maxSize: 3,
      maxWaitMs: 100,
      restartWaitOnEvent,
      handler: (events) => {
        batches.push(events.map((event) => (event.data as { n: number }).n));
      },
      handlerName: 'h',
      group: 'g',
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      },
      signal: new AbortController().signal,
    });
    const add = (n: number) =>
      void batchCollector.add({ specversion: '1.0', id: String(n), source: '/t', type: 't', data: { n } }, {
        signal: new AbortController().signal,
      } as never);
    return { batches, add };
  }

  it('closes a batch maxWaitMs after its first event, or at once when it is full', async () => {
    vi.useFakeTimers();
    const { batches, add } = collector(false);
    add(1);
    await vi.advanceTimersByTimeAsync(60);
    add(2);
    await vi.advanceTimersByTimeAsync(50); // 110 ms after the first event
    expect(batches).toEqual([[1, 2]]);
    add(3);
    add(4);
    add(5);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('with restartWaitOnEvent, closes a batch only after a quiet spell of maxWaitMs', async () => {
    vi.useFakeTimers();
    const { batches, add } = collector(true);
    add(1);
    await vi.advanceTimersByTimeAsync(60);
    add(2);
    await vi.advanceTimersByTimeAsync(60); // 120 ms after the first, 60 after the latest
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(50);
    expect(batches).toEqual([[1, 2]]);
  });
});
