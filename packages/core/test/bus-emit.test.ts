import { describe, expect, it } from 'vitest';
import { createBus, type DropReason, type Transport } from '@eddy/core';
import { noopMetrics } from '@eddy/core/internal';
import { createMemoryTransport } from '@eddy/core/testing';
import { unique, waitFor } from './bus-test-helpers.js';

interface Events {
  'page.viewed': { path: string };
}

/** A transport whose publishes fail, or hang until released, to stand for a backend that is down or slow. */
function unreliable(
  inner: Transport,
  mode: { fail: boolean; hold: boolean },
): Transport & { release(): void; readonly published: number } {
  let releases: (() => void)[] = [];
  let published = 0;
  return {
    get published() {
      return published;
    },
    name: inner.name,
    capabilities: inner.capabilities,
    subscribe: (topic, options, handler) => inner.subscribe(topic, options, handler),
    close: () => inner.close(),
    async publish(topic, messages) {
      if (mode.hold) await new Promise<void>((resolve) => releases.push(resolve));
      if (mode.fail) throw new Error('backend down');
      const positions = await inner.publish(topic, messages);
      published += messages.length;
      return positions;
    },
    release() {
      for (const release of releases) release();
      releases = [];
    },
  };
}

function recorder(): { drops: DropReason[]; metrics: typeof noopMetrics } {
  const drops: DropReason[] = [];
  return { drops, metrics: { ...noopMetrics, dropped: (labels) => void drops.push(labels.reason) } };
}

describe('bus.emit (fire-and-forget)', () => {
  it('publishes without the caller waiting', async () => {
    const topic = unique('views');
    const bus = createBus<Events>({
      transport: createMemoryTransport(),
      group: unique('g'),
      topicFor: () => topic,
    });
    const seen: string[] = [];
    bus.on('page.viewed', (event) => void seen.push(event.data.path), { from: 'earliest' });
    await bus.start();
    const returned = bus.emit('page.viewed', { path: '/a' });
    expect(returned).toBeUndefined();
    await waitFor(() => seen.length === 1, 5_000, 'the emitted event');
    await bus.stop();
    expect(seen).toEqual(['/a']);
  });

  it('never throws: bad input and backend failures are dropped and counted by reason', async () => {
    const mode = { fail: true, hold: false };
    const { drops, metrics } = recorder();
    const bus = createBus<Events>({
      transport: unreliable(createMemoryTransport(), mode),
      group: unique('g'),
      metrics,
    });
    bus.emit('page.viewed', { path: '/b' });
    bus.emit('page.viewed', { path: '/c' }, { extensions: { 'Not Valid': 'x' } });
    bus.emit('bad type!' as 'page.viewed', { path: '/d' }, { expiresAt: 1 });
    await waitFor(() => drops.length === 3, 5_000, 'three drops');
    await bus.stop();
    expect([...drops].sort()).toEqual(['failed', 'invalid', 'invalid']);
  });

  it('bounds what is in flight, and stop() waits for it', async () => {
    const mode = { fail: false, hold: true };
    const { drops, metrics } = recorder();
    const inner = createMemoryTransport();
    const transport = unreliable(inner, mode);
    const bus = createBus<Events>({
      transport,
      group: unique('g'),
      metrics,
      maxPendingEmits: 2,
      closeTransport: false,
    });
    bus.emit('page.viewed', { path: '/1' });
    bus.emit('page.viewed', { path: '/2' });
    bus.emit('page.viewed', { path: '/3' });
    expect(drops).toEqual(['overflow']);
    const stopping = bus.stop({ deadlineMs: 5_000 });
    bus.emit('page.viewed', { path: '/4' });
    transport.release();
    await stopping;
    expect(drops).toEqual(['overflow', 'closed']);
    expect(transport.published).toBe(2);
    await inner.close();
  });
});
