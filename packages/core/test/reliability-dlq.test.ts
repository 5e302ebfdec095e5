import { describe, expect, it } from 'vitest';
import {
  createBus,
  createDeadLetterAdmin,
  NonRetryableError,
  type DeadLetterNotice,
  type Transport,
} from '@eddy/core';
import { DeadLetterHeaders, redeliveryDelayOf } from '@eddy/core/internal';
import { createMemoryTransport } from '@eddy/core/testing';
import { unique, waitFor } from './bus-test-helpers.js';

interface Events {
  'order.placed': { orderId: string; n: number };
}

const fastRetry = { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 20 };

describe('reliability: retry and dead-letter queue (memory transport)', () => {
  it('dead-letters a poison message after exactly N attempts while 10k good messages flow, then redrives it once', async () => {
    const transport = createMemoryTransport();
    const topic = unique('orders');
    const bus = createBus<Events>({
      transport,
      group: 'shop',
      topicFor: () => topic,
      retry: fastRetry,
      closeTransport: false,
      onDeadLetter: (notice) => void notices.push(notice),
    });
    const notices: DeadLetterNotice[] = [];
    let broken = true;
    const poisonAttempts: number[] = [];
    let good = 0;
    let goodDuringPoisonRetries = 0;
    let poisonDone = 0;
    bus.on(
      'order.placed',
      (event, ctx) => {
        if (event.data.orderId === 'poison') {
          poisonAttempts.push(ctx.deliveryCount);
          if (broken) throw new TypeError(`cannot price order ${event.data.orderId}`);
          poisonDone++;
          return;
        }
        good++;
        if (poisonAttempts.length > 0 && notices.length === 0) goodDuringPoisonRetries++;
      },
      { name: 'pricing', maxInFlight: 32 },
    );
    await bus.start();
    const poison = await bus.publish('order.placed', { orderId: 'poison', n: 0 }, { key: 'poison' });
    const batch = 500;
    for (let i = 0; i < 10_000; i += batch) {
      await Promise.all(
        Array.from({ length: batch }, (_, j) =>
          bus.publish('order.placed', { orderId: `o-${i + j}`, n: i + j }, { key: `k-${(i + j) % 97}` }),
        ),
      );
    }
    await waitFor(() => good === 10_000 && notices.length === 1, 30_000, 'good messages and the dead letter');
    expect(poisonAttempts).toEqual([1, 2, 3, 4, 5]);
    // Retries are redeliveries, not sleeps: other keys kept flowing between the poison's attempts.
    expect(goodDuringPoisonRetries).toBeGreaterThan(0);

    const notice = notices[0]!;
    expect(notice.deadLetterTopic).toBe(`${topic}.dlq`);
    expect(notice.attempts).toBe(5);
    expect(notice.handler).toBe('pricing');

    const admin = createDeadLetterAdmin({ transport, idleMs: 100 });
    const entries = await admin.list(`${topic}.dlq`);
    expect(entries).toHaveLength(1);
    const entry = entries[0]!;
    expect(entry.event?.id).toBe(poison.id);
    expect(entry.event?.data).toEqual({ orderId: 'poison', n: 0 });
    expect(entry.key).toBe('poison');
    expect(entry.headers['ce-id']).toBe(poison.id);
    expect(entry.metadata).toMatchObject({
      errorName: 'TypeError',
      errorMessage: 'cannot price order poison',
      attempts: 5,
      topic,
      partition: poison.partition,
      offset: poison.offset,
      handler: 'pricing',
      group: 'shop.pricing',
    });
    expect(entry.metadata.errorStack).toContain('TypeError: cannot price order poison');
    expect(entry.metadata.firstFailureAt).toBeLessThanOrEqual(entry.metadata.lastFailureAt);
    expect(entry.metadata.lastFailureAt).toBeGreaterThan(0);
    expect(await admin.inspect(`${topic}.dlq`, entry.id)).toMatchObject({ id: entry.id });

    broken = false;
    expect(await admin.redrive(`${topic}.dlq`, { ids: [entry.id] })).toBe(1);
    await waitFor(() => poisonDone === 1, 10_000, 'redriven message');
    expect(await admin.list(`${topic}.dlq`)).toHaveLength(0);
    // Delivered once: a second redrive finds nothing and nothing arrives twice.
    expect(await admin.redrive(`${topic}.dlq`)).toBe(0);
    expect(poisonDone).toBe(1);
    expect(poisonAttempts.at(-1)).toBe(1);
    await bus.stop();
    await transport.close();
  });

  it('sends non-retryable errors straight to the DLQ and redrives only to the failed handler', async () => {
    const transport = createMemoryTransport();
    const topic = unique('orders');
    const bus = createBus<Events>({
      transport,
      topicFor: () => topic,
      retry: fastRetry,
      closeTransport: false,
    });
    let rejectAttempts = 0;
    let auditCount = 0;
    bus.on(
      'order.placed',
      () => {
        rejectAttempts++;
        if (rejectAttempts === 1) throw new NonRetryableError('order total is negative');
      },
      { name: 'validate' },
    );
    bus.on('order.placed', () => void auditCount++, { name: 'audit' });
    await bus.start();
    await bus.publish('order.placed', { orderId: 'neg', n: -1 });
    const admin = createDeadLetterAdmin({ transport, idleMs: 100 });
    await waitFor(() => auditCount === 1 && rejectAttempts === 1);
    let entries = await admin.list(`${topic}.dlq`);
    for (let i = 0; entries.length === 0 && i < 50; i++) entries = await admin.list(`${topic}.dlq`);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.metadata.attempts).toBe(1);
    expect(entries[0]!.metadata.errorName).toBe('NonRetryableError');
    expect(entries[0]!.metadata.errorCode).toBe('EDDY_NON_RETRYABLE');
    expect(entries[0]!.headers[DeadLetterHeaders.attempts]).toBeUndefined();

    expect(await admin.redrive(`${topic}.dlq`, { filter: (e) => e.metadata.handler === 'validate' })).toBe(1);
    await waitFor(() => rejectAttempts === 2);
    // The audit handler processed the original already and skips the redriven copy.
    const probe = await bus.publish('order.placed', { orderId: 'probe', n: 1 });
    await waitFor(() => auditCount === 2 && rejectAttempts === 3, 10_000, `probe ${probe.id}`);
    expect(auditCount).toBe(2);
    await bus.stop();
    await transport.close();
  });

  it('purges by filter and counts what it removed', async () => {
    const transport = createMemoryTransport();
    const topic = unique('orders');
    const bus = createBus<Events>({ transport, topicFor: () => topic, retry: false, closeTransport: false });
    let calls = 0;
    bus.on('order.placed', (event) => {
      calls++;
      throw new Error(`fail ${event.data.n}`);
    });
    await bus.start();
    for (let n = 0; n < 4; n++) await bus.publish('order.placed', { orderId: `o${n}`, n });
    const admin = createDeadLetterAdmin({ transport, idleMs: 100 });
    await waitFor(() => calls === 4);
    let entries = await admin.list(`${topic}.dlq`);
    for (let i = 0; entries.length < 4 && i < 50; i++) entries = await admin.list(`${topic}.dlq`);
    expect(entries).toHaveLength(4);
    expect(await admin.purge(`${topic}.dlq`, { filter: (e) => e.metadata.errorMessage === 'fail 2' })).toBe(
      1,
    );
    expect((await admin.list(`${topic}.dlq`)).map((e) => e.metadata.errorMessage).sort()).toEqual([
      'fail 0',
      'fail 1',
      'fail 3',
    ]);
    expect(await admin.purge(`${topic}.dlq`)).toBe(3);
    expect(await admin.list(`${topic}.dlq`)).toHaveLength(0);
    await bus.stop();
    await transport.close();
  });
});

describe('reliability: retry on a transport without nack delays', () => {
  it('waits out the backoff in place and nacks for immediate redelivery', async () => {
    const inner = createMemoryTransport();
    const topic = unique('orders');
    const delays: number[] = [];
    const transport: Transport = {
      name: inner.name,
      capabilities: { ...inner.capabilities, nackDelay: false },
      publish: (t, messages) => inner.publish(t, messages),
      close: () => inner.close(),
      subscribe: (t, options, handler) =>
        inner.subscribe(t, options, async (message) => {
          try {
            await handler(message);
          } catch (error) {
            if (t === topic) delays.push(redeliveryDelayOf(error, -1));
            throw error;
          }
        }),
    };
    const notices: DeadLetterNotice[] = [];
    const bus = createBus<Events>({
      transport,
      topicFor: () => topic,
      retry: { maxAttempts: 3, baseDelayMs: 40, maxDelayMs: 40 },
      onDeadLetter: (notice) => void notices.push(notice),
    });
    const attemptsAt: number[] = [];
    bus.on('order.placed', () => {
      attemptsAt.push(Date.now());
      throw new Error('always');
    });
    await bus.start();
    await bus.publish('order.placed', { orderId: 'x', n: 1 });
    await waitFor(() => notices.length === 1);
    expect(attemptsAt).toHaveLength(3);
    // The transport cannot delay, so the bus asked for immediate redelivery each time.
    expect(delays).toEqual([0, 0]);
    await bus.stop();
  });
});

describe('reliability: undecodable messages', () => {
  it('dead-letters a message that is not a CloudEvent at once, and keeps consuming', async () => {
    const transport = createMemoryTransport();
    const topic = unique('orders');
    const notices: DeadLetterNotice[] = [];
    const bus = createBus<Events>({
      transport,
      topicFor: () => topic,
      closeTransport: false,
      onDeadLetter: (notice) => void notices.push(notice),
    });
    const handled: string[] = [];
    bus.on('order.placed', (event) => void handled.push(event.data.orderId), { name: 'pricing' });
    await bus.start();
    const [garbage] = await transport.publish(topic, [
      { headers: { 'x-origin': 'legacy' }, payload: Buffer.from('{oops') },
    ]);
    await bus.publish('order.placed', { orderId: 'after', n: 1 });
    await waitFor(() => notices.length === 1 && handled.length === 1);
    expect(notices[0]).toMatchObject({
      errorName: 'DecodeError',
      attempts: 1,
      handler: 'pricing',
      offset: garbage!.offset,
    });
    const admin = createDeadLetterAdmin({ transport, idleMs: 100 });
    const [entry] = await admin.list(`${topic}.dlq`);
    expect(entry!.event).toBeUndefined();
    expect(Buffer.from(entry!.payload).toString()).toBe('{oops');
    expect(entry!.headers['x-origin']).toBe('legacy');
    await bus.stop();
    await transport.close();
  });
});
