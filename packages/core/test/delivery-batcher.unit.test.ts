import type { BatchMessageHandler, ReceivedMessage } from '@eddy/core';
import { DeliveryBatcher } from '@eddy/core/internal';
import { describe, expect, it } from 'vitest';
import { waitFor } from './bus-test-helpers.js';

interface Delivery {
  readonly id: string;
  /** False for a delivery settled without reaching the handler. */
  readonly visible?: boolean;
}

const messageOf = (id: string): ReceivedMessage => ({
  topic: 't',
  partition: 0,
  offset: id,
  key: undefined,
  headers: {},
  payload: new Uint8Array(),
  publishedAt: 0,
  deliveryCount: 1,
});

/** A batcher over `handler` that records the calls and each delivery's settlement. */
function recordingBatcher(handler: BatchMessageHandler, maxBatchSize: number) {
  const messages = new Map<string, ReceivedMessage>();
  const calls: string[][] = [];
  const settled: { id: string; error: unknown; failed: boolean }[] = [];
  const batcher = new DeliveryBatcher<Delivery>({
    maxBatchSize,
    handler: (batch) => {
      calls.push(batch.map((message) => message.offset));
      return handler(batch);
    },
    messageOf: (delivery) => {
      if (delivery.visible === false) return undefined;
      let message = messages.get(delivery.id);
      if (message === undefined) {
        message = messageOf(delivery.id);
        messages.set(delivery.id, message);
      }
      return message;
    },
    settle: (delivery, failure) =>
      settled.push({ id: delivery.id, error: failure?.error, failed: failure !== undefined }),
  });
  return { batcher, calls, settled };
}

describe('DeliveryBatcher', () => {
  it('hands what one synchronous run adds to the handler together, in calls of at most maxBatchSize', async () => {
    const { batcher, calls, settled } = recordingBatcher(() => undefined, 2);
    for (const id of ['1', '2', '3', '4', '5']) batcher.add({ id });
    expect(calls).toEqual([]);
    expect(batcher.pending).toBe(5);
    await waitFor(() => settled.length === 5);
    expect(calls).toEqual([['1', '2'], ['3', '4'], ['5']]);
    expect(settled.every((entry) => !entry.failed)).toBe(true);
    batcher.add({ id: '6' });
    await waitFor(() => settled.length === 6);
    expect(calls.at(-1)).toEqual(['6']);
  });

  it('fails only the messages a settlement lists, each with its own error', async () => {
    const boom = new Error('boom');
    const { batcher, settled } = recordingBatcher(
      (batch) => ({ failed: new Map(batch.filter((m) => m.offset === 'b').map((m) => [m, boom])) }),
      10,
    );
    for (const id of ['a', 'b', 'c']) batcher.add({ id });
    await waitFor(() => settled.length === 3);
    expect(settled).toEqual([
      { id: 'a', error: undefined, failed: false },
      { id: 'b', error: boom, failed: true },
      { id: 'c', error: undefined, failed: false },
    ]);
  });

  it('fails the whole call when the handler throws or rejects', async () => {
    const thrown = new Error('thrown');
    const { batcher, settled } = recordingBatcher(() => Promise.reject(thrown), 10);
    for (const id of ['a', 'b']) batcher.add({ id });
    await waitFor(() => settled.length === 2);
    expect(settled).toEqual([
      { id: 'a', error: thrown, failed: true },
      { id: 'b', error: thrown, failed: true },
    ]);
  });

  it('acknowledges a delivery it must not hand over, and skips a call that would be empty', async () => {
    const { batcher, calls, settled } = recordingBatcher(() => {
      throw new Error('never called with the hidden one');
    }, 10);
    batcher.add({ id: 'hidden', visible: false });
    await waitFor(() => settled.length === 1);
    expect(calls).toEqual([]);
    expect(settled).toEqual([{ id: 'hidden', error: undefined, failed: false }]);
  });

  it('flush() hands over at once, and the scheduled flush then finds nothing', async () => {
    const { batcher, calls, settled } = recordingBatcher(() => undefined, 10);
    batcher.add({ id: 'x' });
    batcher.flush();
    expect(calls).toEqual([['x']]);
    await waitFor(() => settled.length === 1);
    expect(calls).toEqual([['x']]);
  });
});
