import { describe, expect, it } from 'vitest';
import { createBus, ErrorCodes, isEddyError, type DeadLetterNotice, type HandlerContext } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { unique, waitFor } from './bus-test-helpers.js';

interface Events {
  'report.requested': { reportId: string };
}

function setup(ackTimeoutMs = 150): {
  bus: ReturnType<typeof createBus<Events>>;
  deadLettered: DeadLetterNotice[];
} {
  const topic = unique('reports');
  const deadLettered: DeadLetterNotice[] = [];
  const bus = createBus<Events>({
    transport: createMemoryTransport(),
    group: unique('g'),
    topicFor: () => topic,
    ackTimeoutMs,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    onDeadLetter: (notice) => void deadLettered.push(notice),
  });
  return { bus, deadLettered };
}

function codeOf(error: unknown): string | undefined {
  return isEddyError(error) ? error.code : undefined;
}

describe('long-running handlers', () => {
  it('extendLease keeps a delivery past ackTimeoutMs; progress shows in bus.inflight()', async () => {
    const { bus } = setup(150);
    const deliveries: number[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let extendedAt = 0;
    bus.on(
      'report.requested',
      async (_event, ctx) => {
        deliveries.push(ctx.deliveryCount);
        await ctx.extendLease(2_000);
        extendedAt = Date.now();
        ctx.progress({ pages: 3 });
        await released;
      },
      { longRunning: true, from: 'earliest' },
    );
    await bus.start();
    const { id } = await bus.publish('report.requested', { reportId: 'r-1' });
    await waitFor(() => bus.inflight()[0]?.progress !== undefined, 5_000, 'progress');
    await waitFor(() => Date.now() > extendedAt + 450, 5_000, 'three ack timeouts');
    const [running] = bus.inflight();
    expect(running).toMatchObject({ eventId: id, progress: { pages: 3 }, deliveryCount: 1 });
    expect(running!.leaseUntil).toBeGreaterThan(Date.now());
    expect(deliveries).toEqual([1]);
    release();
    await waitFor(() => bus.inflight().length === 0, 5_000, 'the delivery to settle');
    await bus.stop();
    expect(deliveries).toEqual([1]);
  });

  it('without extendLease the same slow delivery is redelivered after ackTimeoutMs', async () => {
    const { bus } = setup(150);
    const deliveries: number[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    bus.on(
      'report.requested',
      async (_event, ctx) => {
        deliveries.push(ctx.deliveryCount);
        if (ctx.deliveryCount === 1) await released;
      },
      { longRunning: true, from: 'earliest' },
    );
    await bus.start();
    await bus.publish('report.requested', { reportId: 'r-2' });
    await waitFor(() => deliveries.length >= 2, 5_000, 'the redelivery');
    release();
    await bus.stop();
    expect(deliveries.slice(0, 2)).toEqual([1, 2]);
  });

  it('bus.cancel aborts ctx.signal and dead-letters the delivery with EDDY_CANCELLED', async () => {
    const { bus, deadLettered } = setup(10_000);
    const reasons: unknown[] = [];
    bus.on(
      'report.requested',
      (_event, ctx) =>
        new Promise<void>((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            reasons.push(ctx.signal.reason);
            reject(ctx.signal.reason as Error);
          });
        }),
      { longRunning: true, from: 'earliest' },
    );
    await bus.start();
    const { id } = await bus.publish('report.requested', { reportId: 'r-3' });
    await waitFor(() => bus.inflight().length === 1, 5_000, 'the running delivery');
    expect(bus.cancel('no-such-event')).toBe(0);
    expect(bus.cancel(id, 'operator asked')).toBe(1);
    await waitFor(() => deadLettered.length === 1, 5_000, 'the dead letter');
    await bus.stop();
    expect(codeOf(reasons[0])).toBe(ErrorCodes.Cancelled);
    expect(codeOf(deadLettered[0]!.error)).toBe(ErrorCodes.Cancelled);
    expect(deadLettered[0]!.attempts).toBe(1);
  });

  it('refuses extendLease and progress outside longRunning handlers, and bad extensions', async () => {
    const { bus } = setup();
    const errors: unknown[] = [];
    const done: string[] = [];
    const record = async (work: () => unknown): Promise<void> => {
      try {
        await work();
      } catch (error) {
        errors.push(error);
      }
    };
    bus.on(
      'report.requested',
      async (_event, ctx: HandlerContext) => {
        await record(() => ctx.extendLease(1_000));
        await record(() => ctx.progress(1));
        done.push('plain');
      },
      { from: 'earliest' },
    );
    bus.on(
      'report.requested',
      async (_event, ctx: HandlerContext) => {
        await record(() => ctx.extendLease(-5));
        await record(() => ctx.extendLease(Number.NaN));
        done.push('long');
      },
      { name: 'long', longRunning: true, from: 'earliest' },
    );
    await bus.start();
    await bus.publish('report.requested', { reportId: 'r-4' });
    await waitFor(() => done.length === 2, 5_000, 'both handlers');
    await bus.stop();
    expect(errors.map(codeOf)).toEqual(Array(4).fill(ErrorCodes.InvalidOption));
  });

  it('refuses longRunning on a transport without lease extension with EDDY_NOT_SUPPORTED', () => {
    const bus = createBus<Events>({
      transport: createMemoryTransport({ capabilities: { leaseExtension: false } }),
    });
    let caught: unknown;
    try {
      bus.on('report.requested', () => undefined, { longRunning: true });
    } catch (error) {
      caught = error;
    }
    expect(codeOf(caught)).toBe(ErrorCodes.NotSupported);
  });
});
