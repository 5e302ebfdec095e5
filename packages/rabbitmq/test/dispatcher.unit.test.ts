import { describe, expect, it } from 'vitest';
import type { MessageHandler, ReceivedMessage } from '@eddy/core';
import { Dispatcher, type Delivery } from '../src/dispatcher.js';
import { waitFor } from './helpers.js';

interface Gate {
  readonly promise: Promise<void>;
  open(): void;
  fail(error: Error): void;
}

function gate(): Gate {
  let open = (): void => undefined;
  let fail = (_error: Error): void => undefined;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

/** A delivery that records how it was settled instead of talking to a channel. */
function delivery(id: string, partition: number, key?: string, settled: string[] = []): Delivery {
  const message: ReceivedMessage = {
    topic: 't',
    partition,
    offset: id,
    key,
    headers: {},
    payload: Buffer.from(id),
    publishedAt: 0,
    deliveryCount: 1,
  };
  return {
    partition,
    message,
    ack: () => void settled.push(`ack ${id}`),
    requeue: () => void settled.push(`requeue ${id}`),
    postpone: (dueAt) => {
      settled.push(`postpone ${id}`);
      return Promise.resolve(void dueAt);
    },
  };
}

/** A dispatcher whose handler waits on a gate per delivery (`<id>#<deliveryCount>`), recording it. */
function gated(maxInFlight: number, ackTimeoutMs = 60_000) {
  const started: string[] = [];
  const finished: string[] = [];
  const gates = new Map<string, Gate>();
  const gateOf = (id: string): Gate => {
    let found = gates.get(id);
    if (found === undefined) gates.set(id, (found = gate()));
    return found;
  };
  const handler: MessageHandler = async (message) => {
    const id = `${message.offset}#${message.deliveryCount}`;
    started.push(id);
    try {
      await gateOf(id).promise;
    } finally {
      finished.push(id);
    }
  };
  const dispatcher = new Dispatcher({ handler, maxInFlight, ackTimeoutMs, nackDelayMs: 0 });
  return { dispatcher, started, finished, gateOf };
}

describe('Dispatcher', () => {
  it('runs at most maxInFlight handlers, one per key, each key in arrival order, and counts per partition', async () => {
    const settled: string[] = [];
    const { dispatcher, started, gateOf } = gated(2);
    dispatcher.push(delivery('a1', 0, 'a', settled));
    dispatcher.push(delivery('a2', 0, 'a', settled));
    dispatcher.push(delivery('b1', 1, 'b', settled));
    dispatcher.push(delivery('c1', 1, 'c', settled));
    expect(started).toEqual(['a1#1', 'b1#1']);
    expect([dispatcher.inFlight(0), dispatcher.inFlight(1)]).toEqual([1, 1]);

    // The freed slot goes to c1: a2 must wait for a1, whatever arrived after it.
    gateOf('b1#1').open();
    await waitFor(() => started.length === 3, 2_000, 'c1 to start');
    expect(started).toEqual(['a1#1', 'b1#1', 'c1#1']);

    gateOf('a1#1').open();
    await waitFor(() => started.length === 4, 2_000, 'a2 to start after a1');
    expect(started).toEqual(['a1#1', 'b1#1', 'c1#1', 'a2#1']);
    gateOf('a2#1').open();
    gateOf('c1#1').open();
    await dispatcher.idle();
    expect(settled.sort()).toEqual(['ack a1', 'ack a2', 'ack b1', 'ack c1']);
    expect([dispatcher.inFlight(0), dispatcher.inFlight(1)]).toEqual([0, 0]);
  });

  it('drops the waiting deliveries of a partition being handed over, and lets the rest of their key go on', async () => {
    const settled: string[] = [];
    const { dispatcher, started, gateOf } = gated(2);
    dispatcher.push(delivery('r', 0, 'r', settled));
    dispatcher.push(delivery('x', 1, undefined, settled));
    dispatcher.push(delivery('k-old', 0, 'k', settled));
    dispatcher.push(delivery('k-new', 1, 'k', settled));
    expect(started).toEqual(['r#1', 'x#1']);

    const handedOver = dispatcher.idle(0).then(() => 'partition 0 idle');
    dispatcher.drop(0);
    gateOf('r#1').open();
    // Partition 0 settles with r; k-old is never handled, and k-new no longer waits for it.
    expect(await handedOver).toBe('partition 0 idle');
    await waitFor(() => started.length === 3, 2_000, 'k-new to start');
    expect(started).toEqual(['r#1', 'x#1', 'k-new#1']);
    gateOf('x#1').open();
    gateOf('k-new#1').open();
    await dispatcher.idle();
    // A dropped delivery is not settled here: its channel returns it to the queue.
    expect(settled.sort()).toEqual(['ack k-new', 'ack r', 'ack x']);
  });

  it('redelivers a keyed message nacked for now before later messages of its key, and requeues an unkeyed one', async () => {
    const settled: string[] = [];
    const { dispatcher, started, gateOf } = gated(4);
    dispatcher.push(delivery('k1', 0, 'k', settled));
    dispatcher.push(delivery('k2', 0, 'k', settled));
    dispatcher.push(delivery('u', 0, undefined, settled));
    gateOf('k1#1').fail(new Error('not yet'));
    gateOf('u#1').fail(new Error('not yet'));
    await waitFor(() => started.includes('k1#2'), 2_000, 'k1 to come back');
    expect(started).not.toContain('k2#1');
    gateOf('k1#2').open();
    gateOf('k2#1').open();
    await waitFor(() => settled.length === 3, 2_000, 'every message to be settled');
    await dispatcher.idle();
    expect(started.filter((id) => id.startsWith('k'))).toEqual(['k1#1', 'k1#2', 'k2#1']);
    expect(settled).toEqual(['requeue u', 'ack k1', 'ack k2']);
  });

  it('requeues a message whose handler outlives the ack timeout, frees its key and ignores the late result', async () => {
    const settled: string[] = [];
    const { dispatcher, started, finished, gateOf } = gated(1, 50);
    dispatcher.push(delivery('slow', 0, 'k', settled));
    dispatcher.push(delivery('next', 0, 'k', settled));
    await waitFor(() => started.length === 2, 2_000, 'the ack timeout to free the key');
    expect(settled).toEqual(['requeue slow']);
    gateOf('next#1').open();
    gateOf('slow#1').open();
    await waitFor(() => finished.length === 2 && settled.length >= 2, 2_000, 'both handlers to end');
    await dispatcher.idle();
    expect(settled).toEqual(['requeue slow', 'ack next']);
  });
});
