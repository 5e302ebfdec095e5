import { describe, expect, it } from 'vitest';
import { createBus, ErrorCodes, type Transport } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { PriorityGate } from '../src/bus/priority-gate.js';
import { unique, waitFor } from './bus-test-helpers.js';

interface Events {
  'job.run': { id: string };
}

async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('priority gate', () => {
  it('gives a free slot to the highest waiting level', async () => {
    const gate = new PriorityGate({ slots: 1, levels: 10, agingMs: 60_000 });
    await gate.acquire(0);
    const order: number[] = [];
    const waits = [0, 5, 9, 5].map((level) => gate.acquire(level).then(() => order.push(level)));
    expect(gate.waiting[5]).toBe(2);
    for (let i = 0; i < 4; i++) {
      gate.release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(waits);
    expect(order).toEqual([9, 5, 5, 0]);
  });

  it('lets a delivery that waited past agingMs go first, whatever its level', async () => {
    const gate = new PriorityGate({ slots: 1, levels: 10, agingMs: 20 });
    await gate.acquire(9);
    const order: number[] = [];
    const low = gate.acquire(0).then(() => order.push(0));
    const since = Date.now();
    await waitFor(() => Date.now() - since > 25, 1_000, 'the low waiter to age');
    const high = gate.acquire(9).then(() => order.push(9));
    gate.release();
    await low;
    gate.release();
    await high;
    expect(order).toEqual([0, 9]);
  });
});

describe('priority on the bus', () => {
  it('serves a high-priority event before a backlog of low ones', async () => {
    const topic = unique('jobs');
    const inner = createMemoryTransport();
    // Counts deliveries handed to the subscriber per topic, so the test knows every lane's event
    // is waiting for the slot before it frees it.
    const handedOver = new Map<string, number>();
    const transport: Transport = {
      name: inner.name,
      capabilities: inner.capabilities,
      publish: (t, messages) => inner.publish(t, messages),
      close: () => inner.close(),
      subscribe: (t, options, handler) =>
        inner.subscribe(t, options, (message) => {
          handedOver.set(t, (handedOver.get(t) ?? 0) + 1);
          return handler(message);
        }),
    };
    const bus = createBus<Events>({ transport, group: unique('g'), topicFor: () => topic });
    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    bus.on(
      'job.run',
      async (event) => {
        order.push(event.data.id);
        if (event.data.id === 'low-0') await firstHeld;
      },
      { from: 'earliest', maxInFlight: 8, priority: { slots: 1 } },
    );
    await bus.start();
    for (let i = 0; i < 6; i++) await bus.publish('job.run', { id: `low-${i}` });
    await waitFor(() => order.length === 1, 5_000, 'the first low job to start');
    await bus.publish('job.run', { id: 'urgent' }, { priority: 9 });
    await bus.publish('job.run', { id: 'soon' }, { priority: 4 });
    await waitFor(
      () =>
        handedOver.get(topic) === 6 &&
        handedOver.get(`${topic}.priority-9`) === 1 &&
        handedOver.get(`${topic}.priority-4`) === 1,
      5_000,
      'every event waiting for the slot',
    );
    expect(order).toEqual(['low-0']);
    releaseFirst();
    await waitFor(() => order.length === 8, 5_000, 'every job');
    await bus.stop();
    expect(order.slice(0, 3)).toEqual(['low-0', 'urgent', 'soon']);
    expect(order.slice(3)).toEqual(['low-1', 'low-2', 'low-3', 'low-4', 'low-5']);
  });

  it('publishes every level to the topic itself where the transport orders by priority, and still serves the highest waiting level first', async () => {
    const topic = unique('jobs');
    const inner = createMemoryTransport();
    const subscribedTo: string[] = [];
    const publishedTo: string[] = [];
    let handedOver = 0;
    const transport: Transport = {
      name: inner.name,
      capabilities: { ...inner.capabilities, priority: true },
      publish: (t, messages) => {
        publishedTo.push(t);
        return inner.publish(t, messages);
      },
      close: () => inner.close(),
      subscribe: (t, options, handler) => {
        subscribedTo.push(t);
        return inner.subscribe(t, options, (message) => {
          handedOver += 1;
          return handler(message);
        });
      },
    };
    const bus = createBus<Events>({ transport, group: unique('g'), topicFor: () => topic });
    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    bus.on(
      'job.run',
      async (event) => {
        order.push(event.data.id);
        if (event.data.id === 'low-0') await firstHeld;
      },
      { from: 'earliest', maxInFlight: 8, priority: { slots: 1 } },
    );
    await bus.start();
    for (let i = 0; i < 3; i++) await bus.publish('job.run', { id: `low-${i}` });
    await waitFor(() => order.length === 1, 5_000, 'the first low job to start');
    await bus.publish('job.run', { id: 'urgent' }, { priority: 9 });
    await waitFor(() => handedOver === 4, 5_000, 'every event waiting for the slot');
    releaseFirst();
    await waitFor(() => order.length === 4, 5_000, 'every job');
    await bus.stop();
    expect(subscribedTo).toEqual([topic]);
    expect(new Set(publishedTo)).toEqual(new Set([topic]));
    // The broker orders what it still holds; what already reached the process waits at the gate.
    expect(order).toEqual(['low-0', 'urgent', 'low-1', 'low-2']);
  });

  it('refuses a priority outside 0-9 and bad priority options', async () => {
    const bus = createBus<Events>({ transport: createMemoryTransport(), group: unique('g') });
    for (const priority of [-1, 10, 1.5, Number.NaN]) {
      expect(await rejection(() => bus.publish('job.run', { id: 'x' }, { priority }))).toMatchObject({
        code: ErrorCodes.InvalidOption,
      });
    }
    let caught: unknown;
    try {
      bus.on('job.run', () => undefined, { priority: { slots: 0 } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: ErrorCodes.InvalidOption });
    await bus.stop();
  });
});
