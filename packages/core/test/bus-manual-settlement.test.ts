import { describe, expect, it } from 'vitest';
import { createBus, ErrorCodes, type HandlerContext } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { observedTransport, unique, waitFor } from './bus-test-helpers.js';

interface Events {
  'job.submitted': { jobId: string };
}

function setup(): {
  bus: ReturnType<typeof createBus<Events>>;
  transport: ReturnType<typeof observedTransport>;
  topic: string;
} {
  const topic = unique('jobs');
  const transport = observedTransport(createMemoryTransport());
  const bus = createBus<Events>({
    transport,
    group: unique('g'),
    topicFor: () => topic,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
  return { bus, transport, topic };
}

describe('manual settlement', () => {
  it('keeps the delivery open after the handler returns until ctx.ack()', async () => {
    const { bus, transport, topic } = setup();
    const open: HandlerContext[] = [];
    bus.on('job.submitted', (_event, ctx) => void open.push(ctx), { settlement: 'manual', from: 'earliest' });
    await bus.start();
    await bus.publish('job.submitted', { jobId: 'a' });
    await waitFor(() => open.length === 1, 5_000, 'the delivery');
    // Returned, not yet settled: nothing acknowledged while the work goes on elsewhere.
    await new Promise((resolve) => setImmediate(resolve));
    expect(transport.acked.get(topic) ?? 0).toBe(0);
    open[0]!.ack();
    open[0]!.nack(); // ignored: the first call wins
    await waitFor(() => (transport.acked.get(topic) ?? 0) === 1, 5_000, 'the ack');
    await bus.stop();
    expect(open).toHaveLength(1);
    expect(transport.nacked.get(topic) ?? 0).toBe(0);
  });

  it('redelivers after ctx.nack({ delayMs })', async () => {
    const { bus, transport, topic } = setup();
    const deliveries: number[] = [];
    bus.on(
      'job.submitted',
      (_event, ctx) => {
        deliveries.push(ctx.deliveryCount);
        if (ctx.deliveryCount === 1) setImmediate(() => ctx.nack({ delayMs: 10 }));
        else setImmediate(() => ctx.ack());
      },
      { settlement: 'manual', from: 'earliest' },
    );
    await bus.start();
    await bus.publish('job.submitted', { jobId: 'b' });
    await waitFor(() => (transport.acked.get(topic) ?? 0) === 1, 5_000, 'the ack of the redelivery');
    await bus.stop();
    expect(deliveries).toEqual([1, 2]);
    expect(transport.nacked.get(topic)).toBe(1);
  });

  it('retries a delivery the handler never settles, after ackTimeoutMs', async () => {
    const { bus, transport, topic } = setup();
    const deliveries: number[] = [];
    bus.on(
      'job.submitted',
      (_event, ctx) => {
        deliveries.push(ctx.deliveryCount);
        if (ctx.deliveryCount > 1) ctx.ack();
      },
      { settlement: 'manual', from: 'earliest', ackTimeoutMs: 200 },
    );
    await bus.start();
    await bus.publish('job.submitted', { jobId: 'c' });
    await waitFor(() => (transport.acked.get(topic) ?? 0) === 1, 5_000, 'the ack after the timeout');
    await bus.stop();
    expect(deliveries).toEqual([1, 2]);
  });

  it('refuses ctx.ack() in an automatically settled handler, and a bad nack delay', async () => {
    const { bus } = setup();
    const errors: unknown[] = [];
    const attempt = (call: () => void): void => {
      try {
        call();
      } catch (error) {
        errors.push(error);
      }
    };
    bus.on('job.submitted', (_event, ctx) => attempt(() => ctx.ack()), { from: 'earliest' });
    bus.on(
      'job.submitted',
      (_event, ctx) => {
        attempt(() => ctx.nack({ delayMs: -1 }));
        ctx.ack();
      },
      { name: 'manual', settlement: 'manual', from: 'earliest' },
    );
    await bus.start();
    await bus.publish('job.submitted', { jobId: 'd' });
    await waitFor(() => errors.length === 2, 5_000, 'both refusals');
    await bus.stop();
    expect(errors.map((error) => (error as { code: string }).code)).toEqual([
      ErrorCodes.InvalidOption,
      ErrorCodes.InvalidOption,
    ]);
  });
});
