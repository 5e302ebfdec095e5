import { describe, expect, it } from 'vitest';
import { createBus, ErrorCodes, type DeadLetterNotice } from '@eddy/core';
import { noopMetrics } from '@eddy/core/internal';
import { createMemoryTransport } from '@eddy/core/testing';
import { unique, waitFor } from './bus-test-helpers.js';

interface Events {
  'price.changed': { symbol: string; price: number };
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('event expiry', () => {
  it('refuses an expiry in the past, at or before deliverAt, or not a time', async () => {
    const bus = createBus<Events>({ transport: createMemoryTransport(), group: unique('g') });
    const data = { symbol: 'EDY', price: 1 };
    const past = await rejection(() => bus.publish('price.changed', data, { expiresAt: Date.now() - 1 }));
    expect(past).toMatchObject({ code: ErrorCodes.InvalidOption });
    expect((past as Error).message).toContain('in the past');
    const due = Date.now() + 60_000;
    const beforeDue = await rejection(() =>
      bus.publish('price.changed', data, { deliverAt: due, expiresAt: due }),
    );
    expect((beforeDue as Error).message).toContain('is not after deliverAt');
    const notATime = await rejection(() => bus.publish('price.changed', data, { expiresAt: 1e300 }));
    expect(notATime).toMatchObject({ code: ErrorCodes.InvalidOption });
    expect(
      caught(() => bus.on('price.changed', () => undefined, { expired: 'dead-letter', deadLetter: false })),
    ).toMatchObject({
      code: ErrorCodes.InvalidOption,
    });
    await bus.stop();
  });

  it('never hands an expired event to the handler; it is acknowledged and counted', async () => {
    const topic = unique('prices');
    const transport = createMemoryTransport();
    const expired: string[] = [];
    const producer = createBus<Events>({ transport, group: unique('p'), topicFor: () => topic });
    const expiresAt = Date.now() + 30;
    await producer.publish('price.changed', { symbol: 'OLD', price: 1 }, { expiresAt });
    await producer.publish(
      'price.changed',
      { symbol: 'NEW', price: 2 },
      { expiresAt: Date.now() + 3_600_000 },
    );
    await producer.publish('price.changed', { symbol: 'PLAIN', price: 3 });
    // Wait on the clock until the first event is stale, then start consuming.
    await waitFor(() => Date.now() > expiresAt, 2_000, 'the first expiry');
    const consumer = createBus<Events>({
      transport,
      group: unique('c'),
      topicFor: () => topic,
      metrics: { ...noopMetrics, expired: (labels) => expired.push(labels.handler) },
    });
    const handled: string[] = [];
    consumer.on('price.changed', (event) => void handled.push(event.data.symbol), { from: 'earliest' });
    await consumer.start();
    await waitFor(() => handled.length === 2, 5_000, 'the two live events');
    await consumer.stop();
    await producer.stop();
    expect(handled).toEqual(['NEW', 'PLAIN']);
    expect(expired).toEqual(['price.changed']);
  });

  it('dead-letters an expired event with EDDY_EXPIRED when the handler asks for it', async () => {
    const topic = unique('prices');
    const transport = createMemoryTransport();
    const notices: DeadLetterNotice[] = [];
    const bus = createBus<Events>({
      transport,
      group: unique('g'),
      topicFor: () => topic,
      onDeadLetter: (notice) => void notices.push(notice),
    });
    const expiresAt = Date.now() + 30;
    await bus.publish('price.changed', { symbol: 'OLD', price: 1 }, { expiresAt });
    await waitFor(() => Date.now() > expiresAt, 2_000, 'the expiry');
    const handled: string[] = [];
    bus.on('price.changed', (event) => void handled.push(event.data.symbol), {
      from: 'earliest',
      expired: 'dead-letter',
    });
    await bus.start();
    await waitFor(() => notices.length === 1, 5_000, 'the dead-letter notice');
    await bus.stop();
    expect(handled).toEqual([]);
    expect(notices[0]?.error).toMatchObject({ code: ErrorCodes.Expired, expiresAt });
    expect(notices[0]?.deadLetterTopic).toBe(`${topic}.dlq`);
  });
});
