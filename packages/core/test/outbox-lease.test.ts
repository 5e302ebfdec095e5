import { describe, expect, it } from 'vitest';
import { type Transport } from '@eddy/core';
import { decodeCloudEvent } from '@eddy/core/cloudevents';
import { startOutboxRelay } from '@eddy/core/outbox';
import { createMemoryOutboxStore, createMemoryTransport } from '@eddy/core/testing';
import { waitFor } from '@eddy/conformance';

describe('outbox relay losing its lease', () => {
  it('leaves a batch it could not mark to the next owner, which publishes it again with the same ids', async () => {
    let clock = 1_000_000;
    const store = createMemoryOutboxStore({ lanes: 1, now: () => clock });
    const inner = createMemoryTransport();
    let release: (() => void) | undefined;
    let calls = 0;
    // The first publish hangs until released, as a relay stalled past its lease would.
    const stalling: Transport = {
      name: 'stalling',
      capabilities: inner.capabilities,
      publish: async (topic, messages) => {
        calls++;
        if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
        return inner.publish(topic, messages);
      },
      subscribe: (topic, options, handler) => inner.subscribe(topic, options, handler),
      close: () => inner.close(),
    };
    const seen: string[] = [];
    const subscription = await inner.subscribe('orders', { group: 'g', from: 'earliest' }, (message) => {
      seen.push(decodeCloudEvent(message).id);
    });
    const written = store.add(
      [1, 2, 3].map((seq) => ({
        topic: 'orders',
        event: { source: 't', type: 't', partitionkey: 'k', data: { seq } },
      })),
    );
    const ids = written.map((event) => event.id);
    const stalled = startOutboxRelay({
      store,
      transport: stalling,
      owner: 'stalled',
      leaseMs: 60_000,
      publishTimeoutMs: 120_000,
    });
    await waitFor(() => release !== undefined, { description: 'the first publish to start' });

    clock += 61_000; // the stalled relay's lease and heartbeat expire
    const next = startOutboxRelay({ store, transport: stalling, owner: 'next', leaseMs: 60_000 });
    await waitFor(() => seen.length === 3, { description: 'the next owner to publish the batch' });
    expect(next.heldLanes()).toEqual([0]);

    release!();
    await waitFor(() => seen.length === 6, { description: 'the stalled publish to land late' });
    await waitFor(() => stalled.heldLanes().length === 0, {
      description: 'the stalled relay to drop the lane',
    });
    // Same event ids both times: consumers deduplicate by id.
    expect(seen).toEqual([...ids, ...ids]);
    expect((await store.stats()).pending).toBe(0);
    await stalled.stop();
    await next.stop();
    await subscription.close();
  });
});
