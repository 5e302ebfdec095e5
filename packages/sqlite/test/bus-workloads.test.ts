import { createBus } from '@eddy/core';
import { createSqliteFairSlotStore, createSqliteTransport } from '@eddy/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, unique, waitFor } from './helpers.js';

interface Events {
  'export.requested': { id: string };
}

const tmp = tempDir();
afterAll(() => tmp.remove());

function bus(): ReturnType<typeof createBus<Events>> {
  const topic = unique('exports');
  return createBus<Events>({
    transport: createSqliteTransport({ path: tmp.file(`${topic}.db`) }),
    group: unique('g'),
    topicFor: () => topic,
    ackTimeoutMs: 200,
  });
}

describe('workloads on the SQLite transport', () => {
  it('a long-running handler that extends its lease outlives ackTimeoutMs without a redelivery; without, it is redelivered', async () => {
    const b = bus();
    const deliveries = new Map<string, number[]>();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const extendedAt: number[] = [];
    b.on(
      'export.requested',
      async (event, ctx) => {
        const seen = deliveries.get(event.data.id) ?? [];
        seen.push(ctx.deliveryCount);
        deliveries.set(event.data.id, seen);
        if (event.data.id === 'extended') {
          await ctx.extendLease(5_000);
          extendedAt.push(Date.now());
        }
        if (ctx.deliveryCount === 1) await released;
      },
      { longRunning: true, from: 'earliest', maxInFlight: 4 },
    );
    // Published before start: the first deliveries come while the handler is still subscribing.
    await b.publish('export.requested', { id: 'extended' });
    await b.publish('export.requested', { id: 'plain' });
    await b.start();
    await waitFor(
      () => (deliveries.get('plain')?.length ?? 0) >= 2,
      10_000,
      'the redelivery of the plain one',
    );
    await waitFor(
      () => extendedAt.length > 0 && Date.now() > extendedAt[0]! + 600,
      10_000,
      'three ack timeouts',
    );
    expect(deliveries.get('extended')).toEqual([1]);
    expect(b.inflight().map((delivery) => delivery.leaseUntil !== undefined)).toContain(true);
    release();
    await b.stop();
    expect(deliveries.get('extended')).toEqual([1]);
  });

  it("debounces a burst published with dedupe mode 'extend' into its last event", async () => {
    const b = bus();
    const ids: string[] = [];
    b.on('export.requested', (event) => void ids.push(event.data.id), { from: 'earliest' });
    await b.start();
    for (const id of ['one', 'two', 'three']) {
      await b.publish('export.requested', { id }, { dedupe: { key: 'nightly', ttlMs: 100, mode: 'extend' } });
    }
    await waitFor(() => ids.includes('three'), 10_000, 'the debounced event');
    await b.publish('export.requested', { id: 'marker' }, { deliverAt: Date.now() + 150 });
    await waitFor(() => ids.includes('marker'), 10_000, 'the marker');
    await b.stop();
    expect(ids).toEqual(['three', 'marker']);
  });

  it('retention forgets dedupe records past their window', async () => {
    const topic = unique('keys');
    const transport = createSqliteTransport({ path: tmp.file(`${topic}.db`) });
    const b = createBus<Events>({ transport, topicFor: () => topic });
    await b.publish('export.requested', { id: 'a' }, { dedupe: { key: 'short', ttlMs: 1 } });
    await b.publish('export.requested', { id: 'b' }, { dedupe: { key: 'long', ttlMs: 60_000 } });
    const keys = (): string[] =>
      transport.native
        .prepare<[], { dedupe_key: string }>('SELECT dedupe_key FROM eddy_publish_dedupe ORDER BY dedupe_key')
        .all()
        .map((row) => row.dedupe_key);
    expect(keys()).toEqual(['long', 'short']);
    const after = Date.now() + 5;
    await waitFor(() => Date.now() > after, 1_000, 'the short window to pass');
    await transport.admin.applyRetention();
    expect(keys()).toEqual(['long']);
    await b.stop();
  });

  it.each([
    ['with a shared slot store, concurrency holds for the whole group', true, 2],
    ['without it, each member allows concurrency on its own', false, 4],
  ])('fair groups across two members: %s', async (_name, shared, expected) => {
    const path = tmp.file(`${unique('fair')}.db`);
    const topic = unique('fair');
    const group = unique('g');
    const stores = shared
      ? [createSqliteFairSlotStore({ database: path }), createSqliteFairSlotStore({ database: path })]
      : [];
    let running = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const transports = [createSqliteTransport({ path }), createSqliteTransport({ path })];
    const members = transports.map((transport, i) => {
      const member = createBus<Events>({ transport, group, topicFor: () => topic });
      member.on(
        'export.requested',
        async () => {
          running += 1;
          await released;
          running -= 1;
        },
        {
          from: 'earliest',
          group: { key: () => 'tenant-a', concurrency: 2, ...(shared ? { store: stores[i]! } : {}) },
        },
      );
      return member;
    });
    await Promise.all(members.map((member) => member.start()));
    // Both members hold partitions before anything is published, so both get work.
    const owners = (): number =>
      new Set(
        transports[0]!.admin
          .listGroups(topic)
          .flatMap((summary) => summary.partitions.map((partition) => partition.owner)),
      ).size;
    await waitFor(() => owners() === 2, 10_000, 'both members to hold partitions');
    for (let i = 0; i < 20; i++) await members[0]!.publish('export.requested', { id: `e${i}` });
    await waitFor(() => running >= expected, 10_000, `${expected} running`);
    // The point is elapsed time: no member starts more while the slots stay taken.
    const until = Date.now() + 300;
    await waitFor(() => Date.now() > until || running > expected, 5_000, 'a quiet spell');
    expect(running).toBe(expected);
    release();
    await Promise.all(members.map((member) => member.stop()));
    await Promise.all(stores.map((store) => store.close()));
  });
});
