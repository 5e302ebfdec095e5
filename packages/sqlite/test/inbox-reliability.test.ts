import { afterAll, describe, expect, it } from 'vitest';
import { createBus, createDeadLetterAdmin, type DeadLetterNotice } from '@eddy/core';
import { createSqliteInboxStore, createSqliteTransport } from '@eddy/sqlite';
import { tempDir, unique, waitFor } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

interface Events {
  'order.placed': { orderId: string; n: number };
}

describe('reliability on the sqlite transport', () => {
  it('dead-letters a poison message after exactly N attempts while 10k good messages flow, then redrives it once', async () => {
    const transport = createSqliteTransport({ path: tmp.file('dlq.db'), partitions: 4 });
    const topic = unique('orders');
    const notices: DeadLetterNotice[] = [];
    const bus = createBus<Events>({
      transport,
      group: 'shop',
      topicFor: () => topic,
      retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50 },
      closeTransport: false,
      onDeadLetter: (notice) => void notices.push(notice),
    });
    let broken = true;
    const poisonAttempts: number[] = [];
    let good = 0;
    let goodDuringRetries = 0;
    let fixed = 0;
    bus.on(
      'order.placed',
      (event, ctx) => {
        if (event.data.orderId === 'poison') {
          poisonAttempts.push(ctx.deliveryCount);
          if (broken) throw new RangeError('price out of range');
          fixed++;
          return;
        }
        good++;
        if (poisonAttempts.length > 0 && notices.length === 0) goodDuringRetries++;
      },
      { name: 'pricing', from: 'earliest', maxInFlight: 64 },
    );
    await bus.start();
    const poison = await bus.publish('order.placed', { orderId: 'poison', n: -1 }, { key: 'poison' });
    for (let i = 0; i < 10_000; i += 1_000) {
      await Promise.all(
        Array.from({ length: 1_000 }, (_, j) =>
          bus.publish('order.placed', { orderId: `o${i + j}`, n: i + j }, { key: `k${(i + j) % 101}` }),
        ),
      );
    }
    await waitFor(() => good === 10_000 && notices.length === 1, 60_000, 'good messages and the dead letter');
    expect(poisonAttempts).toEqual([1, 2, 3, 4]);
    expect(goodDuringRetries).toBeGreaterThan(0);

    const admin = createDeadLetterAdmin({ transport, idleMs: 400 });
    const [entry, ...rest] = await admin.list(`${topic}.dlq`);
    expect(rest).toEqual([]);
    expect(entry!.event?.id).toBe(poison.id);
    expect(entry!.metadata).toMatchObject({
      errorName: 'RangeError',
      errorMessage: 'price out of range',
      attempts: 4,
      topic,
      partition: poison.partition,
      offset: poison.offset,
      handler: 'pricing',
      group: 'shop.pricing',
    });
    expect(entry!.metadata.errorStack).toContain('RangeError');

    broken = false;
    expect(await admin.redrive(`${topic}.dlq`)).toBe(1);
    await waitFor(() => fixed === 1, 20_000, 'the redriven message');
    expect(await admin.list(`${topic}.dlq`)).toEqual([]);
    expect(fixed).toBe(1);
    await bus.stop();
    await transport.close();
  }, 90_000);

  it('reaches the side effect once for an event id published three times, with the sqlite inbox', async () => {
    const transport = createSqliteTransport({ path: tmp.file('dedup.db'), partitions: 4 });
    const inbox = createSqliteInboxStore({ database: tmp.file('dedup-inbox.db') });
    const topic = unique('payments');
    const bus = createBus<Events>({
      transport,
      topicFor: () => topic,
      inbox,
      dedup: { busyRetryDelayMs: 20 },
      closeTransport: false,
    });
    const applied: string[] = [];
    bus.on('order.placed', (event) => void applied.push(event.data.orderId), { from: 'earliest' });
    await bus.start();
    for (const key of ['a', 'b', 'c']) {
      await bus.publish('order.placed', { orderId: 'same', n: 1 }, { id: 'evt-same', key });
    }
    await bus.publish('order.placed', { orderId: 'other', n: 2 }, { id: 'evt-other' });
    await waitFor(
      () => transport.admin.listGroups(topic).find((g) => g.group === 'default.order.placed')?.lag === 0,
      20_000,
      'every delivery acknowledged',
    );
    expect(applied.sort()).toEqual(['other', 'same']);
    await bus.stop();
    await transport.close();
    await inbox.close();
  }, 60_000);

  it('counts attempts across a consumer restart (the delivery count comes from the transport)', async () => {
    const path = tmp.file('restart.db');
    const topic = unique('orders');
    const retry = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 };
    const first = createBus<Events>({
      transport: createSqliteTransport({ path }),
      topicFor: () => topic,
      retry,
    });
    const seenByFirst: number[] = [];
    first.on(
      'order.placed',
      (_event, ctx) => {
        seenByFirst.push(ctx.deliveryCount);
        // Begin stopping before failing: this attempt is the last one the first consumer takes.
        if (ctx.deliveryCount === 2) void first.stop();
        throw new Error('still broken');
      },
      { name: 'pricing', from: 'earliest' },
    );
    await first.start();
    await first.publish('order.placed', { orderId: 'o', n: 1 });
    await waitFor(() => seenByFirst.length === 2);
    await first.stop();

    const notices: DeadLetterNotice[] = [];
    const second = createBus<Events>({
      transport: createSqliteTransport({ path }),
      topicFor: () => topic,
      retry,
      onDeadLetter: (notice) => void notices.push(notice),
    });
    const seenBySecond: number[] = [];
    second.on(
      'order.placed',
      (_event, ctx) => {
        seenBySecond.push(ctx.deliveryCount);
        throw new Error('still broken');
      },
      { name: 'pricing', from: 'earliest' },
    );
    await second.start();
    await waitFor(() => notices.length === 1, 20_000, 'the dead letter');
    expect(seenByFirst).toEqual([1, 2]);
    expect(seenBySecond).toEqual([3, 4]);
    expect(notices[0]!.attempts).toBe(4);
    await second.stop();
  }, 60_000);

  it('never runs more than maxInFlight handlers over a 20k backlog', async () => {
    const transport = createSqliteTransport({ path: tmp.file('backlog.db'), partitions: 4 });
    const topic = unique('backlog');
    const bus = createBus<Events>({ transport, topicFor: () => topic });
    const total = 20_000;
    for (let i = 0; i < total; i += 2_000) {
      await Promise.all(
        Array.from({ length: 2_000 }, (_, j) =>
          bus.publish('order.placed', { orderId: `o${i + j}`, n: i + j }, { key: `k${(i + j) % 50}` }),
        ),
      );
    }
    let running = 0;
    let maxRunning = 0;
    let done = 0;
    bus.on(
      'order.placed',
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
    await waitFor(() => done === total, 90_000, 'the backlog to drain');
    expect(maxRunning).toBe(10);
    await bus.stop();
  }, 120_000);
});
