import { type Transport } from '@eddy/core';
import { decodeCloudEvent } from '@eddy/core/cloudevents';
import { BackendError } from '@eddy/core/internal';
import {
  startOutboxRelay,
  type OutboxRelay,
  type OutboxRelayOptions,
  type OutboxRowFailure,
} from '@eddy/core/outbox';
import { createMemoryTransport } from '@eddy/core/testing';
import { afterEach, expect, it } from 'vitest';
import { waitFor } from '../wait-for.js';
import { entry, suffix, type OutboxHarness } from './harness.js';

/** The `seq` of every event published to `topic`, in delivery order. */
async function collect(transport: Transport, topic: string): Promise<number[]> {
  const seen: number[] = [];
  const subscription = await transport.subscribe(topic, { group: 'check', from: 'earliest' }, (message) => {
    seen.push((decodeCloudEvent(message).data as { seq: number }).seq);
  });
  cleanups.push(() => subscription.close());
  return seen;
}

const cleanups: (() => Promise<void>)[] = [];

function relay(options: OutboxRelayOptions): OutboxRelay {
  const started = startOutboxRelay({
    pollIntervalMs: 20,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  cleanups.push(() => started.stop());
  return started;
}

/**
 * A memory transport that refuses, with a retriable error, every publish holding an event whose data
 * has `flaky: true`, and counts the calls that held that event alone.
 */
function flakyTransport(): { transport: Transport; alone: () => number } {
  const inner = createMemoryTransport();
  cleanups.push(() => inner.close());
  let alone = 0;
  const flaky = (payload: Uint8Array): boolean =>
    Buffer.from(payload).toString('utf8').includes('"flaky":true');
  const transport: Transport = {
    name: 'flaky-memory',
    capabilities: inner.capabilities,
    publish: (topic, messages) => {
      if (!messages.some((message) => flaky(message.payload))) return inner.publish(topic, messages);
      if (messages.length === 1) alone++;
      return Promise.reject(new BackendError('The broker refused the message (test).', { retriable: true }));
    },
    subscribe: (topic, options, handler) => inner.subscribe(topic, options, handler),
    close: () => inner.close(),
  };
  return { transport, alone: () => alone };
}

/** The relay over the store under test: rows that fail publishing are set aside, the lane goes on. */
export function relayTests(harness: OutboxHarness): void {
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('sets a too-large row aside, publishes the rows around it in order, and replays it after retryFailed', async () => {
    const { store, add } = await harness.open(2);
    const transport = createMemoryTransport({ maxMessageBytes: 2_048 });
    cleanups.push(() => transport.close());
    const topic = `orders-${suffix()}`;
    const seen = await collect(transport, topic);
    await add(
      [1, 2, 3, 4, 5, 6, 7].map((seq) => entry(topic, 'k', seq, seq === 4 ? { pad: 'x'.repeat(4_000) } : {})),
    );
    const failures: OutboxRowFailure[] = [];
    const first = relay({ store, transport, onRowFailed: (failure) => failures.push(failure) });
    await waitFor(() => seen.length >= 6, { description: () => `6 events, got [${seen.join(', ')}]` });
    expect(seen).toEqual([1, 2, 3, 5, 6, 7]);
    await waitFor(async () => (await store.stats()).pending === 0);
    expect(await store.stats()).toMatchObject({ pending: 0, failed: 1 });
    const [failed] = await store.failedRows();
    expect((decodeCloudEvent(failed!).data as { seq: number }).seq).toBe(4);
    expect(failed!.error).toMatch(/^EDDY_MESSAGE_TOO_LARGE: /);
    expect(failed!.attempts).toBe(1);
    expect(failures.map((failure) => [failure.row.id, failure.reason, failure.attempts])).toEqual([
      [failed!.id, 'permanent', 1],
    ]);

    // The operator raises the limit (a transport that takes the row), then replays it.
    await first.stop();
    const roomy = createMemoryTransport();
    cleanups.push(() => roomy.close());
    const replayed = await collect(roomy, topic);
    expect(await store.retryFailed([failed!.id])).toBe(1);
    expect(await store.stats()).toMatchObject({ pending: 1, failed: 0 });
    relay({ store, transport: roomy });
    await waitFor(() => replayed.length >= 1, { description: 'the replayed row' });
    expect(replayed).toEqual([4]);
    await waitFor(async () => (await store.stats()).pending === 0);
    expect(await store.failedRows()).toEqual([]);
  });

  it('sets a row that keeps failing with a retriable error aside after maxAttempts, not before', async () => {
    const { store, add } = await harness.open(1);
    const { transport, alone } = flakyTransport();
    const topic = `orders-${suffix()}`;
    const seen = await collect(transport, topic);
    await add([1, 2, 3].map((seq) => entry(topic, 'k', seq, seq === 2 ? { flaky: true } : {})));
    const failures: { failure: OutboxRowFailure; aloneThen: number; seenThen: number[] }[] = [];
    relay({
      store,
      transport,
      maxAttempts: 3,
      onRowFailed: (failure) => failures.push({ failure, aloneThen: alone(), seenThen: [...seen] }),
    });
    await waitFor(() => seen.length >= 2, { description: () => `2 events, got [${seen.join(', ')}]` });
    expect(seen).toEqual([1, 3]);
    expect(failures).toHaveLength(1);
    const [{ failure, aloneThen, seenThen }] = failures as [(typeof failures)[number]];
    expect([failure.reason, failure.attempts, aloneThen]).toEqual(['retriable', 3, 3]);
    // Row 3 waited behind row 2 until its third failure.
    expect(seenThen).toEqual([1]);
    expect(alone()).toBe(3);
    const [failed] = await store.failedRows();
    expect(failed?.error).toMatch(/^EDDY_BACKEND: The broker refused the message/);
    expect(failed?.attempts).toBe(3);
  });

  it('keeps retrying a failing row in place with maxAttempts: Infinity', async () => {
    const { store, add } = await harness.open(1);
    const { transport, alone } = flakyTransport();
    const topic = `orders-${suffix()}`;
    const seen = await collect(transport, topic);
    await add([1, 2, 3].map((seq) => entry(topic, 'k', seq, seq === 2 ? { flaky: true } : {})));
    relay({ store, transport, maxAttempts: Infinity });
    await waitFor(() => alone() >= 12, { description: () => `12 failed attempts, got ${alone()}` });
    expect(seen).toEqual([1]);
    expect(await store.stats()).toMatchObject({ pending: 2, failed: 0 });
  });
}
