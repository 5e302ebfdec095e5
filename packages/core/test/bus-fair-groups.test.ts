import { describe, expect, it } from 'vitest';
import { createBus, ErrorCodes, isEddyError, type FairGroupOptions } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { unique, waitFor } from './bus-test-helpers.js';

interface Events {
  'job.queued': { tenant: string; n: number };
}

function setup(): ReturnType<typeof createBus<Events>> {
  const topic = unique('jobs');
  return createBus<Events>({ transport: createMemoryTransport(), group: unique('g'), topicFor: () => topic });
}

describe('fair groups', () => {
  it('a quiet tenant is served between a noisy tenant’s backlog, not after it', async () => {
    const bus = setup();
    const order: string[] = [];
    const running = new Map<string, number>();
    let maxPerTenant = 0;
    let maxTotal = 0;
    let total = 0;
    bus.on(
      'job.queued',
      async (event) => {
        const tenant = event.data.tenant;
        const now = (running.get(tenant) ?? 0) + 1;
        running.set(tenant, now);
        total += 1;
        maxPerTenant = Math.max(maxPerTenant, now);
        maxTotal = Math.max(maxTotal, total);
        order.push(tenant);
        await new Promise((resolve) => setImmediate(resolve));
        running.set(tenant, now - 1);
        total -= 1;
      },
      { from: 'earliest', maxInFlight: 4, group: { key: 'data.tenant', concurrency: 2 } },
    );
    for (let n = 0; n < 200; n++) await bus.publish('job.queued', { tenant: 'noisy', n });
    await bus.publish('job.queued', { tenant: 'quiet', n: 0 });
    await bus.start();
    await waitFor(() => order.length === 201, 10_000, 'every job');
    await bus.stop();
    // Two slots of four per tenant: the quiet one goes as soon as it is fetched, long before the backlog ends.
    expect(order.indexOf('quiet')).toBeLessThan(100);
    expect(maxPerTenant).toBe(2);
    expect(maxTotal).toBeLessThanOrEqual(4);
  });

  it('ratePerSecond spaces the starts of one group', async () => {
    const bus = setup();
    const starts: number[] = [];
    bus.on(
      'job.queued',
      (event) => {
        if (event.data.tenant === 'a') starts.push(Date.now());
      },
      {
        from: 'earliest',
        group: { key: (event) => (event.data as { tenant: string }).tenant, ratePerSecond: 20 },
      },
    );
    for (let n = 0; n < 5; n++) await bus.publish('job.queued', { tenant: 'a', n });
    await bus.start();
    await waitFor(() => starts.length === 5, 10_000, 'five starts');
    await bus.stop();
    // One token at a time at 20/s: four gaps of about 50 ms (timers may fire a little early).
    expect(starts[4]! - starts[0]!).toBeGreaterThanOrEqual(180);
  });

  it.each<[string, FairGroupOptions]>([
    ['concurrency 0', { key: 'data.tenant', concurrency: 0 }],
    ['a fractional concurrency', { key: 'data.tenant', concurrency: 1.5 }],
    ['a negative rate', { key: 'data.tenant', ratePerSecond: -1 }],
    ['an unknown root', { key: 'tenant' }],
    ['a bare data path', { key: 'data' }],
    ['a malformed path', { key: 'data..tenant' }],
  ])('refuses %s with EDDY_INVALID_OPTION', (_what, group) => {
    const bus = setup();
    let caught: unknown;
    try {
      bus.on('job.queued', () => undefined, { group });
    } catch (error) {
      caught = error;
    }
    expect(isEddyError(caught) ? caught.code : caught).toBe(ErrorCodes.InvalidOption);
  });
});
