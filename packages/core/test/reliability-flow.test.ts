import { describe, expect, it } from 'vitest';
import { createBus, type DeadLetterNotice } from '@eddy/core';
import { TimeoutError } from '@eddy/core/internal';
import { createMemoryTransport } from '@eddy/core/testing';
import { observedTransport, unique, waitFor } from './bus-test-helpers.js';

interface Events {
  'job.queued': { n: number };
}

describe('reliability: timeouts, backpressure and rate limits (memory transport)', () => {
  it('aborts a slow attempt at its timeout, counts it as a failure and retries it', async () => {
    const transport = createMemoryTransport();
    const topic = unique('jobs');
    const notices: DeadLetterNotice[] = [];
    const bus = createBus<Events>({
      transport,
      topicFor: () => topic,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      onDeadLetter: (notice) => void notices.push(notice),
    });
    const reasons: unknown[] = [];
    bus.on(
      'job.queued',
      (_event, ctx) =>
        // Never settles by itself: only the signal ends it.
        new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            reasons.push(ctx.signal.reason);
            resolve();
          });
        }),
      { timeoutMs: 30 },
    );
    await bus.start();
    await bus.publish('job.queued', { n: 1 });
    await waitFor(() => notices.length === 1, 10_000, 'the timed-out job to be dead-lettered');
    expect(reasons).toHaveLength(3);
    expect(reasons.every((reason) => reason instanceof TimeoutError)).toBe(true);
    expect(reasons.map((reason) => (reason as TimeoutError).code)).toEqual(Array(3).fill('EDDY_TIMEOUT'));
    expect(notices[0]!.errorName).toBe('TimeoutError');
    expect(notices[0]!.attempts).toBe(3);
    await bus.stop();
  });

  it('never runs more than maxInFlight handlers over a 50k backlog, and the transport never hands out more', async () => {
    const transport = observedTransport(createMemoryTransport());
    const topic = unique('backlog');
    const total = 50_000;
    const producer = createBus<Events>({ transport, topicFor: () => topic, closeTransport: false });
    await producer.publish('job.queued', { n: 0 });
    for (let i = 1; i < total; i += 5_000) {
      await Promise.all(
        Array.from({ length: Math.min(5_000, total - i) }, (_, j) =>
          producer.publish('job.queued', { n: i + j }),
        ),
      );
    }
    const bus = createBus<Events>({ transport, topicFor: () => topic });
    let running = 0;
    let maxRunning = 0;
    let done = 0;
    bus.on(
      'job.queued',
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
        done++;
      },
      { from: 'earliest', maxInFlight: 10 },
    );
    await bus.start();
    await waitFor(() => done === total, 60_000, 'the backlog to drain');
    expect(maxRunning).toBe(10);
    expect(transport.maxConcurrent.get(topic)).toBeLessThanOrEqual(10);
    expect(transport.acked.get(topic)).toBe(total);
    await bus.stop();
  });

  it('keeps at most maxInFlightPerKey deliveries of one key running', async () => {
    const transport = createMemoryTransport();
    const topic = unique('keyed');
    const bus = createBus<Events>({ transport, topicFor: () => topic });
    const runningByKey = new Map<string, number>();
    let maxPerKey = 0;
    let maxTotal = 0;
    let total = 0;
    let done = 0;
    bus.on(
      'job.queued',
      async (_event, ctx) => {
        const key = ctx.message.key!;
        runningByKey.set(key, (runningByKey.get(key) ?? 0) + 1);
        total++;
        maxPerKey = Math.max(maxPerKey, runningByKey.get(key)!);
        maxTotal = Math.max(maxTotal, total);
        await new Promise((resolve) => setTimeout(resolve, 1));
        runningByKey.set(key, runningByKey.get(key)! - 1);
        total--;
        done++;
      },
      { maxInFlight: 16, maxInFlightPerKey: 1 },
    );
    await bus.start();
    await Promise.all(
      Array.from({ length: 400 }, (_, n) => bus.publish('job.queued', { n }, { key: `k${n % 4}` })),
    );
    await waitFor(() => done === 400);
    expect(maxPerKey).toBe(1);
    expect(maxTotal).toBeLessThanOrEqual(4);
    await bus.stop();
  });

  it('starts at most ratePerSecond deliveries per second', async () => {
    const transport = createMemoryTransport();
    const topic = unique('rated');
    const bus = createBus<Events>({ transport, topicFor: () => topic });
    const startedAt: number[] = [];
    bus.on('job.queued', () => void startedAt.push(Date.now()), { ratePerSecond: 100 });
    await bus.start();
    await Promise.all(Array.from({ length: 150 }, (_, n) => bus.publish('job.queued', { n })));
    await waitFor(() => startedAt.length === 150);
    // A burst of 100, then 50 more at 100/s: at least ~500 ms in total.
    expect(startedAt.at(-1)! - startedAt[0]!).toBeGreaterThanOrEqual(450);
    await bus.stop();
  });
});
