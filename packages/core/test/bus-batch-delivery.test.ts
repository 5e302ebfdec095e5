import { createBus, type DeadLetterNotice, type Middleware, type Transport } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { describe, expect, it } from 'vitest';
import { waitFor } from './bus-test-helpers.js';

interface Events {
  'reading.taken': { n: number };
}

const noRetryDelay = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 };

/** Publishes readings 0..count-1 in one transport call, so a subscriber finds them ready together. */
async function backlog(transport: Transport, count: number): Promise<void> {
  const writer = createBus<Events>({ transport, closeTransport: false });
  await writer.publishBatch(
    Array.from({ length: count }, (_, n) => ({ type: 'reading.taken' as const, data: { n } })),
  );
}

describe('bus.onBatch on a transport with subscribeBatch (maxWaitMs 0)', () => {
  it('takes the transport batches as they come, with each event’s message at hand', async () => {
    const transport = createMemoryTransport();
    await backlog(transport, 50);
    const bus = createBus<Events>({ transport });
    const batches: number[][] = [];
    const offsets = new Set<string>();
    bus.onBatch(
      'reading.taken',
      (events, ctx) => {
        batches.push(events.map((event) => event.data.n));
        for (const event of events) {
          const message = ctx.message(event);
          if (message !== undefined) offsets.add(`${message.partition}/${message.offset}`);
        }
      },
      { maxSize: 20, maxWaitMs: 0, from: 'earliest' },
    );
    await bus.start();
    await waitFor(() => batches.flat().length === 50);
    await bus.stop();
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(20);
    // Ready together, handed over together: far fewer calls than events.
    expect(batches.length).toBeLessThanOrEqual(5);
    expect(offsets.size).toBe(50);
  });

  it('retries and dead-letters only the events marked failed; the rest are acknowledged once', async () => {
    const transport = createMemoryTransport();
    await backlog(transport, 6);
    const deadLettered: DeadLetterNotice[] = [];
    const bus = createBus<Events>({
      transport,
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
      { maxSize: 10, maxWaitMs: 0, from: 'earliest' },
    );
    await bus.start();
    await waitFor(() => deadLettered.length === 1);
    await bus.stop();
    expect(Object.fromEntries(handled)).toEqual({ 0: 1, 1: 1, 2: 1, 3: 3, 4: 1, 5: 1 });
    expect(
      deadLettered.map((notice) => ({ attempts: notice.attempts, error: String(notice.error) })),
    ).toEqual([{ attempts: 3, error: 'Error: sensor 3 is broken' }]);
  });

  it('fails every event of the batch when the handler throws, and redelivers them', async () => {
    const transport = createMemoryTransport();
    await backlog(transport, 4);
    const bus = createBus<Events>({ transport, retry: noRetryDelay });
    const seen: number[][] = [];
    bus.onBatch(
      'reading.taken',
      (events) => {
        seen.push(events.map((event) => event.data.n));
        if (seen.length === 1) throw new Error('database down');
      },
      { maxSize: 10, maxWaitMs: 0, from: 'earliest' },
    );
    await bus.start();
    await waitFor(() => seen.slice(1).flat().length === 4);
    await bus.stop();
    expect(seen[0]).toHaveLength(4);
    expect(
      seen
        .slice(1)
        .flat()
        .sort((a, b) => a - b),
    ).toEqual([0, 1, 2, 3]);
  });

  it('dead-letters an undecodable message alone and hands the others to the handler', async () => {
    const transport = createMemoryTransport();
    await transport.publish('reading.taken', [{ payload: new TextEncoder().encode('not a cloud event') }]);
    await backlog(transport, 3);
    const deadLettered: DeadLetterNotice[] = [];
    const bus = createBus<Events>({
      transport,
      retry: noRetryDelay,
      onDeadLetter: (notice) => {
        deadLettered.push(notice);
      },
    });
    const handled: number[] = [];
    bus.onBatch('reading.taken', (events) => void handled.push(...events.map((e) => e.data.n)), {
      maxSize: 10,
      maxWaitMs: 0,
      from: 'earliest',
    });
    await bus.start();
    await waitFor(() => handled.length === 3 && deadLettered.length === 1);
    await bus.stop();
    expect(handled.sort()).toEqual([0, 1, 2]);
  });

  it('keeps the per-event path when middleware must see each event', async () => {
    const transport = createMemoryTransport();
    await backlog(transport, 5);
    const bus = createBus<Events>({ transport });
    const throughMiddleware: string[] = [];
    const record: Middleware = (next) => (event, ctx) => {
      throughMiddleware.push(event.id);
      return next(event, ctx);
    };
    let handled = 0;
    bus.onBatch('reading.taken', (events) => void (handled += events.length), {
      maxSize: 10,
      maxWaitMs: 0,
      from: 'earliest',
      middleware: [record],
    });
    await bus.start();
    await waitFor(() => handled === 5);
    await bus.stop();
    expect(throughMiddleware).toHaveLength(5);
  });
});
