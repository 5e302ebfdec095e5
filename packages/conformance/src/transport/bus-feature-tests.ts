import { createBus, type BusMetrics, type MessageHandler, type Transport } from '@eddy/core';
import { noopMetrics } from '@eddy/core/internal';
import { expect, it } from 'vitest';
import { waitFor } from '../wait-for.js';
import type { Harness } from './harness.js';

interface Events {
  'job.run': { n: number };
}

/**
 * The transport, counting the messages it hands to subscribers, per topic. Where the backend orders
 * by priority itself (`capabilities.priority`), a message of level n counts for the lane
 * `<topic>.priority-<n>` it would have had, so the cases read the same on every backend.
 */
function counting(inner: Transport): { transport: Transport; deliveredOn: (topic: string) => number } {
  const counts = new Map<string, number>();
  const transport: Transport = {
    name: inner.name,
    capabilities: inner.capabilities,
    publish: (topic, messages) => inner.publish(topic, messages),
    subscribe: (topic, options, handler: MessageHandler) =>
      inner.subscribe(topic, options, (message) => {
        const level = message.headers['ce-priority'];
        const lane =
          inner.capabilities.priority === true && level !== undefined ? `${topic}.priority-${level}` : topic;
        counts.set(lane, (counts.get(lane) ?? 0) + 1);
        return handler(message);
      }),
    close: () => inner.close(),
  };
  return { transport, deliveredOn: (topic) => counts.get(topic) ?? 0 };
}

/**
 * Expiry and priority are the bus's, built on the transport contract alone (expiry checked by the
 * subscriber, priority as lanes unless the backend orders by priority itself), so these cases run on every backend: they prove the contract
 * carries what the bus needs. Filtering and superseding in the transport are capability-gated
 * (filter-tests.ts).
 */
export function busFeatureTests(h: Harness): void {
  it('never runs an event past its expiresAt: it is settled unhandled and counted', async () => {
    const topic = h.topic();
    const gate = h.gate();
    let expired = 0;
    const metrics: BusMetrics = { ...noopMetrics, expired: () => (expired += 1) };
    const bus = createBus<Events>({
      transport: await h.open(),
      group: h.group(),
      topicFor: () => topic,
      metrics,
      closeTransport: false,
    });
    const handled: number[] = [];
    bus.on(
      'job.run',
      async (event) => {
        handled.push(event.data.n);
        if (event.data.n === 0) await gate.promise;
      },
      { from: 'earliest', maxInFlight: 1 },
    );
    await bus.start();
    try {
      await bus.publish('job.run', { n: 0 });
      await waitFor(() => handled.length === 1, { description: 'the first event' });
      // Held back behind the first (maxInFlight 1) until it has expired.
      const expiresAt = Date.now() + 300;
      await bus.publish('job.run', { n: 1 }, { expiresAt });
      await bus.publish('job.run', { n: 2 });
      await waitFor(() => Date.now() > expiresAt, { description: 'the expiry to pass' });
      gate.open();
      // Keyless events may come in either order on a partitioned backend: wait for both outcomes.
      await waitFor(() => handled.includes(2) && expired === 1, {
        description: () => `the event after the expired one, and the expiry counted (${expired})`,
      });
      expect(handled).toEqual([0, 2]);
      expect(expired).toBe(1);
    } finally {
      gate.open();
      await bus.stop();
    }
  });

  it('a handler registered with priority runs a waiting urgent event before waiting ordinary ones', async () => {
    const topic = h.topic();
    const gate = h.gate();
    const { transport, deliveredOn } = counting(await h.open());
    const bus = createBus<Events>({
      transport,
      group: h.group(),
      topicFor: () => topic,
      closeTransport: false,
    });
    const handled: number[] = [];
    bus.on(
      'job.run',
      async (event) => {
        handled.push(event.data.n);
        if (event.data.n === 0) await gate.promise;
      },
      // One slot, and no aging within the test: only the level decides who goes next.
      { from: 'earliest', priority: { slots: 1, agingMs: 600_000 } },
    );
    await bus.start();
    try {
      await bus.publish('job.run', { n: 0 });
      await waitFor(() => handled.length === 1, { description: 'the first event' });
      for (let n = 1; n <= 5; n++) await bus.publish('job.run', { n });
      await bus.publish('job.run', { n: 99 }, { priority: 9 });
      // Both levels have deliveries waiting for the slot before it frees.
      await waitFor(() => deliveredOn(`${topic}.priority-9`) === 1 && deliveredOn(topic) >= 2, {
        description: () =>
          `the urgent event (${deliveredOn(`${topic}.priority-9`)}) and an ordinary one (${deliveredOn(topic) - 1}) waiting`,
      });
      gate.open();
      await waitFor(() => handled.length === 7, { description: () => `7 handled, got ${handled.length}` });
      expect(handled[1]).toBe(99);
      // Keyless, so spread over partitions: their order among themselves is not promised.
      expect(handled.filter((n) => n !== 99 && n !== 0).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      gate.open();
      await bus.stop();
    }
  });
}
